/** Services as the service controller and the cloud provider make them: a ClusterIP, node ports, the LoadBalancer's public IP. */
import type { KObj } from '../manifests.js';
import type { ClusterState } from '../state.js';
import { objMeta } from './applied.js';

/** The ClusterIP and node ports are deterministic per Service; `loadBalancer: pending` leaves the ingress empty. */
export function applyService(w: ClusterState, o: KObj, created: string): void {
  const ns = o.metadata.namespace;
  const name = o.metadata.name;
  const spec = o.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const n = w.ids.int(`clusterip/${ns}/${name}`, 65_000) + 10;
  const clusterIP = `10.0.${n >> 8}.${n & 255}`;
  const isLb = type === 'LoadBalancer';
  const ports = (spec.ports ?? []).map((p, i) => ({
    ...p,
    ...(isLb || type === 'NodePort' ? { nodePort: p.nodePort ?? 30000 + w.ids.int(`nodeport/${ns}/${name}/${i}`, 2768) } : {}),
    protocol: p.protocol ?? 'TCP',
    targetPort: p.targetPort ?? p.port,
  }));
  const pending = w.scenario.kubernetes?.loadBalancer === 'pending';
  w.store.put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objMeta(w, o, created),
    spec: {
      ...(isLb ? { allocateLoadBalancerNodePorts: true } : {}),
      ...spec,
      clusterIP,
      clusterIPs: [clusterIP],
      ...(isLb ? { externalTrafficPolicy: spec.externalTrafficPolicy ?? 'Cluster' } : {}),
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports,
      sessionAffinity: spec.sessionAffinity ?? 'None',
      type,
    },
    status: { loadBalancer: isLb && !pending ? { ingress: [{ ip: w.externalIp, ipMode: 'VIP' }] } : {} },
  });
}
