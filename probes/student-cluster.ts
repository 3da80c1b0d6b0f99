/**
 * Which of a resource group's clusters is the student's, for the Kubernetes probe and for Exercise 3
 * alike (one rule, one answer per student). Names are free: a student who ran `az aks create` twice has
 * two clusters, and the lab's objects are on one of them. One cluster: it. Several: the one whose API
 * holds the lab's Deployments; when that does not single one out, the running one, then the first by
 * name (choose-cluster.ts). The reason is part of the answer, for the evidence.
 */
import type { ClusterChoice } from './types.js';
import { ProbeError, type AzureProbe, type ManagedClusterFacts } from './types.js';
import { chooseCluster } from './azure/choose-cluster.js';

export interface StudentClusterDeps {
  clusters(): Promise<ManagedClusterFacts[]>;
  kubeconfigOf: AzureProbe['clusterUserKubeconfig'];
  /** The names of the Deployments a cluster's API lists in the graded namespace (throws when it does not answer). */
  deploymentNames(kubeconfig: string): Promise<string[]>;
  /** The Deployments the lab makes (myapp, myapi). */
  labDeployments: readonly string[];
}

export interface StudentCluster extends ClusterChoice {
  kubeconfig: () => Promise<string>;
}

export async function studentCluster(deps: StudentClusterDeps): Promise<StudentCluster> {
  const clusters = await deps.clusters();
  const found = chooseCluster(clusters);
  if (!found) throw new ProbeError('kube', 'no AKS cluster in the resource group to get credentials from');
  const fallback = { name: found.chosen.name, reason: found.reason, candidates: found.candidates };
  if (clusters.length === 1) return { ...fallback, kubeconfig: () => deps.kubeconfigOf(found.chosen.name) };

  // Look inside each: the lab's Deployments tell where the student worked.
  const looks = await Promise.all(
    clusters.map(async (c) => {
      try {
        const kubeconfig = await deps.kubeconfigOf(c.name);
        const names = await deps.deploymentNames(kubeconfig);
        return { c, kubeconfig, held: deps.labDeployments.filter((d) => names.includes(d)) };
      } catch {
        return { c, held: [] as string[] };
      }
    }),
  );
  const most = Math.max(...looks.map((l) => l.held.length));
  const best = looks.filter((l) => l.held.length === most);
  if (most > 0 && best.length === 1) {
    const { c, kubeconfig, held } = best[0];
    return { name: c.name, reason: `its API holds the lab's Deployments (${held.join(', ')})`, candidates: found.candidates, kubeconfig: async () => kubeconfig ?? deps.kubeconfigOf(c.name) };
  }
  const why = most > 0 ? `several hold the lab's Deployments: ${found.reason}` : `none holds the lab's Deployments: ${found.reason}`;
  return { ...fallback, reason: why, kubeconfig: () => deps.kubeconfigOf(found.chosen.name) };
}
