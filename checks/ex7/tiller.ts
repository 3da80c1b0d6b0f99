/** Exercise 7 step 1 (Helm 2 only, informational): tiller's ServiceAccount is bound to cluster-admin. */
import { defineCheck, error, fail, pass, reasons, skip } from '../../core/check.js';
import { tillerRbac } from '../kube/helm.js';

const R = reasons({
  helm3: ['LG-721', 'Helm 3 keeps no tiller'],
  unreadable: ['LG-722', "tiller's RBAC objects cannot be read"],
  noAccount: ['LG-723', 'no ServiceAccount tiller in kube-system', 'absent'],
  noBinding: ['LG-724', 'tiller is not bound to cluster-admin'],
});

const hint = 'Exercise 7 step 1: `kubectl -n kube-system create serviceaccount tiller` and `kubectl create clusterrolebinding tiller --clusterrole cluster-admin --serviceaccount=kube-system:tiller`.';

export const tiller = defineCheck({
  id: 'ex7.tiller',
  exercise: 7,
  passes: 'Helm 2 only: ServiceAccount tiller bound to cluster-admin (informational)',
  title: () => 'Helm 2: tiller runs as cluster-admin',
  points: { points: 0 },
  needs: ['kube'],
  dependsOn: ['ex7.helm.release'],
  uses: ['helmRelease'],
  reasons: R,
  async run(ctx) {
    if (ctx.fact('helmRelease')?.source !== 'helm2-configmap') return skip(R.helm3, 'Helm 3 keeps no tiller: nothing to check');
    const snap = await ctx.probes.kube.snapshot();
    const unreadable = [snap.unreadable.serviceAccounts, snap.unreadable.clusterRoleBindings].filter(Boolean);
    if (unreadable.length) return error(R.unreadable, unreadable.join('; '), { unreadable });
    const t = tillerRbac(snap.serviceAccounts, snap.clusterRoleBindings);
    const evidence = { serviceAccount: t.serviceAccount, clusterAdminBindings: t.adminBindings, otherRoles: t.otherRoles };
    if (!t.serviceAccount) return fail(R.noAccount, 'no ServiceAccount tiller in kube-system', hint, { evidence, outcome: 'needs-fix' });
    if (!t.adminBindings.length) {
      const other = t.otherRoles.join(', ');
      return fail(R.noBinding, `ServiceAccount kube-system/tiller is not bound to cluster-admin${other ? ` (bound to: ${other})` : ''}`, hint, { evidence, outcome: 'needs-fix' });
    }
    return pass(`ServiceAccount kube-system/tiller exists and is bound to cluster-admin (${t.adminBindings.join(', ')})`, evidence);
  },
});
