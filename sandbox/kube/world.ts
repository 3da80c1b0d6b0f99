/**
 * ClusterWorld: what one student's AKS cluster shows, derived from their scenario as the real
 * controllers would derive it (../shared/docs/sandbox.md "The world follows from what the student did").
 * Objects are plain Kubernetes JSON; pods carry an in-process app (no sockets). Names, uids and
 * addresses are deterministic from the student, so repeated runs show identical objects.
 */
import { Unreachable, type AppHandler, type PodNetwork } from '../app/http.js';
import { GreetingStore, appKindOfImage, createMyApi, createMyApp, createNginx, createNotFound, listenPortOf, type AppKind } from '../app/greetings.js';
import type { Scenario } from '../scenario.js';
import { helm2ConfigMapData, helm2ReleaseProto, helm3ReleaseJson, helm3SecretData } from './helm.js';
import { Seeded, podTemplateHash, stableJson } from './ids.js';
import { parseManifests, type KObj } from './manifests.js';
import { defaultPodSpec, event, isPodReady, iso, meta, nodeObject, ownerRef, podStatus, type PodPhase } from './objects.js';
import { pullImage, type PullOutcome } from './pull.js';
import { apiVersionOf, resourceByKind } from './resources.js';
import { matchesMap, parseFieldSelector, parseLabelSelector } from './selectors.js';

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

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export type PodProxyTarget =
  | { kind: 'missing' }
  | { kind: 'unavailable'; message: string }
  | { kind: 'ok'; handler: AppHandler };

interface PodState {
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

const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
const TILLER_IMAGE = 'gcr.io/kubernetes-helm/tiller:v2.16.12';
const key = (ns: string | undefined, name: string): string => (ns ? `${ns}/${name}` : name);

export class ClusterWorld {
  readonly user: string;
  readonly clusterName: string;
  /** Applied documents the world does not model (kind/name or YAML errors): for diagnostics. */
  skipped: string[] = [];
  private scenario: Scenario;
  private readonly ids: Seeded;
  private readonly t0: Date;
  private readonly now: () => Date;
  private readonly replaceDelayMs: number;
  private rv = 10_000;
  private replacements = 0;
  private objects = new Map<string, Map<string, KObj>>();
  private pods = new Map<string, PodState>();
  private sharedDbs = new Map<string, GreetingStore>();
  private roundRobin = new Map<string, number>();
  private timers = new Set<NodeJS.Timeout>();
  private usedIps = new Set<string>();
  private nodeNames: string[] = [];
  private scheduled = 0;

  constructor(
    scenario: Scenario,
    private readonly opts: ClusterWorldOptions,
  ) {
    const cluster = scenario.kubernetes?.cluster ?? scenario.azure.clusters[0]?.name;
    if (!cluster) throw new Error(`scenario ${scenario.user} has no cluster`);
    this.user = scenario.user;
    this.clusterName = cluster;
    this.scenario = scenario;
    this.ids = new Seeded(`${scenario.user}/${cluster}`);
    this.now = opts.now ?? (() => new Date());
    this.t0 = new Date(Math.floor((opts.startedAt ?? this.now()).getTime() / 1000) * 1000);
    this.replaceDelayMs = opts.replaceDelayMs ?? 1000;
    this.derive(new Map());
  }

  // ------------------------------------------------------------------ queries

  /** The latest resourceVersion: what a List's metadata carries. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Objects of one resource (plural), sorted like etcd keys. Live objects: serialise, do not mutate. */
  list(plural: string, namespace?: string, opts: ListOptions = {}): KObj[] {
    const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : undefined;
    const out: KObj[] = [];
    for (const obj of this.bucket(plural).values()) {
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      if (labels && !labels(obj.metadata.labels)) continue;
      if (fields && !fields(obj)) continue;
      out.push(obj);
    }
    return out.sort((a, b) => (key(a.metadata.namespace, a.metadata.name) < key(b.metadata.namespace, b.metadata.name) ? -1 : 1));
  }

  get(plural: string, namespace: string | undefined, name: string): KObj | undefined {
    return this.bucket(plural).get(key(namespace, name));
  }

  hasNamespace(name: string): boolean {
    return this.bucket('namespaces').has(name);
  }

  // ------------------------------------------------------------------ traffic

  /** Where the API server's pod proxy goes: the pod's app, if it runs and listens on that port. */
  podProxyTarget(namespace: string, name: string, port?: number): PodProxyTarget {
    const pod = this.pods.get(key(namespace, name));
    if (!pod) return { kind: 'missing' };
    if (!pod.handler || !pod.podIP) return { kind: 'unavailable', message: `pod ${name} is not running` };
    const declared = (pod.obj.spec.containers as KObj[]).flatMap((c) => (c.ports ?? []).map((p: KObj) => Number(p.containerPort)));
    const target = port ?? declared[0] ?? listenPortOf(pod.app);
    if (target !== listenPortOf(pod.app)) return { kind: 'unavailable', message: `error trying to reach service: dial tcp ${pod.podIP}:${target}: connect: connection refused` };
    return { kind: 'ok', handler: pod.handler };
  }

  /** A LoadBalancer Service answering on this public address: spreads requests over its ready pods. */
  externalHandler(host: string, port = 80): AppHandler | undefined {
    for (const svc of this.list('services')) {
      const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i: KObj) => i.ip);
      if (svc.spec.type === 'LoadBalancer' && ips.includes(host) && (svc.spec.ports ?? []).some((p: KObj) => p.port === port)) {
        return this.serviceRouter(svc.metadata.namespace, svc.metadata.name, port);
      }
    }
    return undefined;
  }

  /** What a process in `namespace` reaches at host:port (cluster DNS names, Service IPs, pod IPs). */
  network(namespace: string): PodNetwork {
    return (host, port) => {
      const pod = [...this.pods.values()].find((p) => p.podIP === host);
      if (pod) return (req) => this.callPod(pod, port, req);
      const parts = host.split('.');
      const byIp = this.list('services').find((s) => s.spec.clusterIP === host);
      const ns = parts.length >= 2 && parts[1] !== 'svc' ? parts[1] : namespace;
      const clusterLocal = parts.length === 1 || (parts.length === 2 && this.hasNamespace(parts[1])) || /^[^.]+\.[^.]+\.svc(\.cluster\.local)?$/.test(host);
      const svc = byIp ?? (clusterLocal ? this.get('services', ns, parts[0]) : undefined);
      if (!svc) throw new Unreachable(`${host}: Name or service not known`, 'java.net.UnknownHostException');
      return this.serviceRouter(svc.metadata.namespace, svc.metadata.name, port);
    };
  }

  /** One pod per request, round-robin over the Service's ready pods, looked up at request time. */
  private serviceRouter(namespace: string, name: string, port: number): AppHandler {
    return async (req) => {
      const svc = this.get('services', namespace, name);
      const sp = (svc?.spec.ports ?? []).find((p: KObj) => p.port === port);
      const ready = svc && sp ? this.podsSelectedBy(svc).filter((p) => isPodReady(p.obj)) : [];
      if (!svc || !sp || ready.length === 0) throw new Unreachable(`connect to ${name}:${port} failed: Connection refused`, 'java.net.ConnectException');
      const rrKey = key(namespace, name);
      const n = this.roundRobin.get(rrKey) ?? 0;
      this.roundRobin.set(rrKey, n + 1);
      const pod = ready[n % ready.length];
      return this.callPod(pod, this.targetPort(sp, pod), req);
    };
  }

  private async callPod(pod: PodState, port: number, req: Parameters<AppHandler>[0]): ReturnType<AppHandler> {
    if (!pod.handler || port !== listenPortOf(pod.app)) throw new Unreachable(`connect to ${pod.podIP}:${port} failed: Connection refused`, 'java.net.ConnectException');
    return pod.handler(req);
  }

  private targetPort(sp: KObj, pod: PodState): number {
    const tp = sp.targetPort ?? sp.port;
    if (typeof tp === 'number') return tp;
    for (const c of pod.obj.spec.containers as KObj[]) for (const p of c.ports ?? []) if (p.name === tp) return Number(p.containerPort);
    return -1;
  }

  private podsSelectedBy(svc: KObj): PodState[] {
    const selector = svc.spec.selector as Record<string, string> | undefined;
    if (!selector) return [];
    return [...this.pods.values()]
      .filter((p) => p.obj.metadata.namespace === svc.metadata.namespace && matchesMap(selector, p.obj.metadata.labels))
      .sort((a, b) => (a.obj.metadata.name < b.obj.metadata.name ? -1 : 1));
  }

  // ------------------------------------------------------------------ writes

  /**
   * `kubectl delete pod`: the pod goes away; if a ReplicaSet owns it, the controller creates a
   * replacement (new name, ContainerCreating, then Running after replaceDelayMs) with an empty list.
   * Returns the deleted pod as the API server does (with deletionTimestamp), or undefined.
   */
  deletePod(namespace: string, name: string): KObj | undefined {
    const k = key(namespace, name);
    const pod = this.pods.get(k);
    if (!pod) return undefined;
    const now = iso(this.now());
    this.pods.delete(k);
    this.bucket('pods').delete(k);
    if (pod.podIP) this.usedIps.delete(pod.podIP);
    for (const c of pod.obj.spec.containers as KObj[]) this.addEvent(pod.obj, 'Killing', `Stopping container ${c.name}`, 'Normal', now, 'kubelet', this.nodeNames[pod.nodeIndex], `spec.containers{${c.name}}`);
    const rs = pod.rsKey ? this.bucket('replicasets').get(pod.rsKey) : undefined;
    if (rs) {
      const replacement = this.createPod({
        namespace,
        name: this.freshPodName(namespace, rs.metadata.name, `r${this.replacements++}`),
        template: rs.spec.template,
        owner: rs,
        created: this.now(),
        seedList: false,
        started: false,
      });
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.pods.get(replacement.key) !== replacement) return;
        replacement.phase = 'started';
        replacement.readyTime = iso(this.now());
        this.startApp(replacement);
        this.renderPod(replacement);
        this.podEvents(replacement, false);
        this.refreshDerived();
      }, this.replaceDelayMs);
      timer.unref();
      this.timers.add(timer);
    }
    this.refreshDerived();
    return { ...pod.obj, metadata: { ...pod.obj.metadata, deletionGracePeriodSeconds: 30, deletionTimestamp: iso(new Date(this.now().getTime() + 30_000)), resourceVersion: this.nextRv() } };
  }

  /** Derives the world again from a changed scenario; pods whose template did not change keep name and list. */
  reload(scenario: Scenario): void {
    this.scenario = scenario;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const previous = this.pods;
    this.derive(previous);
  }

  /** Stops the controller's timers. */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ------------------------------------------------------------------ derivation

  private derive(previous: Map<string, PodState>): void {
    const s = this.scenario;
    const k8s = s.kubernetes;
    this.objects = new Map();
    this.pods = new Map();
    this.usedIps = new Set([...previous.values()].flatMap((p) => (p.podIP ? [p.podIP] : [])));
    this.scheduled = 0;
    this.skipped = [];
    const clusterCreated = this.ago(180);
    const appliedAt = this.ago(30);

    const cluster = s.azure.clusters.find((c) => c.name === this.clusterName);
    const pool = String(this.ids.int('nodepool', 100_000_000)).padStart(8, '0');
    this.nodeNames = Array.from({ length: cluster?.nodeCount ?? 3 }, (_, i) => `aks-nodepool1-${pool}-vmss${i.toString(36).padStart(6, '0')}`);
    this.nodeNames.forEach((name, i) => {
      const m = meta({ name, uid: this.ids.uid(`node/${name}`), resourceVersion: this.nextRv(), creationTimestamp: clusterCreated, labels: this.nodeLabels(name) });
      this.put(nodeObject(m, i, clusterCreated, iso(this.t0)));
    });

    const parsed = parseManifests(k8s?.apply ?? '');
    this.skipped = parsed.skipped;
    // kubectl apply of the same object twice: the last one wins.
    const applied = new Map<string, KObj>();
    for (const o of parsed.objects) {
      const ns = o.kind === 'Namespace' || o.kind === 'ClusterRoleBinding' ? undefined : (o.metadata.namespace ?? 'default');
      applied.set(`${o.kind}/${key(ns, o.metadata.name)}`, { ...o, metadata: { ...o.metadata, ...(ns ? { namespace: ns } : {}) } });
    }
    const helm = k8s?.helm ?? [];
    const tiller = helm.some((r) => r.helm === 2 && r.tiller);
    if (tiller) for (const o of this.tillerObjects()) applied.set(`${o.kind}/${key(o.metadata.namespace, o.metadata.name)}`, o);

    const namespaces = new Set(SYSTEM_NAMESPACES);
    for (const o of applied.values()) if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
    for (const o of applied.values()) if (o.kind === 'Namespace') namespaces.add(o.metadata.name);
    for (const ns of [...namespaces].sort()) {
      this.put({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: meta({ name: ns, uid: this.ids.uid(`ns/${ns}`), resourceVersion: this.nextRv(), creationTimestamp: SYSTEM_NAMESPACES.includes(ns) ? clusterCreated : appliedAt, labels: { 'kubernetes.io/metadata.name': ns } }),
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
      this.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta({ name: 'default', namespace: ns, uid: this.ids.uid(`sa/${ns}/default`), resourceVersion: this.nextRv(), creationTimestamp: clusterCreated }) });
    }
    this.systemObjects(clusterCreated);

    // Services and plain objects first: whether myapi pods share a database depends on Service db.
    for (const o of applied.values()) {
      if (o.kind === 'Service') this.applyService(o, appliedAt);
      else if (o.kind !== 'Pod' && o.kind !== 'Deployment' && o.kind !== 'Namespace') this.applyPlain(o, appliedAt);
    }
    for (const o of applied.values()) {
      if (o.kind === 'Pod') this.applyPod(o, appliedAt, previous);
      if (o.kind === 'Deployment') this.applyDeployment(o, o.metadata.namespace === 'kube-system' ? this.ago(120) : appliedAt, previous);
    }
    for (const release of helm) this.applyHelmRecord(release, k8s?.apply ?? '');
    this.refreshDerived();
  }

  private nodeLabels(name: string): Record<string, string> {
    return {
      agentpool: 'nodepool1',
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/instance-type': 'Standard_DS2_v2',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.azure.com/agentpool': 'nodepool1',
      'kubernetes.azure.com/cluster': `MC_${this.scenario.azure.resourceGroup}_${this.clusterName}_westeurope`,
      'kubernetes.azure.com/mode': 'system',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'Standard_DS2_v2',
      'topology.kubernetes.io/region': 'westeurope',
      'topology.kubernetes.io/zone': '0',
    };
  }

  /** What every AKS cluster has before the student does anything. */
  private systemObjects(created: string): void {
    this.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta({ name: 'kubernetes', namespace: 'default', uid: this.ids.uid('svc/default/kubernetes'), resourceVersion: this.nextRv(), creationTimestamp: created, labels: { component: 'apiserver', provider: 'kubernetes' } }),
      spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }], sessionAffinity: 'None', type: 'ClusterIP' },
      status: { loadBalancer: {} },
    });
    this.put({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta({ name: 'kubernetes', namespace: 'default', uid: this.ids.uid('ep/default/kubernetes'), resourceVersion: this.nextRv(), creationTimestamp: created, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }),
      subsets: [{ addresses: [{ ip: '10.224.0.250' }], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }],
    });
    this.put({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta({ name: 'cluster-admin', uid: this.ids.uid('crb/cluster-admin'), resourceVersion: this.nextRv(), creationTimestamp: created, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
    });
  }

  /** `kubectl create serviceaccount tiller`, the cluster-admin binding, and `helm init`'s Deployment. */
  private tillerObjects(): KObj[] {
    const labels = { app: 'helm', name: 'tiller' };
    return [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'tiller', namespace: 'kube-system' } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'tiller' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'tiller', namespace: 'kube-system' }],
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'tiller-deploy', namespace: 'kube-system', labels },
        spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'tiller', port: 44134, targetPort: 'tiller' }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'tiller-deploy', namespace: 'kube-system', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: true,
              serviceAccountName: 'tiller',
              containers: [
                {
                  name: 'tiller',
                  image: TILLER_IMAGE,
                  env: [{ name: 'TILLER_NAMESPACE', value: 'kube-system' }, { name: 'TILLER_HISTORY_MAX', value: '0' }],
                  ports: [{ containerPort: 44134, name: 'tiller' }, { containerPort: 44135, name: 'http' }],
                },
              ],
            },
          },
        },
      },
    ];
  }

  private lastApplied(o: KObj): Record<string, string> {
    const { annotations, ...rest } = o.metadata;
    const configuration = stableJson({ ...o, metadata: { ...rest, annotations: {} } }) + '\n';
    return { ...(annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': configuration };
  }

  private objMeta(o: KObj, created: string, extra: Partial<Parameters<typeof meta>[0]> = {}): KObj {
    const ns = o.metadata.namespace as string | undefined;
    return meta({
      name: o.metadata.name,
      namespace: ns,
      uid: this.ids.uid(`${o.kind}/${key(ns, o.metadata.name)}`),
      resourceVersion: this.nextRv(),
      creationTimestamp: created,
      labels: o.metadata.labels,
      annotations: this.lastApplied(o),
      ...extra,
    });
  }

  private applyPlain(o: KObj, created: string): void {
    const def = resourceByKind(o.kind);
    if (!def) return;
    this.put({ ...o, apiVersion: apiVersionOf(def), metadata: this.objMeta(o, created) });
  }

  private applyService(o: KObj, created: string): void {
    const ns = o.metadata.namespace as string;
    const name = o.metadata.name as string;
    const spec = o.spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    const n = this.ids.int(`clusterip/${ns}/${name}`, 65_000) + 10;
    const clusterIP = `10.0.${n >> 8}.${n & 255}`;
    const isLb = type === 'LoadBalancer';
    const ports = (spec.ports ?? []).map((p: KObj, i: number) => ({
      ...p,
      ...(isLb || type === 'NodePort' ? { nodePort: p.nodePort ?? 30000 + this.ids.int(`nodeport/${ns}/${name}/${i}`, 2768) } : {}),
      protocol: p.protocol ?? 'TCP',
      targetPort: p.targetPort ?? p.port,
    }));
    const pending = this.scenario.kubernetes?.loadBalancer === 'pending';
    this.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: this.objMeta(o, created),
      spec: {
        ...(isLb ? { allocateLoadBalancerNodePorts: true } : {}),
        ...spec,
        clusterIP,
        clusterIPs: [clusterIP],
        ...(isLb ? { externalTrafficPolicy: spec.externalTrafficPolicy ?? 'Cluster' } : {}),
        internalTrafficPolicy: 'Cluster',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports,
        sessionAffinity: spec.sessionAffinity ?? 'None',
        type,
      },
      status: { loadBalancer: isLb && !pending ? { ingress: [{ ip: this.opts.externalIp, ipMode: 'VIP' }] } : {} },
    });
  }

  private applyPod(o: KObj, created: string, previous: Map<string, PodState>): void {
    const ns = o.metadata.namespace as string;
    const reuse = previous.get(key(ns, o.metadata.name));
    const specKey = stableJson(o.spec ?? {});
    this.createPod({
      namespace: ns,
      name: o.metadata.name,
      template: { metadata: { labels: o.metadata.labels }, spec: o.spec ?? {} },
      annotations: this.lastApplied(o),
      created: new Date(created),
      seedList: true,
      started: true,
      reuse: reuse && reuse.specKey === specKey && !reuse.rsKey ? reuse : undefined,
    });
  }

  private applyDeployment(o: KObj, created: string, previous: Map<string, PodState>): void {
    const ns = o.metadata.namespace as string;
    const name = o.metadata.name as string;
    const spec = o.spec ?? {};
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const templateLabels = (spec.template?.metadata?.labels ?? {}) as Record<string, string>;
    const hash = podTemplateHash(spec.template ?? {});
    const podSpec = defaultPodSpec(spec.template?.spec ?? {});
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: this.objMeta(o, created, { generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1', ...this.lastApplied(o) } }),
      spec: {
        progressDeadlineSeconds: spec.progressDeadlineSeconds ?? 600,
        replicas,
        revisionHistoryLimit: spec.revisionHistoryLimit ?? 10,
        selector: spec.selector ?? { matchLabels: templateLabels },
        strategy: spec.strategy ?? { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
        template: { metadata: { creationTimestamp: null, ...(spec.template?.metadata ?? {}) }, spec: podSpec },
      },
      status: {},
    };
    this.put(deployment);
    const rsName = `${name}-${hash}`;
    const rsLabels = { ...templateLabels, 'pod-template-hash': hash };
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta({
        name: rsName,
        namespace: ns,
        uid: this.ids.uid(`ReplicaSet/${ns}/${rsName}`),
        resourceVersion: this.nextRv(),
        creationTimestamp: created,
        generation: 1,
        labels: rsLabels,
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)), 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [ownerRef('apps/v1', 'Deployment', name, deployment.metadata.uid)],
      }),
      spec: {
        replicas,
        selector: { matchLabels: { ...(spec.selector?.matchLabels ?? templateLabels), 'pod-template-hash': hash } },
        template: { metadata: { creationTimestamp: null, ...(spec.template?.metadata ?? {}), labels: rsLabels }, spec: podSpec },
      },
      status: {},
    };
    this.put(rs);
    this.addEvent(deployment, 'ScalingReplicaSet', `Scaled up replica set ${rsName} to ${replicas}`, 'Normal', created, 'deployment-controller');

    // Pods of this ReplicaSet from before a reload keep their names, lists and ages.
    const rsKey = key(ns, rsName);
    const kept = [...previous.values()].filter((p) => p.rsKey === rsKey).sort((a, b) => (a.obj.metadata.creationTimestamp < b.obj.metadata.creationTimestamp ? -1 : 1));
    const deletedOnce = kept.length === 0 && (this.scenario.kubernetes?.deletedPods ?? []).includes(name);
    for (let i = 0; i < replicas; i++) {
      const reuse = kept[i];
      const replaced = deletedOnce && i === 0;
      this.createPod({
        namespace: ns,
        name: reuse?.obj.metadata.name ?? this.freshPodName(ns, rsName, replaced ? `${i}-replaced` : String(i)),
        template: rs.spec.template,
        owner: rs,
        created: replaced ? new Date(this.t0.getTime() - 10 * 60_000) : new Date(created),
        seedList: !replaced,
        started: true,
        reuse,
      });
    }
  }

  private freshPodName(ns: string, rsName: string, salt: string): string {
    for (let attempt = 0; ; attempt++) {
      const name = `${rsName}-${this.ids.suffix(`${ns}/${rsName}/${salt}/${attempt}`)}`;
      if (!this.pods.has(key(ns, name))) return name;
    }
  }

  private createPod(p: {
    namespace: string;
    name: string;
    template: KObj;
    owner?: KObj;
    annotations?: Record<string, string>;
    created: Date;
    seedList: boolean;
    started: boolean;
    reuse?: PodState;
  }): PodState {
    const spec = defaultPodSpec(p.template.spec ?? {});
    const containers = spec.containers as KObj[];
    const k = key(p.namespace, p.name);
    const reuse = p.reuse;
    const nodeIndex = reuse?.nodeIndex ?? (this.nodeNames.length ? this.scheduled++ % this.nodeNames.length : -1);
    const created = reuse?.obj.metadata.creationTimestamp ?? iso(p.created);
    const startTime = reuse?.startTime ?? iso(new Date(p.created.getTime() + 1000));
    const pulls = containers.map((c) => pullImage(String(c.image ?? ''), this.scenario.azure, this.clusterName));
    const wasRunning = reuse?.handler !== undefined;
    const running = p.started && pulls.every((x) => x.ok);
    const state: PodState = {
      obj: {},
      key: k,
      app: appKindOfImage(String(containers[0]?.image ?? '')),
      env: Object.fromEntries(((containers[0]?.env ?? []) as KObj[]).filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value])),
      pulls,
      phase: nodeIndex < 0 ? 'unschedulable' : p.started ? 'started' : 'creating',
      rsKey: p.owner ? key(p.namespace, p.owner.metadata.name) : undefined,
      seedList: reuse?.seedList ?? p.seedList,
      specKey: stableJson(p.template.spec ?? {}),
      store: reuse?.store,
      nodeIndex,
      podIP: reuse?.podIP ?? (p.started && nodeIndex >= 0 ? this.allocateIp(nodeIndex) : undefined),
      containerIds: containers.map((c) => this.ids.hex(`container/${k}/${c.name}`, 64)),
      startTime,
      readyTime: running && !wasRunning && reuse ? iso(this.now()) : (reuse?.readyTime ?? iso(new Date(p.created.getTime() + 20_000))),
    };
    const labels = { ...(p.template.metadata?.labels ?? {}) };
    state.obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta({
        name: p.name,
        namespace: p.namespace,
        uid: reuse?.obj.metadata.uid ?? this.ids.uid(`Pod/${k}/${created}`),
        resourceVersion: this.nextRv(),
        creationTimestamp: created,
        generateName: p.owner ? `${p.owner.metadata.name}-` : undefined,
        labels,
        annotations: p.annotations,
        ownerReferences: p.owner ? [ownerRef('apps/v1', 'ReplicaSet', p.owner.metadata.name, p.owner.metadata.uid)] : undefined,
      }),
      spec: {
        ...spec,
        nodeName: nodeIndex >= 0 ? this.nodeNames[nodeIndex] : undefined,
        preemptionPolicy: 'PreemptLowerPriority',
        priority: 0,
        serviceAccount: spec.serviceAccountName ?? 'default',
        serviceAccountName: spec.serviceAccountName ?? 'default',
        tolerations: [
          { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
          { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
        ],
      },
      status: {},
    };
    if (nodeIndex < 0) delete state.obj.spec.nodeName;
    this.pods.set(k, state);
    this.startApp(state);
    this.renderPod(state);
    if (p.owner) this.addEvent(p.owner, 'SuccessfulCreate', `Created pod: ${p.name}`, 'Normal', created, 'replicaset-controller');
    this.podEvents(state, true);
    return state;
  }

  private allocateIp(nodeIndex: number): string {
    for (let host = 5; ; host++) {
      const ip = `10.244.${nodeIndex}.${host}`;
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
  }

  /** Gives a running pod its program (and myapi its list: own H2, or the shared SQL Server). */
  private startApp(p: PodState): void {
    p.handler = undefined;
    if (p.phase !== 'started' || !p.pulls.every((x) => x.ok)) return;
    p.podIP ??= this.allocateIp(p.nodeIndex);
    const ns = p.obj.metadata.namespace as string;
    const seed = p.seedList ? (this.scenario.kubernetes?.greetings ?? []) : [];
    switch (p.app) {
      case 'myapi': {
        const sharesDb = p.env.SPRING_DATASOURCE_URL !== undefined && this.get('services', ns, 'db') !== undefined;
        let store = p.store;
        if (sharesDb) {
          store = this.sharedDbs.get(ns);
          if (!store) this.sharedDbs.set(ns, (store = new GreetingStore(this.scenario.kubernetes?.greetings ?? [])));
        } else if (!store || this.sharedDbs.get(ns) === store) store = new GreetingStore(seed);
        p.store = store;
        p.handler = createMyApi({ store });
        break;
      }
      case 'myapp':
        p.handler = createMyApp({ env: p.env, net: this.network(ns) });
        break;
      case 'nginx':
        p.handler = createNginx();
        break;
      default:
        p.handler = createNotFound();
    }
  }

  private renderPod(p: PodState): void {
    p.obj.status = podStatus({
      phase: p.phase,
      containers: p.obj.spec.containers,
      pulls: p.pulls,
      startTime: p.startTime,
      readyTime: p.readyTime,
      podIP: p.podIP,
      hostIP: p.nodeIndex >= 0 ? `10.224.0.${4 + p.nodeIndex}` : undefined,
      nodeCount: this.nodeNames.length,
      containerIds: p.containerIds,
    });
    if (p.nodeIndex < 0) delete p.obj.status.hostIP;
    p.obj.metadata.resourceVersion = this.nextRv();
    this.bucket('pods').set(p.key, p.obj);
  }

  /** The kubelet's story of a pod: scheduled, pulled and started, or failing to pull. */
  private podEvents(p: PodState, scheduledNow: boolean): void {
    const pod = p.obj;
    const node = this.nodeNames[p.nodeIndex];
    const at = (ms: number): string => iso(new Date(Date.parse(p.startTime) + ms));
    if (p.phase === 'unschedulable') {
      this.addEvent(pod, 'FailedScheduling', pod.status.conditions[0].message, 'Warning', p.startTime, 'default-scheduler');
      return;
    }
    if (scheduledNow) this.addEvent(pod, 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`, 'Normal', p.startTime, 'default-scheduler');
    if (p.phase === 'creating') return;
    (pod.spec.containers as KObj[]).forEach((c, i) => {
      const pull = p.pulls[i];
      const fieldPath = `spec.containers{${c.name}}`;
      const ev = (reason: string, message: string, type: 'Normal' | 'Warning', time: string, count = 1): void =>
        this.addEvent(pod, reason, message, type, time, 'kubelet', node, fieldPath, count, count > 1 ? iso(this.t0) : time);
      if (pull.ok) {
        ev('Pulling', `Pulling image "${c.image}"`, 'Normal', at(1000));
        ev('Pulled', `Successfully pulled image "${c.image}" in 14.212s (14.212s including waiting). Image size: 112731290 bytes.`, 'Normal', p.readyTime);
        ev('Created', `Created container ${c.name}`, 'Normal', p.readyTime);
        ev('Started', `Started container ${c.name}`, 'Normal', p.readyTime);
      } else if (pull.reason === 'InvalidImageName') {
        ev(pull.eventReason, pull.message, 'Warning', at(1000), 12);
        ev('Failed', 'Error: InvalidImageName', 'Warning', at(1000), 12);
      } else {
        ev('Pulling', `Pulling image "${c.image}"`, 'Normal', at(1000), 4);
        ev(pull.eventReason, pull.message, 'Warning', at(2000), 4);
        ev('Failed', 'Error: ErrImagePull', 'Warning', at(2000), 4);
        ev('BackOff', `Back-off pulling image "${c.image}"`, 'Normal', at(3000), 60);
        ev('Failed', 'Error: ImagePullBackOff', 'Warning', at(3000), 60);
      }
    });
  }

  private addEvent(involved: KObj, reason: string, message: string, type: 'Normal' | 'Warning', first: string, component: string, host?: string, fieldPath?: string, count = 1, last = first): void {
    const ns = involved.metadata.namespace as string;
    const id = `${involved.metadata.uid}/${reason}/${message}/${first}`;
    const name = `${involved.metadata.name}.${this.ids.hex(id, 16)}`;
    this.put(
      event({ name, namespace: ns, uid: this.ids.uid(`event/${id}`), resourceVersion: this.nextRv(), involved, fieldPath, reason, message, type, first, last: last < first ? first : last, count, component, host }),
    );
  }

  private applyHelmRecord(release: NonNullable<Scenario['kubernetes']>['helm'][number], manifest: string): void {
    const deployedAt = this.ago(30);
    if (release.helm === 3) {
      const ns = 'default';
      const name = `sh.helm.release.v1.${release.name}.v1`;
      this.put({
        apiVersion: 'v1',
        data: { release: helm3SecretData(helm3ReleaseJson(release, ns, deployedAt, manifest)) },
        kind: 'Secret',
        metadata: meta({ name, namespace: ns, uid: this.ids.uid(`secret/${ns}/${name}`), resourceVersion: this.nextRv(), creationTimestamp: deployedAt, labels: { modifiedAt: String(Date.parse(deployedAt) / 1000), name: release.name, owner: 'helm', status: release.status, version: '1' } }),
        type: 'helm.sh/release.v1',
      });
      return;
    }
    const name = `${release.name}.v1`;
    this.put({
      apiVersion: 'v1',
      data: { release: helm2ConfigMapData(helm2ReleaseProto(release, 'default', deployedAt, manifest)) },
      kind: 'ConfigMap',
      metadata: meta({ name, namespace: 'kube-system', uid: this.ids.uid(`cm/kube-system/${name}`), resourceVersion: this.nextRv(), creationTimestamp: deployedAt, labels: { NAME: release.name, OWNER: 'TILLER', STATUS: release.status.toUpperCase(), VERSION: '1' } }),
    });
  }

  /** ReplicaSet, Deployment and Endpoints status follow the pods (recomputed after every change). */
  private refreshDerived(): void {
    const podsOf = (rsKey: string): PodState[] => [...this.pods.values()].filter((p) => p.rsKey === rsKey);
    const nowMs = this.now().getTime();
    for (const rs of this.bucket('replicasets').values()) {
      const pods = podsOf(key(rs.metadata.namespace, rs.metadata.name));
      const ready = pods.filter((p) => isPodReady(p.obj)).length;
      this.setStatus(rs, { ...(ready ? { availableReplicas: ready } : {}), fullyLabeledReplicas: pods.length, observedGeneration: 1, ...(ready ? { readyReplicas: ready } : {}), replicas: pods.length });
    }
    for (const d of this.bucket('deployments').values()) {
      const rs = this.list('replicasets', d.metadata.namespace).find((r) => r.metadata.ownerReferences?.[0]?.uid === d.metadata.uid);
      const pods = rs ? podsOf(key(rs.metadata.namespace, rs.metadata.name)) : [];
      const ready = pods.filter((p) => isPodReady(p.obj)).length;
      const want = d.spec.replicas as number;
      const created = d.metadata.creationTimestamp as string;
      const minAvailable = want - Math.floor(want / 4);
      const available = ready >= minAvailable;
      const progressed = ready >= want;
      const timedOut = !progressed && nowMs - Date.parse(created) > (d.spec.progressDeadlineSeconds ?? 600) * 1000;
      const rsName = rs?.metadata.name ?? '';
      const cond = (type: string, status: boolean, reason: string, message: string): KObj => ({ lastTransitionTime: created, lastUpdateTime: created, message, reason, status: status ? 'True' : 'False', type });
      this.setStatus(d, {
        ...(ready ? { availableReplicas: ready } : {}),
        conditions: [
          available ? cond('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.') : cond('Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
          progressed
            ? cond('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`)
            : timedOut
              ? cond('Progressing', false, 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`)
              : cond('Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`),
        ],
        observedGeneration: 1,
        ...(ready ? { readyReplicas: ready } : {}),
        replicas: pods.length,
        ...(pods.length - ready > 0 ? { unavailableReplicas: pods.length - ready } : {}),
        updatedReplicas: pods.length,
      });
    }
    for (const svc of this.bucket('services').values()) {
      if (!svc.spec.selector) continue;
      const pods = this.podsSelectedBy(svc).filter((p) => p.podIP);
      const address = (p: PodState): KObj => ({ ip: p.podIP, nodeName: this.nodeNames[p.nodeIndex], targetRef: { kind: 'Pod', name: p.obj.metadata.name, namespace: p.obj.metadata.namespace, uid: p.obj.metadata.uid } });
      const ready = pods.filter((p) => isPodReady(p.obj)).map(address);
      const notReady = pods.filter((p) => !isPodReady(p.obj)).map(address);
      const ports = (svc.spec.ports as KObj[]).map((sp) => ({ ...(sp.name ? { name: sp.name } : {}), port: pods[0] ? this.targetPort(sp, pods[0]) : sp.targetPort, protocol: sp.protocol }));
      const subsets = ready.length || notReady.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }] : undefined;
      const k = key(svc.metadata.namespace, svc.metadata.name);
      const existing = this.bucket('endpoints').get(k);
      if (existing && stableJson(existing.subsets) === stableJson(subsets)) continue;
      this.put({
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: meta({ name: svc.metadata.name, namespace: svc.metadata.namespace, uid: this.ids.uid(`ep/${k}`), resourceVersion: this.nextRv(), creationTimestamp: svc.metadata.creationTimestamp, labels: svc.metadata.labels }),
        ...(subsets ? { subsets } : {}),
      });
    }
  }

  private setStatus(obj: KObj, status: KObj): void {
    if (stableJson(obj.status) === stableJson(status)) return;
    obj.status = status;
    obj.metadata.resourceVersion = this.nextRv();
  }

  // ------------------------------------------------------------------ storage

  private bucket(plural: string): Map<string, KObj> {
    let b = this.objects.get(plural);
    if (!b) this.objects.set(plural, (b = new Map()));
    return b;
  }

  private put(obj: KObj): void {
    const def = resourceByKind(obj.kind);
    if (!def) throw new Error(`the world does not store ${obj.kind}`);
    this.bucket(def.plural).set(key(def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name), obj);
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  private ago(minutes: number): string {
    return iso(new Date(this.t0.getTime() - minutes * 60_000));
  }
}

