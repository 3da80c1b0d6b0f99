/** Reading pods: what each container is doing, and which pods belong to what. */
import type { V1Container, V1ContainerStatus, V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { imageIdDigest } from './images.js';
import { isoOf } from './time.js';
import { excerpt } from '../text.js';

export interface ContainerSummary {
  name: string;
  /** spec image (what was asked for) */
  image: string;
  /** the digest actually running, from status.imageID */
  digest?: string;
  ready: boolean;
  restarts: number;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
}

export interface PodSummary {
  name: string;
  namespace: string;
  phase: string;
  /** the pod's Ready condition */
  ready: boolean;
  /** being deleted */
  terminating: boolean;
  labels: Record<string, string>;
  containers: ContainerSummary[];
  createdAt?: string;
}

/** Why an image could not be pulled: the kubelet's waiting reasons for it. */
export const PULL_FAILURES = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);

function containerSummary(spec: V1Container, status: V1ContainerStatus | undefined): ContainerSummary {
  const st = status?.state;
  const state = st?.running ? 'running' : st?.waiting ? 'waiting' : st?.terminated ? 'terminated' : 'unknown';
  const detail = st?.waiting ?? st?.terminated;
  return {
    name: spec.name,
    image: spec.image ?? status?.image ?? '',
    digest: imageIdDigest(status?.imageID),
    ready: !!status?.ready,
    restarts: status?.restartCount ?? 0,
    state,
    ...(detail?.reason ? { reason: detail.reason } : {}),
    ...(detail?.message ? { message: detail.message } : {}),
  };
}

export function summarizePod(pod: V1Pod): PodSummary {
  const statuses = pod.status?.containerStatuses ?? [];
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    terminating: !!pod.metadata?.deletionTimestamp,
    labels: pod.metadata?.labels ?? {},
    containers: (pod.spec?.containers ?? []).map((c) =>
      containerSummary(
        c,
        statuses.find((s) => s.name === c.name),
      ),
    ),
    createdAt: isoOf(pod.metadata?.creationTimestamp),
  };
}

/** A pod counts as running when its phase is Running and no container is stuck waiting. */
export const isRunning = (p: PodSummary) => p.phase === 'Running' && p.containers.every((c) => c.state === 'running');

/** Short status as `kubectl get pods` shows it: the first waiting reason, else the phase. */
export function podStatusText(p: PodSummary): string {
  if (p.terminating) return 'Terminating';
  return excerpt(p.containers.find((c) => c.state === 'waiting' && c.reason)?.reason ?? p.containers.find((c) => c.state === 'terminated' && c.reason)?.reason ?? p.phase, 60);
}

/** Every pair of `selector` is among `labels` (a Service selector, a matchLabels). Empty selects nothing. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const pairs = Object.entries(selector ?? {});
  return pairs.length > 0 && pairs.every(([k, v]) => labels?.[k] === v);
}

/**
 * The pods a Deployment runs: selected by its matchLabels and, when ownership is recorded, owned by
 * one of its ReplicaSets (so a stray pod with the same label is not counted).
 */
export function podsOfDeployment(d: V1Deployment, pods: readonly V1Pod[], replicaSets: readonly V1ReplicaSet[] = []): V1Pod[] {
  const selected = pods.filter((p) => selects(d.spec?.selector?.matchLabels, p.metadata?.labels));
  const rsNames = new Set(replicaSets.filter((rs) => ownerOf(rs)?.kind === 'Deployment' && ownerOf(rs)?.name === d.metadata?.name).map((rs) => rs.metadata?.name));
  if (rsNames.size === 0) return selected;
  return selected.filter((p) => {
    const o = ownerOf(p);
    return !o || o.kind !== 'ReplicaSet' || rsNames.has(o.name);
  });
}

/** The controlling owner of an object, from ownerReferences. */
export function ownerOf(obj: { metadata?: { ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }> } }): { kind: string; name: string } | undefined {
  const refs = obj.metadata?.ownerReferences ?? [];
  const o = refs.find((r) => r.controller) ?? refs[0];
  return o ? { kind: o.kind, name: o.name } : undefined;
}

/** A container's env value (literal only; valueFrom is reported as such). */
export function envValue(container: V1Container | undefined, name: string): string | undefined {
  const e = container?.env?.find((v) => v.name === name);
  if (!e) return undefined;
  return e.value ?? (e.valueFrom ? '(from a reference)' : '');
}
