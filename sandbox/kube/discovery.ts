/** Discovery documents (legacy, non-aggregated: kubectl accepts them) generated from RESOURCES. */
import { GROUPS, RESOURCES, type ResourceDef } from './resources.js';
import { KUBERNETES_VERSION } from './objects.js';

export function versionInfo(): Record<string, string> {
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  return {
    major,
    minor,
    gitVersion: KUBERNETES_VERSION,
    gitCommit: 'b1b4e8fd0e4c8b6cd6ae1d1f3bb3e6a0b0b0b0b0',
    gitTreeState: 'clean',
    buildDate: '2024-10-22T20:26:00Z',
    goVersion: 'go1.22.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: GROUPS.map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
  };
}

const entry = (r: ResourceDef, name = r.plural, verbs = r.verbs, kind = r.kind): Record<string, unknown> => ({
  name,
  singularName: name === r.plural ? r.singular : '',
  namespaced: r.namespaced,
  kind,
  verbs,
  ...(r.shortNames && name === r.plural ? { shortNames: r.shortNames } : {}),
  ...(r.categories && name === r.plural ? { categories: r.categories } : {}),
});

/** APIResourceList for "" (core) or a group; undefined for groups not served. */
export function apiResourceList(group: string): Record<string, unknown> | undefined {
  if (group !== '' && !(GROUPS as readonly string[]).includes(group)) return undefined;
  const resources = RESOURCES.filter((r) => r.group === group).flatMap((r) =>
    r.plural === 'pods' ? [entry(r), entry(r, 'pods/proxy', ['create', 'delete', 'get', 'patch', 'update'], 'PodProxyOptions')] : [entry(r)],
  );
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources };
}
