/**
 * The resources the simulated API server serves: one table drives discovery, routing and the world's
 * storage, so what `/api/v1` advertises is exactly what can be listed.
 */
export interface ResourceDef {
  plural: string;
  singular: string;
  kind: string;
  /** '' for the core group */
  group: '' | 'apps' | 'rbac.authorization.k8s.io';
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
}

const READ = ['get', 'list'];

export const RESOURCES: readonly ResourceDef[] = [
  { plural: 'pods', singular: 'pod', kind: 'Pod', group: '', namespaced: true, shortNames: ['po'], categories: ['all'], verbs: ['delete', 'get', 'list'] },
  { plural: 'services', singular: 'service', kind: 'Service', group: '', namespaced: true, shortNames: ['svc'], categories: ['all'], verbs: READ },
  { plural: 'endpoints', singular: 'endpoints', kind: 'Endpoints', group: '', namespaced: true, shortNames: ['ep'], verbs: READ },
  { plural: 'events', singular: 'event', kind: 'Event', group: '', namespaced: true, shortNames: ['ev'], verbs: READ },
  { plural: 'nodes', singular: 'node', kind: 'Node', group: '', namespaced: false, shortNames: ['no'], verbs: READ },
  { plural: 'namespaces', singular: 'namespace', kind: 'Namespace', group: '', namespaced: false, shortNames: ['ns'], verbs: READ },
  { plural: 'secrets', singular: 'secret', kind: 'Secret', group: '', namespaced: true, verbs: READ },
  { plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', group: '', namespaced: true, shortNames: ['cm'], verbs: READ },
  { plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', group: '', namespaced: true, shortNames: ['sa'], verbs: READ },
  { plural: 'deployments', singular: 'deployment', kind: 'Deployment', group: 'apps', namespaced: true, shortNames: ['deploy'], categories: ['all'], verbs: READ },
  { plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', group: 'apps', namespaced: true, shortNames: ['rs'], categories: ['all'], verbs: READ },
  { plural: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io', namespaced: false, verbs: READ },
];

export const GROUPS = ['apps', 'rbac.authorization.k8s.io'] as const;

export const apiVersionOf = (def: Pick<ResourceDef, 'group'>): string => (def.group ? `${def.group}/v1` : 'v1');

export function resourceByKind(kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.kind === kind);
}

export function resourceByPlural(group: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.plural === plural);
}
