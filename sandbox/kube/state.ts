/**
 * The mutable state of one simulated cluster, shared by the plain functions that derive it
 * (derive/), run its ReplicaSet controller (controller.ts), start its apps (apps.ts) and route its
 * traffic (network.ts). ClusterWorld owns one and is the only public face of it.
 */
import type { AppHandler } from '../app/http.js';
import type { AppKind, GreetingStore } from '../app/greetings.js';
import type { Scenario } from '../scenario.js';
import type { Seeded } from './ids.js';
import type { KObj } from './manifests.js';
import { iso, type PodPhase } from './objects.js';
import type { PullOutcome } from './pull.js';
import type { ObjectStore } from './store.js';

/** A pod beyond its object: the app it runs and what the kubelet knows about it. */
export interface PodState {
  obj: KObj;
  key: string;
  app: AppKind;
  env: Record<string, string>;
  pulls: PullOutcome[];
  phase: PodPhase;
  /** ns/name of the owning ReplicaSet */
  rsKey?: string;
  /** seeded with `kubernetes.greetings` (false for replacements: they start empty) */
  seedList: boolean;
  specKey: string;
  store?: GreetingStore;
  handler?: AppHandler;
  nodeIndex: number;
  podIP?: string;
  containerIds: string[];
  startTime: string;
  readyTime: string;
}

export interface ClusterState {
  readonly clusterName: string;
  readonly ids: Seeded;
  /** The moment the student's history ends (whole seconds): derived objects are dated before it. */
  readonly t0: Date;
  readonly now: () => Date;
  readonly externalIp: string;
  readonly replaceDelayMs: number;
  scenario: Scenario;
  readonly store: ObjectStore;
  /** Replaced on every derivation; readers look it up at call time, never keep it. */
  pods: Map<string, PodState>;
  /** One SQL Server per namespace, kept across reloads like a real database. */
  readonly sharedDbs: Map<string, GreetingStore>;
  readonly roundRobin: Map<string, number>;
  readonly timers: Set<NodeJS.Timeout>;
  usedIps: Set<string>;
  nodeNames: string[];
  /** Pods scheduled so far in this derivation: the next one goes to node `scheduled % nodes`. */
  scheduled: number;
  /** Replacement pods created so far: salts their names. */
  replacements: number;
}

/** A moment `minutes` before the student's history ends. */
export const ago = (w: ClusterState, minutes: number): string => iso(new Date(w.t0.getTime() - minutes * 60_000));

/** Cancels pending replacements (on reload and dispose). */
export function clearTimers(w: ClusterState): void {
  for (const t of w.timers) clearTimeout(t);
  w.timers.clear();
}
