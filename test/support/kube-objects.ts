/**
 * The lab's Kubernetes objects as the API server lists them, for the Kubernetes checks' snapshot tests:
 * a pod (Running and Ready, or waiting with the kubelet's reason), a Deployment selecting its pods by
 * `app`, the kubelet's Failed event.
 */
import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';

export interface PodState {
  /** The container waits with the kubelet's reason (`ImagePullBackOff`, `ContainerCreating`); default: running. */
  waiting?: { reason: string; message?: string };
  /** The digest the container runs (status.imageID). */
  digest?: string;
  /** Being deleted. */
  deleting?: boolean;
}

/** Pod `name` labelled `app=<app>`, its one container `app` running `image`. */
export function labPod(name: string, app: string, image: string, { waiting, digest, deleting }: PodState = {}): V1Pod {
  const status = { name: app, image, imageID: digest ? `${image.split(':')[0]}@${digest}` : '', restartCount: 0 };
  return {
    metadata: { name, namespace: 'default', labels: { app }, ...(deleting ? { deletionTimestamp: new Date('2024-05-01T10:00:00Z') } : {}) },
    spec: { containers: [{ name: app, image }] },
    status: waiting
      ? { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ ...status, ready: false, state: { waiting } }] }
      : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ ...status, ready: true, state: { running: {} } }] },
  };
}

/** Deployment `name` of `replicas` pods labelled `app=<name>`, its container `name` running `image` with `env`. */
export function labDeployment(name: string, image: string, { replicas = 1, env = {} }: { replicas?: number; env?: Record<string, string> } = {}): V1Deployment {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, env: Object.entries(env).map(([k, value]) => ({ name: k, value })) }] } },
    },
    status: { replicas, availableReplicas: replicas, readyReplicas: replicas },
  };
}

/** The kubelet's Warning Failed event about pod `pod`. */
export const failedEvent = (pod: string, message: string): CoreV1Event => ({
  metadata: { name: `${pod}.17c2a3b4` },
  involvedObject: { kind: 'Pod', name: pod, namespace: 'default' },
  reason: 'Failed',
  type: 'Warning',
  message,
  lastTimestamp: new Date('2024-05-01T10:00:00Z'),
});

/**
 * myapi's `GET /api/greetings` through the API server's pod proxy, per pod: the greetings it lists, or
 * the HTTP status the proxy answers with (a pod not listed: 404).
 */
export const podLists =
  (lists: Record<string, string[] | number>) =>
  async (_namespace: string, pod: string): Promise<{ status: number; body: string }> => {
    const list = lists[pod] ?? 404;
    if (typeof list === 'number') return { status: list, body: `pod ${pod}: ${list}` };
    return { status: 200, body: JSON.stringify(list.map((content, i) => ({ id: i + 1, content }))) };
  };
