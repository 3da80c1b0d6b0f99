/**
 * Which of a resource group's clusters is the student's. Shared by Exercise 3's checks and the runtime
 * that fetches that cluster's kubeconfig, so both always name the same cluster.
 */
import type { ManagedClusterFacts } from '../types.js';

export interface Discovery<T> {
  chosen: T;
  /** Names of everything that was listed, sorted. */
  candidates: string[];
  reason: string;
}

export const byName = <T extends { name: string }>(a: T, b: T): number => a.name.toLowerCase().localeCompare(b.name.toLowerCase());
const isHealthy = (c: ManagedClusterFacts) => c.provisioningState === 'Succeeded' && c.powerState === 'Running';

/**
 * The only cluster; else the first running one by name; else the first by name. The class runtime
 * fetches the kubeconfig of the same cluster (probes/environment.ts), so Exercise 3's evidence and the
 * cluster the Kubernetes checks read agree.
 */
export function chooseCluster(clusters: ManagedClusterFacts[]): Discovery<ManagedClusterFacts> | undefined {
  if (clusters.length === 0) return undefined;
  const sorted = [...clusters].sort(byName);
  const candidates = sorted.map((c) => c.name);
  if (sorted.length === 1) return { chosen: sorted[0], candidates, reason: 'the only managed cluster in the resource group' };
  const healthy = sorted.filter(isHealthy);
  if (healthy.length === 1) return { chosen: healthy[0], candidates, reason: 'the only one of them that is provisioned and running' };
  if (healthy.length > 1) return { chosen: healthy[0], candidates, reason: 'several are running: the first by name' };
  return { chosen: sorted[0], candidates, reason: 'none is running: the first by name' };
}
