/** Reading Services and Endpoints: ports, selectors, readiness, the LoadBalancer's address. */
import type { V1Endpoints, V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { selects } from './pods.js';

export interface PortMap {
  port: number;
  /** number, or the name of a container port */
  targetPort: number | string;
  protocol: string;
  nodePort?: number;
}

function servicePorts(svc: V1Service): PortMap[] {
  return (svc.spec?.ports ?? []).map((p: V1ServicePort) => ({
    port: p.port,
    // An omitted targetPort means "the same as port".
    targetPort: (p.targetPort as number | string | undefined) ?? p.port,
    protocol: p.protocol ?? 'TCP',
    ...(p.nodePort ? { nodePort: p.nodePort } : {}),
  }));
}

/** `80→8080/TCP, 443→https/TCP` */
export const portsText = (svc: V1Service) =>
  servicePorts(svc)
    .map((p) => `${p.port}→${p.targetPort}/${p.protocol}`)
    .join(', ') || 'no ports';

/** A named targetPort resolved against a pod's container ports. */
function resolveTarget(target: number | string, pod?: V1Pod): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod?.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  return undefined;
}

/** Whether the Service maps `port` to `targetPort` (named target ports resolved on `pod`). */
export function mapsPort(svc: V1Service, port: number, targetPort: number, pod?: V1Pod): boolean {
  return servicePorts(svc).some((p) => p.port === port && resolveTarget(p.targetPort, pod) === targetPort && p.protocol === 'TCP');
}

export const podsSelectedBy = (svc: V1Service, pods: readonly V1Pod[]) => pods.filter((p) => selects(svc.spec?.selector, p.metadata?.labels));

export interface EndpointsReadiness {
  /** "ip (pod name)" of ready addresses */
  ready: string[];
  notReady: string[];
}

export function endpointsReadiness(ep: V1Endpoints | undefined): EndpointsReadiness {
  const label = (a: { ip: string; targetRef?: { name?: string } }) => (a.targetRef?.name ? `${a.ip} (${a.targetRef.name})` : a.ip);
  const subsets = ep?.subsets ?? [];
  return {
    ready: subsets.flatMap((s) => (s.addresses ?? []).map(label)),
    notReady: subsets.flatMap((s) => (s.notReadyAddresses ?? []).map(label)),
  };
}

export type LoadBalancerAddress = { state: 'assigned'; ip?: string; hostname?: string; address: string } | { state: 'pending' } | { state: 'not-a-load-balancer'; type: string };

/** What `kubectl get svc` shows as EXTERNAL-IP for a LoadBalancer (`<pending>` until the cloud assigns one). */
export function loadBalancerAddress(svc: V1Service): LoadBalancerAddress {
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type !== 'LoadBalancer') return { state: 'not-a-load-balancer', type };
  const ing = (svc.status?.loadBalancer?.ingress ?? []).find((i) => i.ip || i.hostname);
  if (!ing) return { state: 'pending' };
  return { state: 'assigned', ...(ing.ip ? { ip: ing.ip } : {}), ...(ing.hostname ? { hostname: ing.hostname } : {}), address: (ing.ip ?? ing.hostname)! };
}

/** An http URL for an address and port (IPv6 bracketed, port 80 left out). */
export function httpUrl(address: string, port: number, path = '/'): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}${port === 80 ? '' : `:${port}`}${path}`;
}
