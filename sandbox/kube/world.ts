/**
 * ClusterWorld: what one student's AKS cluster shows, derived from their scenario as the real
 * controllers would derive it (docs/scenarios.md, `kubernetes:`).
 * Objects are plain Kubernetes JSON; pods carry an in-process app (no sockets). Names, uids and
 * addresses are deterministic from the student, so repeated runs show identical objects.
 *
 * This class is only the public face: the store (store.ts), the derivation (derive/), the
 * ReplicaSet controller (controller.ts) and the network (network.ts) share one ClusterState.
 */
import type { AppHandler, PodNetwork } from '../app/http.js';
import type { Scenario } from '../scenario.js';
import { deletePod } from './controller.js';
import { deriveCluster } from './derive/index.js';
import { Seeded } from './ids.js';
import type { KObj } from './manifests.js';
import { externalHandler, podNetwork, podProxyTarget, type PodProxyTarget } from './network.js';
import { clearTimers, type ClusterState } from './state.js';
import { ObjectStore, type ListOptions } from './store.js';

export type { ListOptions } from './store.js';
export type { PodProxyTarget } from './network.js';

export interface ClusterWorldOptions {
  /** The public IP LoadBalancer Services get (unless the scenario says `loadBalancer: pending`). */
  externalIp: string;
  /** How long a replacement pod stays ContainerCreating before it runs (default 1000 ms). */
  replaceDelayMs?: number;
  /** The moment the student's history ends: objects are dated before it. Default: now. */
  startedAt?: Date;
  /** Clock for things that happen while the sandbox runs (deletions, replacements). */
  now?: () => Date;
}

export class ClusterWorld {
  readonly user: string;
  readonly clusterName: string;
  /** Applied documents the world does not model (kind/name or YAML errors): for diagnostics. */
  skipped: string[] = [];
  private readonly state: ClusterState;

  constructor(scenario: Scenario, opts: ClusterWorldOptions) {
    const cluster = scenario.kubernetes?.cluster ?? scenario.azure.clusters[0]?.name;
    if (!cluster) throw new Error(`scenario ${scenario.user} has no cluster`);
    this.user = scenario.user;
    this.clusterName = cluster;
    const now = opts.now ?? (() => new Date());
    this.state = {
      clusterName: cluster,
      ids: new Seeded(`${scenario.user}/${cluster}`),
      t0: new Date(Math.floor((opts.startedAt ?? now()).getTime() / 1000) * 1000),
      now,
      externalIp: opts.externalIp,
      replaceDelayMs: opts.replaceDelayMs ?? 1000,
      scenario,
      store: new ObjectStore(),
      pods: new Map(),
      sharedDbs: new Map(),
      roundRobin: new Map(),
      timers: new Set(),
      usedIps: new Set(),
      nodeNames: [],
      scheduled: 0,
      replacements: 0,
    };
    this.skipped = deriveCluster(this.state, new Map());
  }

  // ------------------------------------------------------------------ queries

  /** The latest resourceVersion: what a List's metadata carries. */
  get resourceVersion(): string {
    return this.state.store.resourceVersion;
  }

  /** Objects of one resource (plural), sorted like etcd keys. Live objects: serialise, do not mutate. */
  list(plural: string, namespace?: string, opts: ListOptions = {}): KObj[] {
    return this.state.store.list(plural, namespace, opts);
  }

  get(plural: string, namespace: string | undefined, name: string): KObj | undefined {
    return this.state.store.get(plural, namespace, name);
  }

  hasNamespace(name: string): boolean {
    return this.state.store.hasNamespace(name);
  }

  // ------------------------------------------------------------------ traffic

  /** Where the API server's pod proxy goes: the pod's app, if it runs and listens on that port. */
  podProxyTarget(namespace: string, name: string, port?: number): PodProxyTarget {
    return podProxyTarget(this.state, namespace, name, port);
  }

  /** A LoadBalancer Service answering on this public address: spreads requests over its ready pods. */
  externalHandler(host: string, port = 80): AppHandler | undefined {
    return externalHandler(this.state, host, port);
  }

  /** What a process in `namespace` reaches at host:port (cluster DNS names, Service IPs, pod IPs). */
  network(namespace: string): PodNetwork {
    return podNetwork(this.state, namespace);
  }

  /** Not API: the white-box test in ../app/front.test.ts reaches in here to wrap each pod's app. */
  private get pods(): ClusterState['pods'] {
    return this.state.pods;
  }

  // ------------------------------------------------------------------ writes

  /**
   * `kubectl delete pod`: the pod goes away; if a ReplicaSet owns it, the controller creates a
   * replacement (new name, ContainerCreating, then Running after replaceDelayMs) with an empty list.
   * Returns the deleted pod as the API server does (with deletionTimestamp), or undefined.
   */
  deletePod(namespace: string, name: string): KObj | undefined {
    return deletePod(this.state, namespace, name);
  }

  /** Derives the world again from a changed scenario; pods whose template did not change keep name and list. */
  reload(scenario: Scenario): void {
    this.state.scenario = scenario;
    clearTimers(this.state);
    this.skipped = deriveCluster(this.state, this.state.pods);
  }

  /** Stops the controller's timers. */
  dispose(): void {
    clearTimers(this.state);
  }
}
