/**
 * The in-cluster network: Service routing, cluster DNS names, pod IPs, the external LoadBalancer
 * address and the API server's pod proxy. kube-proxy balances TCP connections, not requests: a
 * connection to a Service is bound to one ready pod when it is opened (round-robin), and every
 * request on it reaches that pod until the pod goes away, which resets the connection. Callers
 * decide how long a connection lives (the front: one per client socket; myapp: its keep-alive pool).
 */
import { Unreachable, type AppHandler, type PodNetwork } from '../app/http.js';
import { listenPortOf } from '../app/greetings.js';
import type { KObj, KPort, Labels } from './manifests.js';
import { containersOf, isPodReady } from './objects.js';
import { matchesMap } from './selectors.js';
import type { ClusterState, PodState } from './state.js';
import { objectKey } from './store.js';

export type PodProxyTarget = { kind: 'missing' } | { kind: 'unavailable'; message: string } | { kind: 'ok'; handler: AppHandler };

/** Where the API server's pod proxy goes: the pod's app, if it runs and listens on that port. */
export function podProxyTarget(w: ClusterState, namespace: string, name: string, port?: number): PodProxyTarget {
  const pod = w.pods.get(objectKey(namespace, name));
  if (!pod) return { kind: 'missing' };
  if (!pod.handler || !pod.podIP) return { kind: 'unavailable', message: `pod ${name} is not running` };
  const declared = containersOf(pod.obj).flatMap((c) => (c.ports ?? []).map((p) => Number(p.containerPort)));
  const target = port ?? declared[0] ?? listenPortOf(pod.app);
  if (target !== listenPortOf(pod.app)) return { kind: 'unavailable', message: `error trying to reach service: dial tcp ${pod.podIP}:${target}: connect: connection refused` };
  return { kind: 'ok', handler: pod.handler };
}

/** Opens a connection to the LoadBalancer Service answering on this public address, if any. */
export function externalHandler(w: ClusterState, host: string, port: number): AppHandler | undefined {
  for (const svc of w.store.list('services')) {
    const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip);
    if (svc.spec?.type === 'LoadBalancer' && ips.includes(host) && (svc.spec.ports ?? []).some((p) => p.port === port)) {
      return connectService(w, svc.metadata.namespace, svc.metadata.name, port);
    }
  }
  return undefined;
}

/** What a process in `namespace` reaches at host:port (cluster DNS names, Service IPs, pod IPs): each call opens a connection. */
export function podNetwork(w: ClusterState, namespace: string): PodNetwork {
  return (host, port) => {
    const pod = [...w.pods.values()].find((p) => p.podIP === host);
    if (pod) return connectPod(w, pod, port);
    const parts = host.split('.');
    const byIp = w.store.list('services').find((s) => s.spec?.clusterIP === host);
    const ns = parts.length >= 2 && parts[1] !== 'svc' ? parts[1] : namespace;
    const clusterLocal = parts.length === 1 || (parts.length === 2 && w.store.hasNamespace(parts[1])) || /^[^.]+\.[^.]+\.svc(\.cluster\.local)?$/.test(host);
    const svc = byIp ?? (clusterLocal ? w.store.get('services', ns, parts[0]) : undefined);
    if (!svc) throw new Unreachable(`${host}: Name or service not known`, 'java.net.UnknownHostException');
    return connectService(w, svc.metadata.namespace, svc.metadata.name, port);
  };
}

const refused = (target: string): Unreachable => new Unreachable(`connect to ${target} failed: Connection refused`, 'java.net.ConnectException');

/** A connection through a Service: bound to the next ready pod (round-robin) when opened. */
function connectService(w: ClusterState, namespace: string | undefined, name: string, port: number): AppHandler {
  const svc = w.store.get('services', namespace, name);
  const sp = (svc?.spec?.ports ?? []).find((p) => p.port === port);
  const ready = svc && sp ? podsSelectedBy(w, svc).filter((p) => isPodReady(p.obj)) : [];
  if (!svc || !sp || ready.length === 0) {
    return async () => {
      throw refused(`${name}:${port}`);
    };
  }
  const rrKey = objectKey(namespace, name);
  const n = w.roundRobin.get(rrKey) ?? 0;
  w.roundRobin.set(rrKey, n + 1);
  const pod = ready[n % ready.length];
  return connectPod(w, pod, targetPort(sp, pod));
}

/** A connection to one pod: refused if nothing listens there, reset once the pod is gone or stops. */
function connectPod(w: ClusterState, pod: PodState, port: number): AppHandler {
  const listening = pod.handler !== undefined && port === listenPortOf(pod.app);
  return async (req) => {
    if (!listening) throw refused(`${pod.podIP}:${port}`);
    if (w.pods.get(pod.key) !== pod || !pod.handler) throw new Unreachable(`Connection reset by ${pod.podIP}:${port}`, 'java.net.SocketException');
    return pod.handler(req);
  };
}

/** The container port a Service port reaches on this pod (a named targetPort resolves per pod; -1: none). */
export function targetPort(sp: KPort, pod: PodState): number {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  for (const c of containersOf(pod.obj)) for (const p of c.ports ?? []) if (p.name === tp) return Number(p.containerPort);
  return -1;
}

/** The pods a Service's selector picks, by name (the order round-robin goes). */
export function podsSelectedBy(w: ClusterState, svc: KObj): PodState[] {
  // A Service's selector is its labels themselves (not a matchLabels).
  const selector = svc.spec?.selector as Labels | undefined;
  if (!selector) return [];
  return [...w.pods.values()]
    .filter((p) => p.obj.metadata.namespace === svc.metadata.namespace && matchesMap(selector, p.obj.metadata.labels))
    .sort((a, b) => (a.obj.metadata.name < b.obj.metadata.name ? -1 : 1));
}
