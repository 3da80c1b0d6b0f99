/**
 * Which of a resource group's clusters is the student's, for the Kubernetes probe and for Exercise 3
 * alike (one rule, one answer per student). One cluster: it. Several: each one's API is looked into
 * (the lab's Deployments, the pods pulling from the student's registries), and chooseCluster's ladder
 * decides from that, the role assignments and when each was created (azure/choose-cluster.ts). The
 * reason is part of the answer, for the evidence.
 */
import type { ClusterChoice, RegistryFacts, RoleAssignmentFacts } from './types.js';
import { ProbeError, type AzureProbe, type ManagedClusterFacts } from './types.js';
import { chooseCluster, readPullGrants, type ClusterLook } from './azure/choose-cluster.js';
import { errorMessage } from '../core/errors.js';

/** What a cluster's API lists in the graded namespace. */
export interface Workloads {
  deployments: string[];
  /** Every pod container's image (init containers included). */
  images: string[];
}

export interface StudentClusterDeps {
  clusters(): Promise<ManagedClusterFacts[]>;
  kubeconfigOf: AzureProbe['clusterUserKubeconfig'];
  /** What a cluster's API lists (throws when it does not answer). */
  workloads(kubeconfig: string): Promise<Workloads>;
  /** The Deployments the lab makes (myapp, myapi). */
  labDeployments: readonly string[];
  /** The registries of the student's resource group. */
  registries(): Promise<RegistryFacts[]>;
  /** Role assignments reaching the resource group (read only when the APIs do not decide). */
  roleAssignments(): Promise<RoleAssignmentFacts[]>;
  /** The roles that let a cluster pull (legacy and ABAC). */
  pullRoles: readonly string[];
}

export interface StudentCluster extends ClusterChoice {
  kubeconfig: () => Promise<string>;
}

/** How many of `images` pull from each login server, and the one pulled from most. */
function pullsFrom(images: string[], loginServers: string[]): { registryPulls: number; pulledFrom?: string } {
  const counts = loginServers.map((server) => images.filter((image) => image.toLowerCase().startsWith(`${server}/`)).length);
  const max = Math.max(0, ...counts);
  return max > 0 ? { registryPulls: max, pulledFrom: loginServers[counts.indexOf(max)] } : { registryPulls: 0 };
}

export async function studentCluster(deps: StudentClusterDeps): Promise<StudentCluster> {
  const clusters = await deps.clusters();
  if (clusters.length === 0) throw new ProbeError('kube', 'no AKS cluster in the resource group to get credentials from');
  if (clusters.length === 1) {
    const only = (await chooseCluster(clusters))!;
    return { name: only.chosen.name, id: only.chosen.id, reason: only.reason, candidates: only.candidates, kubeconfig: () => deps.kubeconfigOf(only.chosen.name) };
  }

  // Look inside each: where the student worked shows in what its API holds.
  const loginServers = (await deps.registries().catch(() => [] as RegistryFacts[])).map((r) => r.loginServer.toLowerCase());
  const kubeconfigs = new Map<string, string>();
  const looks = new Map<string, ClusterLook>();
  await Promise.all(
    clusters.map(async (c) => {
      try {
        const kubeconfig = await deps.kubeconfigOf(c.name);
        kubeconfigs.set(c.name, kubeconfig);
        const seen = await deps.workloads(kubeconfig);
        looks.set(c.name, { labDeployments: deps.labDeployments.filter((d) => seen.deployments.includes(d)), ...pullsFrom(seen.images, loginServers) });
      } catch (err) {
        looks.set(c.name, { unreadable: errorMessage(err) });
      }
    }),
  );
  const grants = () => readPullGrants(clusters, deps, deps.pullRoles);
  const found = (await chooseCluster(clusters, { looks, grants }))!;
  const { name, id } = found.chosen;
  return { name, id, reason: found.reason, candidates: found.candidates, kubeconfig: async () => kubeconfigs.get(name) ?? deps.kubeconfigOf(name) };
}
