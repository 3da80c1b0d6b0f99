/**
 * Exercise 7 step 1 (Helm 2 only) on hand-built snapshots: tiller's ServiceAccount in kube-system bound
 * to cluster-admin, or the reason code says what is missing; nothing to check for a Helm 3 release.
 */
import type { V1ClusterRoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../core/check.js';
import type { KubeSnapshot } from '../../probes/types.js';
import { helmReleaseRecord, kubeSnapshot, runKubeCheck } from '../../test/support/kube-check.js';
import { loadProfile } from '../../core/profile.js';
import '../facts.js';
import { tiller } from './tiller.js';

const HELM2: Partial<Facts> = { helmRelease: helmReleaseRecord({ source: 'helm2-configmap', namespace: 'kube-system', objectName: 'greetings.v1' }) };
const TILLER: V1ServiceAccount = { metadata: { name: 'tiller', namespace: 'kube-system' } };
const binding = (name: string, role: string): V1ClusterRoleBinding => ({
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: [{ kind: 'ServiceAccount', name: 'tiller', namespace: 'kube-system' }],
});
const graded = (parts: Partial<KubeSnapshot>, facts: Partial<Facts> = HELM2) => runKubeCheck(tiller, kubeSnapshot(parts), { facts, profile: loadProfile() });

describe('ex7.tiller', () => {
  it('passes on ServiceAccount tiller bound to cluster-admin', async () => {
    expect(await graded({ serviceAccounts: [TILLER], clusterRoleBindings: [binding('tiller', 'cluster-admin')] })).toMatchObject({
      status: 'pass',
      evidence: { serviceAccount: true, clusterAdminBindings: ['tiller'], otherRoles: [] },
    });
  });

  it('a Helm 3 release is skipped with LG-721: Helm 3 keeps no tiller', async () => {
    expect(await graded({}, { helmRelease: helmReleaseRecord() })).toMatchObject({ status: 'skipped', code: 'LG-721' });
  });

  it.each(['serviceAccounts', 'clusterRoleBindings'])('%s the grader may not read is the error LG-722', async (kind) => {
    const forbidden = `${kind.toLowerCase()} is forbidden: User "grader" cannot list resource "${kind.toLowerCase()}"`;
    expect(await graded({ serviceAccounts: [TILLER], clusterRoleBindings: [binding('tiller', 'cluster-admin')], unreadable: { [kind]: forbidden } })).toMatchObject({
      status: 'error',
      code: 'LG-722',
      evidence: { unreadable: [forbidden] },
    });
  });

  it('no ServiceAccount tiller in kube-system fails with LG-723 (not started)', async () => {
    const elsewhere: V1ServiceAccount = { metadata: { name: 'tiller', namespace: 'default' } };
    expect(await graded({ serviceAccounts: [elsewhere], clusterRoleBindings: [binding('tiller', 'cluster-admin')] })).toMatchObject({ status: 'fail', code: 'LG-723', outcome: 'needs-fix' });
  });

  it('tiller bound to another role only fails with LG-724, naming that role', async () => {
    expect(await graded({ serviceAccounts: [TILLER], clusterRoleBindings: [binding('tiller-view', 'view')] })).toMatchObject({
      status: 'fail',
      code: 'LG-724',
      outcome: 'needs-fix',
      evidence: { serviceAccount: true, clusterAdminBindings: [], otherRoles: ['view'] },
    });
  });
});
