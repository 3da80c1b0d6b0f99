/**
 * Workloads: bare Pods and Deployments, with the ReplicaSet and pods the Deployment controller
 * creates for them. Pods from before a reload are reused when their template did not change.
 */
import { podTemplateHash, stableJson } from '../ids.js';
import type { KObj, Labels } from '../manifests.js';
import { addEvent } from '../events.js';
import { defaultPodSpec, meta, ownerRef } from '../objects.js';
import { createPod, freshPodName } from '../pods.js';
import type { ClusterState, PodState } from '../state.js';
import { objectKey } from '../store.js';
import { lastApplied, objMeta } from './applied.js';

export function applyPod(w: ClusterState, o: KObj, created: string, previous: Map<string, PodState>): void {
  const ns = o.metadata.namespace as string;
  const reuse = previous.get(objectKey(ns, o.metadata.name));
  const specKey = stableJson(o.spec ?? {});
  createPod(w, {
    namespace: ns,
    name: o.metadata.name,
    template: { metadata: { labels: o.metadata.labels }, spec: o.spec ?? {} },
    annotations: lastApplied(o),
    created: new Date(created),
    seedList: true,
    started: true,
    reuse: reuse && reuse.specKey === specKey && !reuse.rsKey ? reuse : undefined,
  });
}

/** The Deployment, its one ReplicaSet (revision 1) and `replicas` pods; `deletedPods` names Deployments whose first pod was already replaced once. */
export function applyDeployment(w: ClusterState, o: KObj, created: string, previous: Map<string, PodState>): void {
  const ns = o.metadata.namespace as string;
  const name = o.metadata.name as string;
  const spec = o.spec ?? {};
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const templateLabels = spec.template?.metadata?.labels ?? {};
  const hash = podTemplateHash(spec.template ?? {});
  const podSpec = defaultPodSpec(spec.template?.spec ?? {});
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objMeta(w, o, created, { generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1', ...lastApplied(o) } }),
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
  w.store.put(deployment);
  const rsName = `${name}-${hash}`;
  const rsLabels = { ...templateLabels, 'pod-template-hash': hash };
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta({
      name: rsName,
      namespace: ns,
      uid: w.ids.uid(`ReplicaSet/${ns}/${rsName}`),
      resourceVersion: w.store.nextRv(),
      creationTimestamp: created,
      generation: 1,
      labels: rsLabels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)),
        'deployment.kubernetes.io/revision': '1',
      },
      ownerReferences: [ownerRef('apps/v1', 'Deployment', name, deployment.metadata.uid)],
    }),
    spec: {
      replicas,
      selector: { matchLabels: { ...((spec.selector as { matchLabels?: Labels } | undefined)?.matchLabels ?? templateLabels), 'pod-template-hash': hash } },
      template: { metadata: { creationTimestamp: null, ...(spec.template?.metadata ?? {}), labels: rsLabels }, spec: podSpec },
    },
    status: {},
  };
  w.store.put(rs);
  addEvent(w, deployment, 'ScalingReplicaSet', `Scaled up replica set ${rsName} to ${replicas}`, 'Normal', created, 'deployment-controller');

  // Pods of this ReplicaSet from before a reload keep their names, lists and ages.
  const rsKey = objectKey(ns, rsName);
  const kept = [...previous.values()].filter((p) => p.rsKey === rsKey).sort((a, b) => (String(a.obj.metadata.creationTimestamp) < String(b.obj.metadata.creationTimestamp) ? -1 : 1));
  const deletedOnce = kept.length === 0 && (w.scenario.kubernetes?.deletedPods ?? []).includes(name);
  for (let i = 0; i < replicas; i++) {
    const reuse = kept[i];
    const replaced = deletedOnce && i === 0;
    createPod(w, {
      namespace: ns,
      name: reuse?.obj.metadata.name ?? freshPodName(w, ns, rsName, replaced ? `${i}-replaced` : String(i)),
      template: rs.spec.template,
      owner: rs,
      created: replaced ? new Date(w.t0.getTime() - 10 * 60_000) : new Date(created),
      seedList: !replaced,
      started: true,
      reuse,
    });
  }
}
