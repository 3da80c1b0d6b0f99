/**
 * The ReplicaSet controller, as far as the lab needs it: a deleted pod that a ReplicaSet owns is
 * replaced by a new one (new name, ContainerCreating, then Running after replaceDelayMs) whose
 * list starts empty, which is what the exercise asks students to observe.
 */
import { startApp } from './apps.js';
import { addEvent, podEvents } from './events.js';
import type { KObj } from './manifests.js';
import { containersOf, iso } from './objects.js';
import { createPod, freshPodName, renderPod } from './pods.js';
import type { ClusterState, PodState } from './state.js';
import { refreshStatus } from './status.js';
import { objectKey } from './store.js';

/** `kubectl delete pod`: returns the deleted pod as the API server does (with deletionTimestamp), or undefined. */
export function deletePod(w: ClusterState, namespace: string, name: string): KObj | undefined {
  const k = objectKey(namespace, name);
  const pod = w.pods.get(k);
  if (!pod) return undefined;
  const now = iso(w.now());
  w.pods.delete(k);
  w.store.bucket('pods').delete(k);
  if (pod.podIP) w.usedIps.delete(pod.podIP);
  for (const c of containersOf(pod.obj)) addEvent(w, pod.obj, 'Killing', `Stopping container ${c.name}`, 'Normal', now, 'kubelet', w.nodeNames[pod.nodeIndex], `spec.containers{${c.name}}`);
  const rs = pod.rsKey ? w.store.bucket('replicasets').get(pod.rsKey) : undefined;
  if (rs) {
    const replacement = createPod(w, {
      namespace,
      name: freshPodName(w, namespace, rs.metadata.name, `r${w.replacements++}`),
      template: rs.spec?.template ?? {},
      owner: rs,
      created: w.now(),
      seedList: false,
      started: false,
    });
    startLater(w, replacement);
  }
  refreshStatus(w);
  return { ...pod.obj, metadata: { ...pod.obj.metadata, deletionGracePeriodSeconds: 30, deletionTimestamp: iso(new Date(w.now().getTime() + 30_000)), resourceVersion: w.store.nextRv() } };
}

/** The replacement runs after replaceDelayMs, unless a reload or another deletion got there first. */
function startLater(w: ClusterState, replacement: PodState): void {
  const timer = setTimeout(() => {
    w.timers.delete(timer);
    if (w.pods.get(replacement.key) !== replacement) return;
    replacement.phase = 'started';
    replacement.readyTime = iso(w.now());
    startApp(w, replacement);
    renderPod(w, replacement);
    podEvents(w, replacement, false);
    refreshStatus(w);
  }, w.replaceDelayMs);
  // A pending replacement must not keep a finished test or CLI run alive.
  timer.unref();
  w.timers.add(timer);
}
