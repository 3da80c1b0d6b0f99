/** Events: what the controllers and the kubelet report about the objects they act on. */
import type { KObj } from './manifests.js';
import { containersOf, event, iso } from './objects.js';
import type { ClusterState, PodState } from './state.js';

/** Records one Event about `involved`; its name and uid follow from what it says, as the derivation must be repeatable. */
export function addEvent(
  w: ClusterState,
  involved: KObj,
  reason: string,
  message: string,
  type: 'Normal' | 'Warning',
  first: string,
  component: string,
  host?: string,
  fieldPath?: string,
  count = 1,
  last = first,
): void {
  const ns = involved.metadata.namespace ?? '';
  const id = `${involved.metadata.uid}/${reason}/${message}/${first}`;
  const name = `${involved.metadata.name}.${w.ids.hex(id, 16)}`;
  w.store.put(
    event({
      name,
      namespace: ns,
      uid: w.ids.uid(`event/${id}`),
      resourceVersion: w.store.nextRv(),
      involved,
      fieldPath,
      reason,
      message,
      type,
      first,
      last: last < first ? first : last,
      count,
      component,
      host,
    }),
  );
}

/** The kubelet's story of a pod: scheduled, pulled and started, or failing to pull. */
export function podEvents(w: ClusterState, p: PodState, scheduledNow: boolean): void {
  const pod = p.obj;
  const node = w.nodeNames[p.nodeIndex];
  const at = (ms: number): string => iso(new Date(Date.parse(p.startTime) + ms));
  if (p.phase === 'unschedulable') {
    addEvent(w, pod, 'FailedScheduling', pod.status?.conditions?.[0]?.message ?? '', 'Warning', p.startTime, 'default-scheduler');
    return;
  }
  if (scheduledNow) addEvent(w, pod, 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`, 'Normal', p.startTime, 'default-scheduler');
  if (p.phase === 'creating') return;
  containersOf(pod).forEach((c, i) => {
    const pull = p.pulls[i];
    const fieldPath = `spec.containers{${c.name}}`;
    // Repeated events (back-off loops) were last seen when the student's history ends.
    const ev = (reason: string, message: string, type: 'Normal' | 'Warning', time: string, count = 1): void =>
      addEvent(w, pod, reason, message, type, time, 'kubelet', node, fieldPath, count, count > 1 ? iso(w.t0) : time);
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
