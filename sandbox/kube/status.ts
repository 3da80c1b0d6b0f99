/** ReplicaSet, Deployment and Endpoints status follow the pods: recomputed after every change. */
import { stableJson } from './ids.js';
import type { KCondition } from './manifests.js';
import { isPodReady, meta } from './objects.js';
import { podsSelectedBy, targetPort } from './network.js';
import type { ClusterState, PodState } from './state.js';
import { objectKey } from './store.js';

export function refreshStatus(w: ClusterState): void {
  const podsOf = (rsKey: string): PodState[] => [...w.pods.values()].filter((p) => p.rsKey === rsKey);
  const nowMs = w.now().getTime();
  for (const rs of w.store.bucket('replicasets').values()) {
    const pods = podsOf(objectKey(rs.metadata.namespace, rs.metadata.name));
    const ready = pods.filter((p) => isPodReady(p.obj)).length;
    w.store.setStatus(rs, {
      ...(ready ? { availableReplicas: ready } : {}),
      fullyLabeledReplicas: pods.length,
      observedGeneration: 1,
      ...(ready ? { readyReplicas: ready } : {}),
      replicas: pods.length,
    });
  }
  for (const d of w.store.bucket('deployments').values()) {
    const rs = w.store.list('replicasets', d.metadata.namespace).find((r) => r.metadata.ownerReferences?.[0]?.uid === d.metadata.uid);
    const pods = rs ? podsOf(objectKey(rs.metadata.namespace, rs.metadata.name)) : [];
    const ready = pods.filter((p) => isPodReady(p.obj)).length;
    const want = d.spec?.replicas ?? 1;
    const created = String(d.metadata.creationTimestamp);
    const minAvailable = want - Math.floor(want / 4);
    const available = ready >= minAvailable;
    const progressed = ready >= want;
    const timedOut = !progressed && nowMs - Date.parse(created) > (d.spec?.progressDeadlineSeconds ?? 600) * 1000;
    const rsName = rs?.metadata.name ?? '';
    const cond = (type: string, status: boolean, reason: string, message: string): KCondition => ({
      lastTransitionTime: created,
      lastUpdateTime: created,
      message,
      reason,
      status: status ? 'True' : 'False',
      type,
    });
    w.store.setStatus(d, {
      ...(ready ? { availableReplicas: ready } : {}),
      conditions: [
        available
          ? cond('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : cond('Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
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
  for (const svc of w.store.bucket('services').values()) {
    if (!svc.spec?.selector) continue;
    const pods = podsSelectedBy(w, svc).filter((p) => p.podIP);
    const address = (p: PodState) => ({
      ip: p.podIP,
      nodeName: w.nodeNames[p.nodeIndex],
      targetRef: { kind: 'Pod', name: p.obj.metadata.name, namespace: p.obj.metadata.namespace, uid: p.obj.metadata.uid },
    });
    const ready = pods.filter((p) => isPodReady(p.obj)).map(address);
    const notReady = pods.filter((p) => !isPodReady(p.obj)).map(address);
    const ports = (svc.spec.ports ?? []).map((sp) => ({ ...(sp.name ? { name: sp.name } : {}), port: pods[0] ? targetPort(sp, pods[0]) : sp.targetPort, protocol: sp.protocol }));
    const subsets = ready.length || notReady.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }] : undefined;
    const k = objectKey(svc.metadata.namespace, svc.metadata.name);
    const existing = w.store.bucket('endpoints').get(k);
    // Unchanged Endpoints keep their resourceVersion (kubectl get -w shows no update).
    if (existing && stableJson(existing.subsets) === stableJson(subsets)) continue;
    w.store.put({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta({
        name: svc.metadata.name,
        namespace: svc.metadata.namespace,
        uid: w.ids.uid(`ep/${k}`),
        resourceVersion: w.store.nextRv(),
        creationTimestamp: String(svc.metadata.creationTimestamp),
        labels: svc.metadata.labels,
      }),
      ...(subsets ? { subsets } : {}),
    });
  }
}
