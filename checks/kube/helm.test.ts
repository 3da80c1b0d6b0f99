import type { V1ClusterRoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../core/profile.js';
import { helmReleaseRecord } from '../../test/support/kube-check.js';
import { chooseRelease, latestRevisions, reinstallCommands, releaseLabel, releasesOfChart, tillerRbac, valueAt, effectiveValues } from './helm.js';

const rec = helmReleaseRecord;
const lab = loadProfile().expect;

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

  it('keeps the first of two records of one revision, and tells releases apart by store and namespace', () => {
    const r = latestRevisions([rec({ version: 2, status: 'failed' }), rec({ version: 2, status: 'deployed' }), rec({ version: 1, source: 'helm2-configmap' }), rec({ version: 1, namespace: 'dev' })]);
    expect(r.map((x) => `${x.source}/${x.namespace}/${x.name}.v${x.version} ${x.status}`)).toEqual([
      'helm3-secret/default/greetings.v2 failed',
      'helm2-configmap/default/greetings.v1 deployed',
      'helm3-secret/dev/greetings.v1 deployed',
    ]);
  });

  it('among releases alike, grades the newest revision, whatever their order', () => {
    const older = rec({ name: 'a', version: 1, status: 'failed' });
    const newer = rec({ name: 'b', version: 3, status: 'failed' });
    expect(chooseRelease([older, newer], 'greetings')?.name).toBe('b');
    expect(chooseRelease([newer, older], 'greetings')?.name).toBe('b');
    // A deployed Helm 2 release beats a newer failed Helm 3 one, and a Helm 3 one beats a newer Helm 2 one.
    expect(chooseRelease([rec({ name: 'f', version: 9, status: 'failed' }), rec({ name: 'h2', version: 1, source: 'helm2-configmap' })], 'greetings')?.name).toBe('h2');
    expect(chooseRelease([rec({ name: 'h2', version: 9, source: 'helm2-configmap', status: 'failed' }), rec({ name: 'h3', version: 1, status: 'failed' })], 'greetings')?.name).toBe('h3');
    expect(chooseRelease([rec({ name: 'web', chartName: 'nginx' })], 'greetings')).toBeUndefined();
  });

  it('labels a release with what is known of its chart', () => {
    expect(releaseLabel(rec({ status: 'failed' }))).toBe('greetings (chart greetings-0.3.0, revision 1, failed, Helm 3 Secret default/sh.helm.release.v1.greetings.v1)');
    expect(releaseLabel(rec({ chartName: undefined, chartVersion: undefined, version: 4, namespace: 'kube-system', objectName: 'greetings.v4', source: 'helm2-configmap' }))).toBe(
      'greetings (chart ?, revision 4, deployed, Helm 2 ConfigMap kube-system/greetings.v4)',
    );
  });

  it('reads no further than a value that is not a table', () => {
    expect(valueAt({ registry: 'x.azurecr.io' }, 'registry.length')).toBeUndefined();
    expect(valueAt({ myapp: null }, 'myapp.versionTag')).toBeUndefined();
    expect(valueAt({ myapp: { versionTag: '' } }, 'myapp.versionTag')).toBe('');
  });

  it('prints the commands that install again over a release that did not deploy', () => {
    expect(reinstallCommands(rec({ status: 'failed' }), 'mine.azurecr.io', lab)).toBe(
      '`helm uninstall greetings`, `kubectl delete deployment myapp myapi` (the chart makes its own), then in greetings/k8s/helm `helm install greetings . --set registry=mine.azurecr.io`',
    );
    expect(reinstallCommands(rec({ name: 'wobbly-panda', source: 'helm2-configmap', status: 'failed' }), 'mine.azurecr.io', lab)).toBe(
      '`helm delete --purge wobbly-panda`, `kubectl delete deployment myapp myapi` (the chart makes its own), then in greetings/k8s/helm `helm install . --name wobbly-panda --set registry=mine.azurecr.io`',
    );
  });

  it("names the profile's Deployments and chart folder", () => {
    const variant = { ...lab, repoDir: 'shop', app: { ...lab.app, deployment: 'frontend' }, api: { ...lab.api, deployment: 'backend' } };
    expect(reinstallCommands(rec({ status: 'failed' }), 'mine.azurecr.io', variant)).toBe(
      '`helm uninstall greetings`, `kubectl delete deployment frontend backend` (the chart makes its own), then in shop/k8s/helm `helm install greetings . --set registry=mine.azurecr.io`',
    );
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

  it("counts only tiller's own ServiceAccount, and bindings to it as a ServiceAccount", () => {
    const sa = (name: string, namespace?: string): V1ServiceAccount => ({ metadata: { name, namespace } });
    // A ServiceAccount listed without its namespace is taken as in the namespace asked about.
    expect(tillerRbac([{}, sa('default', 'kube-system'), sa('tiller')], []).serviceAccount).toBe(true);
    expect(tillerRbac([sa('tiller', 'default'), sa('helm', 'kube-system')], []).serviceAccount).toBe(false);
    const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' };
    const bindings: V1ClusterRoleBinding[] = [
      { metadata: { name: 'user' }, roleRef, subjects: [{ kind: 'User', name: 'tiller', namespace: 'kube-system' }] },
      { metadata: { name: 'other-sa' }, roleRef, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }] },
      { metadata: { name: 'no-subjects' }, roleRef },
      { metadata: { name: 'role' }, roleRef: { ...roleRef, kind: 'Role' }, subjects: [{ kind: 'ServiceAccount', name: 'tiller', namespace: 'kube-system' }] },
      {
        roleRef,
        subjects: [
          { kind: 'User', name: 'me' },
          { kind: 'ServiceAccount', name: 'tiller', namespace: 'kube-system' },
        ],
      },
    ];
    expect(tillerRbac([], bindings)).toEqual({ serviceAccount: false, adminBindings: [''], otherRoles: [] });
  });

  it('reads another ServiceAccount when asked, a subject without namespace only in the namespace ""', () => {
    const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' };
    const bindings: V1ClusterRoleBinding[] = [{ metadata: { name: 'b' }, roleRef, subjects: [{ kind: 'ServiceAccount', name: 'helm' }] }];
    expect(tillerRbac([], bindings, '', 'helm').otherRoles).toEqual(['edit']);
    expect(tillerRbac([], bindings, 'kube-system', 'helm').otherRoles).toEqual([]);
    // A malformed binding without its role counts as an unnamed other role.
    const noRole = { metadata: { name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'tiller', namespace: 'kube-system' }] } as unknown as V1ClusterRoleBinding;
    expect(tillerRbac([], [noRole])).toEqual({ serviceAccount: false, adminBindings: [], otherRoles: [''] });
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

  it('reads no values as none', () => {
    expect(effectiveValues(undefined, undefined)).toEqual({});
    expect(effectiveValues(chart, undefined)).toEqual(chart);
    expect(effectiveValues(undefined, { registry: 'mine.azurecr.io' })).toEqual({ registry: 'mine.azurecr.io' });
  });

  it('a list given replaces the chart list; a table given stays when the chart has null or a scalar there', () => {
    expect(effectiveValues({ hosts: ['a', 'b', 'c'] }, { hosts: ['x'] })).toEqual({ hosts: ['x'] });
    expect(effectiveValues({ myapi: null, myapp: 'on' }, { myapi: { dbUrl: 'db' }, myapp: { replicaCount: 1 } })).toEqual({ myapi: { dbUrl: 'db' }, myapp: { replicaCount: 1 } });
    expect(effectiveValues({ myapp: { versionTag: 'v1.0' } }, { myapp: { versionTag: null } })).toEqual({ myapp: {} });
  });

  it('does not change its inputs', () => {
    const given = { myapp: { versionTag: 'v2' } };
    effectiveValues(chart, given);
    expect(given).toEqual({ myapp: { versionTag: 'v2' } });
    expect(chart.myapp).toEqual({ replicaCount: 3, versionTag: 'v1.0' });
  });
});
