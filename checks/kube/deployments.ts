/** Reading Deployments and ReplicaSets: desired vs available replicas, their conditions. */
import type { V1Container, V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';

export interface ReplicaStatus {
  desired: number;
  ready: number;
  available: number;
  updated: number;
  /** `Available=False: MinimumReplicasUnavailable`, … (only conditions that are not True) */
  problems: string[];
}

export function replicaStatus(obj: V1Deployment | V1ReplicaSet): ReplicaStatus {
  const st = obj.status;
  return {
    // A Deployment without spec.replicas runs 1.
    desired: obj.spec?.replicas ?? 1,
    ready: st?.readyReplicas ?? 0,
    available: st?.availableReplicas ?? 0,
    updated: (st as V1Deployment['status'])?.updatedReplicas ?? 0,
    problems: (st?.conditions ?? []).filter((c) => c.status !== 'True').map((c) => `${c.type}=${c.status}${c.reason ? `: ${c.reason}` : ''}`),
  };
}

export const allAvailable = (s: ReplicaStatus) => s.desired > 0 && s.available >= s.desired;

/** The container of a workload: by name, else the only/first one. */
export function mainContainer(d: V1Deployment, name: string): V1Container | undefined {
  const cs = d.spec?.template?.spec?.containers ?? [];
  return cs.find((c) => c.name === name) ?? cs[0];
}

export function byName<T extends { metadata?: { name?: string } }>(items: readonly T[], name: string): T | undefined {
  return items.find((i) => i.metadata?.name === name);
}
