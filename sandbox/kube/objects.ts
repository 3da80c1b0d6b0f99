/**
 * Pure builders for the Kubernetes JSON the world shows, shaped like real API servers' answers
 * (the captures checks/kube/readers.test.ts reads: field names, defaults, omitted zero values).
 */
import type { KCondition, KContainer, KContainerStatus, KEvent, KMeta, KObj, KOwnerReference, KSpec, KStatus } from './manifests.js';
import type { PullOutcome } from './pull.js';

export const KUBERNETES_VERSION = 'v1.30.6';

export interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: KOwnerReference[];
  generateName?: string;
  generation?: number;
}

/** Metadata as the API server stores it: what it always sets is there. */
export type StoredMeta = KMeta & { uid: string; resourceVersion: string; creationTimestamp: string };

/** Metadata in the order and shape the API server writes it (absent keys left out). */
export function meta(m: Meta): StoredMeta {
  return {
    ...(m.annotations && Object.keys(m.annotations).length ? { annotations: m.annotations } : {}),
    creationTimestamp: m.creationTimestamp,
    ...(m.generateName ? { generateName: m.generateName } : {}),
    ...(m.generation ? { generation: m.generation } : {}),
    ...(m.labels && Object.keys(m.labels).length ? { labels: m.labels } : {}),
    name: m.name,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.ownerReferences ? { ownerReferences: m.ownerReferences } : {}),
    resourceVersion: m.resourceVersion,
    uid: m.uid,
  };
}

export const ownerRef = (apiVersion: string, kind: string, name: string, uid: string): KOwnerReference => ({ apiVersion, blockOwnerDeletion: true, controller: true, kind, name, uid });

export const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Container defaults the API server fills in (imagePullPolicy, termination message, port protocol). */
function defaultContainer(c: KContainer): KContainer {
  const image = String(c.image ?? '');
  const out: KContainer = { ...c, imagePullPolicy: c.imagePullPolicy ?? (image.endsWith(':latest') || !/[:@][^/]+$/.test(image) ? 'Always' : 'IfNotPresent') };
  if (Array.isArray(c.ports)) out.ports = c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));
  out.resources = c.resources ?? {};
  out.terminationMessagePath = c.terminationMessagePath ?? '/dev/termination-log';
  out.terminationMessagePolicy = c.terminationMessagePolicy ?? 'File';
  return out;
}

export function defaultPodSpec(spec: KSpec): KSpec {
  return {
    ...spec,
    containers: (spec.containers ?? []).map(defaultContainer),
    dnsPolicy: spec.dnsPolicy ?? 'ClusterFirst',
    enableServiceLinks: spec.enableServiceLinks ?? true,
    restartPolicy: spec.restartPolicy ?? 'Always',
    schedulerName: spec.schedulerName ?? 'default-scheduler',
    securityContext: spec.securityContext ?? {},
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
  };
}

export type PodPhase = 'creating' | 'started' | 'unschedulable';

export interface PodStatusInput {
  phase: PodPhase;
  containers: KContainer[];
  pulls: PullOutcome[];
  startTime: string;
  readyTime: string;
  podIP?: string;
  hostIP?: string;
  nodeCount: number;
  /** stable per container: containerd ids */
  containerIds: string[];
}

const condition = (type: string, status: boolean, time: string, reason?: string, message?: string): KCondition => ({
  lastProbeTime: null,
  lastTransitionTime: time,
  ...(message ? { message } : {}),
  ...(reason ? { reason } : {}),
  status: status ? 'True' : 'False',
  type,
});

/** A pod's status: Running when every image pulled, else Pending with the kubelet's waiting reason. */
export function podStatus(s: PodStatusInput): KStatus {
  if (s.phase === 'unschedulable') {
    return {
      conditions: [condition('PodScheduled', false, s.startTime, 'Unschedulable', `0/${s.nodeCount} nodes are available: no nodes available to schedule pods.`)],
      phase: 'Pending',
      qosClass: 'BestEffort',
    };
  }
  const started = s.phase === 'started';
  const allPulled = started && s.pulls.every((p) => p.ok);
  const unready = s.containers.filter((_, i) => !(started && s.pulls[i].ok)).map((c) => c.name);
  const notReadyMsg = `containers with unready status: [${unready.join(' ')}]`;
  const containerStatuses = s.containers.map((c, i) => {
    const pull = s.pulls[i];
    const running = started && pull.ok;
    const state: NonNullable<KContainerStatus['state']> = running
      ? { running: { startedAt: s.readyTime } }
      : !started
        ? { waiting: { reason: 'ContainerCreating' } }
        : pull.ok
          ? { waiting: { reason: 'ContainerCreating' } }
          : { waiting: pull.reason === 'InvalidImageName' ? { message: pull.message, reason: 'InvalidImageName' } : { message: `Back-off pulling image "${c.image}"`, reason: 'ImagePullBackOff' } };
    return {
      ...(running ? { containerID: `containerd://${s.containerIds[i]}` } : {}),
      image: c.image,
      imageID: running && pull.ok ? pull.imageID : '',
      lastState: {},
      name: c.name,
      ready: running,
      restartCount: 0,
      started: running,
      state,
    };
  });
  return {
    conditions: [
      condition('PodReadyToStartContainers', started, s.readyTime),
      condition('Initialized', true, s.startTime),
      allPulled ? condition('Ready', true, s.readyTime) : condition('Ready', false, s.startTime, 'ContainersNotReady', notReadyMsg),
      allPulled ? condition('ContainersReady', true, s.readyTime) : condition('ContainersReady', false, s.startTime, 'ContainersNotReady', notReadyMsg),
      condition('PodScheduled', true, s.startTime),
    ],
    containerStatuses,
    hostIP: s.hostIP,
    hostIPs: [{ ip: s.hostIP }],
    phase: allPulled ? 'Running' : 'Pending',
    ...(s.podIP ? { podIP: s.podIP, podIPs: [{ ip: s.podIP }] } : {}),
    qosClass: 'BestEffort',
    startTime: s.startTime,
  };
}

/** A pod's (or pod template's) containers. */
export const containersOf = (o: { spec?: KSpec }): KContainer[] => o.spec?.containers ?? [];

export function isPodReady(pod: KObj): boolean {
  return pod.status?.phase === 'Running' && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export interface EventInput {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  involved: KObj;
  fieldPath?: string;
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  first: string;
  last: string;
  count: number;
  component: string;
  host?: string;
}

export function event(e: EventInput): KEvent {
  return {
    apiVersion: 'v1',
    count: e.count,
    eventTime: null,
    firstTimestamp: e.first,
    involvedObject: {
      apiVersion: e.involved.apiVersion,
      ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
      kind: e.involved.kind,
      name: e.involved.metadata.name,
      namespace: e.involved.metadata.namespace,
      resourceVersion: e.involved.metadata.resourceVersion,
      uid: e.involved.metadata.uid,
    },
    kind: 'Event',
    lastTimestamp: e.last,
    message: e.message,
    metadata: { creationTimestamp: e.first, name: e.name, namespace: e.namespace, resourceVersion: e.resourceVersion, uid: e.uid },
    reason: e.reason,
    reportingComponent: e.component,
    reportingInstance: e.host ?? '',
    source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
    type: e.type,
  };
}

export function nodeObject(m: KMeta, index: number, created: string, heartbeat: string): KObj {
  const name = m.name;
  const ip = `10.224.0.${4 + index}`;
  const cond = (type: string, status: string, reason: string, message: string): KCondition => ({ lastHeartbeatTime: heartbeat, lastTransitionTime: created, message, reason, status, type });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: m,
    spec: {
      podCIDR: `10.244.${index}.0/24`,
      podCIDRs: [`10.244.${index}.0/24`],
      providerID: `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_rg/providers/Microsoft.Compute/virtualMachineScaleSets/${name.slice(0, -6)}/virtualMachines/${index}`,
    },
    status: {
      addresses: [
        { address: ip, type: 'InternalIP' },
        { address: name, type: 'Hostname' },
      ],
      allocatable: { cpu: '1900m', 'ephemeral-storage': '119703055367', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '5944900Ki', pods: '110' },
      capacity: { cpu: '2', 'ephemeral-storage': '129886128Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '8140356Ki', pods: '110' },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: m.uid,
        containerRuntimeVersion: 'containerd://1.7.22-1',
        kernelVersion: '5.15.0-1073-azure',
        kubeProxyVersion: KUBERNETES_VERSION,
        kubeletVersion: KUBERNETES_VERSION,
        machineID: String(m.uid).replace(/-/g, ''),
        operatingSystem: 'linux',
        osImage: 'Ubuntu 22.04.5 LTS',
        systemUUID: m.uid,
      },
    },
  };
}
