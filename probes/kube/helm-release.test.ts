import { gzipSync } from 'node:zlib';
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { helm2ConfigMapData, helm2ReleaseProto } from '../../sandbox/kube/helm.js';
import { decodeHelm2ConfigMap, decodeHelm3Secret, helmReleases } from './helm-release.js';

const release = {
  name: 'greetings',
  info: { status: 'deployed', first_deployed: '2026-11-29T10:00:00Z' },
  chart: { metadata: { name: 'greetings', version: '0.3.0' }, values: { registry: 'azurezr.io', myapp: { replicaCount: 3 } } },
  config: { registry: 'labuser07acr.azurecr.io', myapp: { versionTag: 'v1.0' } },
  manifest: '---\n# Source: greetings/templates/myapp.yaml\n',
  version: 2,
  namespace: 'default',
};

/** As Helm 3 writes it (base64 of gzip of JSON) and as the Secret API returns it (base64 on top). */
function helm3Secret(payload: Buffer | string, gzip = true, labels: Record<string, string> = { owner: 'helm', name: 'greetings', status: 'deployed', version: '2' }): V1Secret {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const helmText = (gzip ? gzipSync(bytes) : bytes).toString('base64');
  return {
    metadata: { name: 'sh.helm.release.v1.greetings.v2', namespace: 'default', labels },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helmText).toString('base64') },
  };
}

describe('Helm 3 release Secrets', () => {
  it('round-trips a release: chart, version, status, values', () => {
    expect(decodeHelm3Secret(helm3Secret(JSON.stringify(release)))).toEqual({
      source: 'helm3-secret',
      namespace: 'default',
      objectName: 'sh.helm.release.v1.greetings.v2',
      name: 'greetings',
      version: 2,
      status: 'deployed',
      chartName: 'greetings',
      chartVersion: '0.3.0',
      values: { registry: 'labuser07acr.azurecr.io', myapp: { versionTag: 'v1.0' } },
      chartValues: { registry: 'azurezr.io', myapp: { replicaCount: 3 } },
    });
  });

  it('reads a payload Helm stored without gzip', () => {
    expect(decodeHelm3Secret(helm3Secret(JSON.stringify(release), false)).chartName).toBe('greetings');
  });

  it('keeps what the labels say when the payload is garbage', () => {
    const r = decodeHelm3Secret(helm3Secret(Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3]), false));
    expect(r).toMatchObject({ name: 'greetings', version: 2, status: 'deployed' });
    expect(r.decodeError).toMatch(/cannot decode the Helm 3 release/);
    expect(r.chartName).toBeUndefined();
  });

  it('treats a release without values as having none', () => {
    expect(decodeHelm3Secret(helm3Secret(JSON.stringify({ ...release, config: null }))).values).toEqual({});
  });
});

describe('Helm 2 release ConfigMaps', () => {
  // Encoded by the sandbox's independent protobuf writer (hapi.release.Release).
  const cm = (status: string, values: Record<string, unknown>): V1ConfigMap => ({
    metadata: { name: 'wobbly-panda.v1', namespace: 'kube-system', labels: { NAME: 'wobbly-panda', OWNER: 'TILLER', STATUS: status.toUpperCase(), VERSION: '1' } },
    data: {
      release: helm2ConfigMapData(helm2ReleaseProto({ name: 'wobbly-panda', chart: 'greetings-0.3.0', helm: 2, status, values, tiller: true }, 'default', '2026-11-29T10:00:00Z', 'manifest')),
    },
  });

  it('decodes name, chart, version, status and values from the protobuf', () => {
    expect(decodeHelm2ConfigMap(cm('deployed', { registry: 'labuser03acr.azurecr.io' }))).toEqual({
      source: 'helm2-configmap',
      namespace: 'kube-system',
      objectName: 'wobbly-panda.v1',
      name: 'wobbly-panda',
      version: 1,
      status: 'deployed',
      chartName: 'greetings',
      chartVersion: '0.3.0',
      values: { registry: 'labuser03acr.azurecr.io' },
      chartValues: { registry: 'azurezr.io', myapp: { replicaCount: 3, versionTag: 'v1.0' }, myapi: { replicaCount: 3, versionTag: 'v1.0', dbUrl: null, dbUsername: null, dbPassword: null } },
    });
    expect(decodeHelm2ConfigMap(cm('failed', {})).values).toEqual({});
  });

  it('lists only records Helm labelled', () => {
    const stray: V1ConfigMap = { metadata: { name: 'x', labels: { OWNER: 'someone' } }, data: {} };
    const all = helmReleases([helm3Secret(JSON.stringify(release))], [cm('deployed', {}), stray]);
    expect(all.map((r) => `${r.source}:${r.name}`)).toEqual(['helm3-secret:greetings', 'helm2-configmap:wobbly-panda']);
  });
});
