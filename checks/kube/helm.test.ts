import type { V1ClusterRoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { HelmReleaseRecord } from '../../probes/types.js';
import { chooseRelease, latestRevisions, releaseLabel, releasesOfChart, tillerRbac, valueAt, effectiveValues } from './helm.js';

const rec = (over: Partial<HelmReleaseRecord>): HelmReleaseRecord => ({
  source: 'helm3-secret',
  namespace: 'default',
  objectName: `sh.helm.release.v1.${over.name ?? 'greetings'}.v${over.version ?? 1}`,
  name: 'greetings',
  version: 1,
  status: 'deployed',
  chartName: 'greetings',
  chartVersion: '0.3.0',
  values: {},
  ...over,
});

describe('helm readers', () => {
  it('keeps the newest revision of each release', () => {
    const r = latestRevisions([rec({ version: 1, status: 'superseded' }), rec({ version: 2 }), rec({ name: 'other', version: 5, chartName: 'nginx' })]);
    expect(r.map((x) => `${x.name}.v${x.version}`)).toEqual(['greetings.v2', 'other.v5']);
  });

  it('finds releases by chart name whatever the release is called', () => {
    const all = [rec({ name: 'wobbly-panda', source: 'helm2-configmap', namespace: 'kube-system' }), rec({ name: 'web', chartName: 'nginx' })];
    expect(releasesOfChart(all, 'greetings').map((r) => r.name)).toEqual(['wobbly-panda']);
    // An undecodable record counts when it is named like the chart.
    expect(releasesOfChart([rec({ chartName: undefined, decodeError: 'x' })], 'greetings')).toHaveLength(1);
    expect(releasesOfChart([rec({ name: 'mine', chartName: undefined, decodeError: 'x' })], 'greetings')).toHaveLength(0);
  });

  it('prefers a deployed release, then Helm 3', () => {
    const failed3 = rec({ name: 'a', status: 'failed' });
    const deployed2 = rec({ name: 'b', source: 'helm2-configmap' });
    const deployed3 = rec({ name: 'c' });
    expect(chooseRelease([failed3, deployed2], 'greetings')?.name).toBe('b');
    expect(chooseRelease([failed3, deployed2, deployed3], 'greetings')?.name).toBe('c');
    expect(chooseRelease([], 'greetings')).toBeUndefined();
    expect(releaseLabel(deployed2)).toBe('b (chart greetings-0.3.0, revision 1, deployed, Helm 2 ConfigMap default/sh.helm.release.v1.b.v1)');
  });

  it('reads dotted values', () => {
    const v = { registry: 'x.azurecr.io', myapp: { versionTag: 'v1.0' } };
    expect(valueAt(v, 'registry')).toBe('x.azurecr.io');
    expect(valueAt(v, 'myapp.versionTag')).toBe('v1.0');
    expect(valueAt(v, 'myapi.versionTag')).toBeUndefined();
    expect(valueAt(undefined, 'registry')).toBeUndefined();
  });

  it("reads tiller's ServiceAccount and bindings", () => {
    const sa: V1ServiceAccount[] = [{ metadata: { name: 'tiller', namespace: 'kube-system' } }];
    const admin: V1ClusterRoleBinding = {
      metadata: { name: 'tiller' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'tiller', namespace: 'kube-system' }],
    };
    const view: V1ClusterRoleBinding = { ...admin, metadata: { name: 'tiller-view' }, roleRef: { ...admin.roleRef, name: 'view' } };
    const elsewhere: V1ClusterRoleBinding = { ...admin, metadata: { name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'tiller', namespace: 'default' }] };
    expect(tillerRbac(sa, [admin, view, elsewhere])).toEqual({ serviceAccount: true, adminBindings: ['tiller'], otherRoles: ['view'] });
    expect(tillerRbac([], [view])).toEqual({ serviceAccount: false, adminBindings: [], otherRoles: ['view'] });
  });
});

describe('effectiveValues (Helm coalescing the chart values.yaml with the values given at install)', () => {
  const chart = { registry: 'azurezr.io', myapp: { replicaCount: 3, versionTag: 'v1.0' }, myapi: { dbUrl: null, replicaCount: 3 } };

  it('values given at install win, tables merge key by key', () => {
    expect(effectiveValues(chart, { registry: 'mine.azurecr.io', myapp: { versionTag: 'v2' } })).toEqual({
      registry: 'mine.azurecr.io',
      myapp: { replicaCount: 3, versionTag: 'v2' },
      myapi: { dbUrl: null, replicaCount: 3 },
    });
  });

  it('a values.yaml edited before installing counts when nothing overrides it', () => {
    expect(effectiveValues({ ...chart, registry: 'mine.azurecr.io' }, {})).toMatchObject({ registry: 'mine.azurecr.io' });
  });

  it('a value given as null removes the chart default; a scalar replaces a table', () => {
    const v = effectiveValues(chart, { registry: null, myapi: 'off' });
    expect(v).not.toHaveProperty('registry');
    expect(v.myapi).toBe('off');
  });

  it('does not change its inputs', () => {
    const given = { myapp: { versionTag: 'v2' } };
    effectiveValues(chart, given);
    expect(given).toEqual({ myapp: { versionTag: 'v2' } });
    expect(chart.myapp).toEqual({ replicaCount: 3, versionTag: 'v1.0' });
  });
});
