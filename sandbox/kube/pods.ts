/**
 * Pods: creating one from a template (scheduled round-robin over the nodes, images pulled, app
 * started, events recorded) and rendering its status into the store.
 */
import { appKindOfImage } from '../app/greetings.js';
import { allocateIp } from './addresses.js';
import { startApp } from './apps.js';
import { addEvent, podEvents } from './events.js';
import { stableJson } from './ids.js';
import type { KObj, KPodTemplate } from './manifests.js';
import { containersOf, defaultPodSpec, iso, meta, ownerRef, podStatus } from './objects.js';
import { pullImage } from './pull.js';
import type { ClusterState, PodState } from './state.js';
import { objectKey } from './store.js';

export interface NewPod {
  namespace: string;
  name: string;
  template: KPodTemplate;
  owner?: KObj;
  annotations?: Record<string, string>;
  created: Date;
  seedList: boolean;
  started: boolean;
  /** The same pod from before a reload: it keeps its uid, node, IP, ages and list. */
  reuse?: PodState;
}

/** A ReplicaSet pod name no pod has yet (`<rs>-<5 chars>`), deterministic from the salt. */
export function freshPodName(w: ClusterState, ns: string, rsName: string, salt: string): string {
  for (let attempt = 0; ; attempt++) {
    const name = `${rsName}-${w.ids.suffix(`${ns}/${rsName}/${salt}/${attempt}`)}`;
    if (!w.pods.has(objectKey(ns, name))) return name;
  }
}

export function createPod(w: ClusterState, p: NewPod): PodState {
  const spec = defaultPodSpec(p.template.spec ?? {});
  const containers = spec.containers ?? [];
  const k = objectKey(p.namespace, p.name);
  const reuse = p.reuse;
  const nodeIndex = reuse?.nodeIndex ?? (w.nodeNames.length ? w.scheduled++ % w.nodeNames.length : -1);
  const created = reuse?.obj.metadata.creationTimestamp ?? iso(p.created);
  const startTime = reuse?.startTime ?? iso(new Date(p.created.getTime() + 1000));
  // A pod kept across a reload keeps what it pulled; one pulling now (a replacement, or a pending pod
  // a reload lets pull) gets each tag's newest push; the scenario's own pods pulled before any re-push.
  const specKey = stableJson(p.template.spec ?? {});
  const pulls =
    reuse && reuse.specKey === specKey && reuse.pulls.every((x) => x.ok)
      ? reuse.pulls
      : containers.map((c) => pullImage(String(c.image ?? ''), w.scenario.azure, w.clusterName, { latest: !p.started || reuse !== undefined }));
  const wasRunning = reuse?.handler !== undefined;
  const running = p.started && pulls.every((x) => x.ok);
  const labels = { ...(p.template.metadata?.labels ?? {}) };
  const obj: KObj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta({
      name: p.name,
      namespace: p.namespace,
      uid: reuse?.obj.metadata.uid ?? w.ids.uid(`Pod/${k}/${created}`),
      resourceVersion: w.store.nextRv(),
      creationTimestamp: created,
      generateName: p.owner ? `${p.owner.metadata.name}-` : undefined,
      labels,
      annotations: p.annotations,
      ownerReferences: p.owner ? [ownerRef('apps/v1', 'ReplicaSet', p.owner.metadata.name, p.owner.metadata.uid ?? '')] : undefined,
    }),
    spec: {
      ...spec,
      ...(nodeIndex >= 0 ? { nodeName: w.nodeNames[nodeIndex] } : {}),
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
  const state: PodState = {
    obj,
    key: k,
    app: appKindOfImage(String(containers[0]?.image ?? '')),
    env: Object.fromEntries((containers[0]?.env ?? []).flatMap((e) => (typeof e.value === 'string' ? [[e.name, e.value]] : []))),
    pulls,
    phase: nodeIndex < 0 ? 'unschedulable' : p.started ? 'started' : 'creating',
    rsKey: p.owner ? objectKey(p.namespace, p.owner.metadata.name) : undefined,
    seedList: reuse?.seedList ?? p.seedList,
    specKey,
    store: reuse?.store,
    nodeIndex,
    podIP: reuse?.podIP ?? (p.started && nodeIndex >= 0 ? allocateIp(w, nodeIndex) : undefined),
    containerIds: containers.map((c) => w.ids.hex(`container/${k}/${c.name}`, 64)),
    startTime,
    readyTime: running && !wasRunning && reuse ? iso(w.now()) : (reuse?.readyTime ?? iso(new Date(p.created.getTime() + 20_000))),
  };
  w.pods.set(k, state);
  startApp(w, state);
  renderPod(w, state);
  if (p.owner) addEvent(w, p.owner, 'SuccessfulCreate', `Created pod: ${p.name}`, 'Normal', created, 'replicaset-controller');
  podEvents(w, state, true);
  return state;
}

/** Writes the pod's status (from its phase and pulls) and stores it under a new resourceVersion. */
export function renderPod(w: ClusterState, p: PodState): void {
  const status = podStatus({
    phase: p.phase,
    containers: containersOf(p.obj),
    pulls: p.pulls,
    startTime: p.startTime,
    readyTime: p.readyTime,
    podIP: p.podIP,
    hostIP: p.nodeIndex >= 0 ? `10.224.0.${4 + p.nodeIndex}` : undefined,
    nodeCount: w.nodeNames.length,
    containerIds: p.containerIds,
  });
  if (p.nodeIndex < 0) delete status.hostIP;
  p.obj.status = status;
  p.obj.metadata.resourceVersion = w.store.nextRv();
  w.store.bucket('pods').set(p.key, p.obj);
}
