/** Exercise 5 step 1: the cluster's API answers with the credentials in use (a prerequisite, no points). */
import { defineCheck, pass } from '../../core/check.js';

export const kubeReachable = defineCheck({
  id: 'ex5.kube.reachable',
  exercise: 5,
  title: () => "The cluster's API answers",
  points: { points: 0 },
  needs: ['kube'],
  dependsOn: ['ex3.cluster.healthy'],
  reasons: {},
  async run(ctx) {
    const { server, gitVersion } = await ctx.probes.kube.reach();
    return pass(`the cluster's API at ${server} answers (Kubernetes ${gitVersion})`, { server, version: gitVersion });
  },
});
