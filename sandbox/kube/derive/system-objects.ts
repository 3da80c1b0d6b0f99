/** What every AKS cluster has before the student does anything: nodes, namespaces with their default ServiceAccount, the API server's Service. */
import type { ClusterState } from '../state.js';
import { iso, meta, nodeObject } from '../objects.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** The node pool (`aks-nodepool1-<8 digits>-vmss00000N`, as many as the cluster's nodeCount). */
export function putNodes(w: ClusterState, created: string): void {
  const cluster = w.scenario.azure.clusters.find((c) => c.name === w.clusterName);
  const pool = String(w.ids.int('nodepool', 100_000_000)).padStart(8, '0');
  w.nodeNames = Array.from({ length: cluster?.nodeCount ?? 3 }, (_, i) => `aks-nodepool1-${pool}-vmss${i.toString(36).padStart(6, '0')}`);
  w.nodeNames.forEach((name, i) => {
    const m = meta({ name, uid: w.ids.uid(`node/${name}`), resourceVersion: w.store.nextRv(), creationTimestamp: created, labels: nodeLabels(w, name) });
    w.store.put(nodeObject(m, i, created, iso(w.t0)));
  });
}

function nodeLabels(w: ClusterState, name: string): Record<string, string> {
  return {
    agentpool: 'nodepool1',
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': 'Standard_DS2_v2',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.azure.com/agentpool': 'nodepool1',
    'kubernetes.azure.com/cluster': `MC_${w.scenario.azure.resourceGroup}_${w.clusterName}_westeurope`,
    'kubernetes.azure.com/mode': 'system',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'Standard_DS2_v2',
    'topology.kubernetes.io/region': 'westeurope',
    'topology.kubernetes.io/zone': '0',
  };
}

/** Each namespace with its default ServiceAccount; the system ones are as old as the cluster. */
export function putNamespaces(w: ClusterState, namespaces: Iterable<string>, clusterCreated: string, appliedAt: string): void {
  for (const ns of [...namespaces].sort()) {
    w.store.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta({
        name: ns,
        uid: w.ids.uid(`ns/${ns}`),
        resourceVersion: w.store.nextRv(),
        creationTimestamp: SYSTEM_NAMESPACES.includes(ns) ? clusterCreated : appliedAt,
        labels: { 'kubernetes.io/metadata.name': ns },
      }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    w.store.put({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta({ name: 'default', namespace: ns, uid: w.ids.uid(`sa/${ns}/default`), resourceVersion: w.store.nextRv(), creationTimestamp: clusterCreated }),
    });
  }
}

/** The `kubernetes` Service and Endpoints, and the cluster-admin binding. */
export function putSystemObjects(w: ClusterState, created: string): void {
  w.store.put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta({
      name: 'kubernetes',
      namespace: 'default',
      uid: w.ids.uid('svc/default/kubernetes'),
      resourceVersion: w.store.nextRv(),
      creationTimestamp: created,
      labels: { component: 'apiserver', provider: 'kubernetes' },
    }),
    spec: {
      clusterIP: '10.0.0.1',
      clusterIPs: ['10.0.0.1'],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  });
  w.store.put({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta({
      name: 'kubernetes',
      namespace: 'default',
      uid: w.ids.uid('ep/default/kubernetes'),
      resourceVersion: w.store.nextRv(),
      creationTimestamp: created,
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    }),
    subsets: [{ addresses: [{ ip: '10.224.0.250' }], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }],
  });
  w.store.put({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta({
      name: 'cluster-admin',
      uid: w.ids.uid('crb/cluster-admin'),
      resourceVersion: w.store.nextRv(),
      creationTimestamp: created,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    }),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
  });
}
