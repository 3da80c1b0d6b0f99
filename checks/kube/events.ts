/** Events about an object, newest first, as `kubectl describe` lists them. */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { epochOf } from './time.js';

const lastSeen = (e: CoreV1Event) => epochOf(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp);

export function eventsFor(events: readonly CoreV1Event[], kind: string, name: string, uid?: string): CoreV1Event[] {
  return events
    .filter((e) => e.involvedObject?.kind === kind && e.involvedObject?.name === name && (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid))
    .sort((a, b) => lastSeen(b) - lastSeen(a));
}

export const eventsForPod = (events: readonly CoreV1Event[], pod: V1Pod) => eventsFor(events, 'Pod', pod.metadata?.name ?? '', pod.metadata?.uid);

/** `Warning Failed: Failed to pull image …` */
export const eventLine = (e: CoreV1Event) => `${e.type ?? 'Normal'} ${e.reason ?? ''}: ${e.message ?? ''}`.trim();
