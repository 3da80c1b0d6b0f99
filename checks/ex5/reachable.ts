/**
 * Exercise 5 steps 3–4: the cluster's API answers with the credentials in use (a prerequisite, no
 * points). A stopped cluster's API does not answer (AKS deallocates it): that is not the student's
 * failure to do the lab, but the grader cannot find out either, so it is an `error` saying how to start it.
 */
import { defineCheck, error, pass, reasons } from '../../core/check.js';
import { ProbeError } from '../../probes/types.js';
import { startOnceStopped } from '../cluster-power.js';

const R = reasons({
  stopped: ['LG-501', 'the cluster is stopped: its API does not answer'],
  starting: ['LG-502', 'the cluster is being created or started: its API does not answer yet'],
});

/** Power and provisioning states in which AKS's API server does not run. */
const STOPPED = new Set(['Stopped', 'Stopping', 'Deallocated']);
const COMING = new Set(['Creating', 'Starting']);

export const kubeReachable = defineCheck({
  id: 'ex5.kube.reachable',
  exercise: 5,
  passes: "the cluster's API answers (Entra clusters with a token from the grader's own credential) — prerequisite of Exercises 5–7; a stopped cluster is `error`, not `fail`",
  title: () => "The cluster's API answers",
  points: { points: 0 },
  needs: ['kube'],
  // Not the cluster's health: a cluster left Failed or Updating by a later `az aks update` may answer.
  dependsOn: ['ex3.cluster.exists'],
  uses: ['cluster'],
  reasons: R,
  async run(ctx) {
    const kube = ctx.probes.kube;
    const chosen = await kube.cluster().catch(() => undefined);
    // Why this cluster, when there was a choice: among several, or about the operator's kubeconfig.
    const chose = chosen && (chosen.candidates.length > 1 || chosen.kubeconfigNotice);
    const which = chosen
      ? { cluster: chosen.name, ...(chose ? { chosenBecause: chosen.reason, candidates: chosen.candidates } : {}), ...(chosen.kubeconfigNotice ? { kubeconfig: chosen.kubeconfigNotice } : {}) }
      : {};
    try {
      const { server, gitVersion } = await kube.reach();
      return pass(`the API of cluster ${chosen?.name ?? server} at ${server} answers (Kubernetes ${gitVersion})`, { server, version: gitVersion, ...which });
    } catch (err) {
      const cluster = ctx.fact('cluster')?.chosen;
      if (!(err instanceof ProbeError) || !cluster) throw err;
      const rg = ctx.target.resourceGroup;
      const evidence = { ...which, powerState: cluster.powerState ?? null, provisioningState: cluster.provisioningState ?? null, answer: err.message };
      // An operation under way (az aks start / stop) decides before the power state, which ARM may show at either end of it meanwhile.
      const operation = cluster.provisioningState ?? '';
      const state = COMING.has(operation) || STOPPED.has(operation) ? operation : (cluster.powerState ?? '');
      if (STOPPED.has(state)) {
        const start = state === 'Stopping' ? startOnceStopped(cluster.name, rg) : `start it with \`az aks start --name ${cluster.name} --resource-group ${rg}\``;
        return error(R.stopped, `cluster ${cluster.name} is ${state}, so its API does not answer: ${start}, then re-run`, evidence);
      }
      if (COMING.has(state)) return error(R.starting, `cluster ${cluster.name} is still ${state}: its API does not answer yet; wait and re-run`, evidence);
      throw err;
    }
  },
});
