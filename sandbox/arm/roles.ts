/** The built-in Azure roles a scenario can assign: fixed GUIDs, the same in every tenant. */
import type { ScenarioRegistry, ScenarioRoleAssignment } from '../scenario.js';

type RoleName = ScenarioRoleAssignment['role'];

export interface BuiltInRole {
  guid: string;
  description: string;
  actions: string[];
  dataActions: string[];
}

const REPOSITORY = 'Microsoft.ContainerRegistry/registries/repositories';
const CLUSTER = 'Microsoft.ContainerService/managedClusters';
/** What "Azure Kubernetes Service RBAC Reader" reads (no Secrets, no nodes, no role bindings, no subresources). */
const RBAC_READER_DATA = [
  'apps/controllerrevisions',
  'apps/daemonsets',
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
  'autoscaling/horizontalpodautoscalers',
  'batch/cronjobs',
  'batch/jobs',
  'configmaps',
  'discovery.k8s.io/endpointslices',
  'endpoints',
  'events.k8s.io/events',
  'events',
  'extensions/daemonsets',
  'extensions/deployments',
  'extensions/ingresses',
  'extensions/networkpolicies',
  'extensions/replicasets',
  'limitranges',
  'metrics.k8s.io/pods',
  'metrics.k8s.io/nodes',
  'namespaces',
  'networking.k8s.io/ingresses',
  'networking.k8s.io/networkpolicies',
  'persistentvolumeclaims',
  'pods',
  'policy/poddisruptionbudgets',
  'replicationcontrollers',
  'resourcequotas',
  'serviceaccounts',
  'services',
].map((r) => `${CLUSTER}/${r}/read`);
const SUBSCRIPTION_READS = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Resources/subscriptions/operationresults/read',
  'Microsoft.Resources/subscriptions/read',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
];

// GUIDs, descriptions and permissions as Azure's built-in roles reference lists them (the ACR
// repository roles are the "ABAC-enabled" ones: data actions only).
export const BUILT_IN_ROLES: Readonly<Record<RoleName, BuiltInRole>> = {
  Reader: { guid: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', description: 'View all resources, but does not allow you to make any changes.', actions: ['*/read'], dataActions: [] },
  AcrPull: { guid: '7f951dda-4ed3-4680-a7ca-43fe172d538d', description: 'acr pull', actions: ['Microsoft.ContainerRegistry/registries/pull/read'], dataActions: [] },
  AcrPush: {
    guid: '8311e382-0749-4cb8-b61a-304f252e45ec',
    description: 'acr push',
    actions: ['Microsoft.ContainerRegistry/registries/pull/read', 'Microsoft.ContainerRegistry/registries/push/write'],
    dataActions: [],
  },
  Contributor: {
    guid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    description: 'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.',
    actions: ['*'],
    dataActions: [],
  },
  Owner: {
    guid: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    description: 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
    actions: ['*'],
    dataActions: [],
  },
  'Container Registry Repository Reader': {
    guid: 'b93aa761-3e63-49ed-ac28-beffa264f7ac',
    description: 'Allows for read access to Azure Container Registry repositories, but excluding catalog listing.',
    actions: [],
    dataActions: [`${REPOSITORY}/content/read`, `${REPOSITORY}/metadata/read`],
  },
  'Container Registry Repository Writer': {
    guid: '2a1e307c-b015-4ebd-883e-5b7698a07328',
    description: 'Allows for read and write access to Azure Container Registry repositories, but excluding catalog listing.',
    actions: [],
    dataActions: [`${REPOSITORY}/content/read`, `${REPOSITORY}/metadata/read`, `${REPOSITORY}/content/write`, `${REPOSITORY}/metadata/write`],
  },
  'Container Registry Repository Contributor': {
    guid: '2efddaa5-3f1f-4df3-97df-af3f13818f4c',
    description: 'Allows for read, write, and delete access to Azure Container Registry repositories, but excluding catalog listing.',
    actions: [],
    dataActions: [
      `${REPOSITORY}/content/read`,
      `${REPOSITORY}/metadata/read`,
      `${REPOSITORY}/content/write`,
      `${REPOSITORY}/metadata/write`,
      `${REPOSITORY}/content/delete`,
      `${REPOSITORY}/metadata/delete`,
    ],
  },
  'Container Registry Repository Catalog Lister': {
    guid: 'bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7',
    description: 'Allows for listing all repositories in an Azure Container Registry.',
    actions: [],
    dataActions: ['Microsoft.ContainerRegistry/registries/catalog/read'],
  },
  'Azure Kubernetes Service Cluster User Role': {
    guid: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
    description: 'List cluster user credential action.',
    actions: [`${CLUSTER}/listClusterUserCredential/action`, `${CLUSTER}/read`],
    dataActions: [],
  },
  'Azure Kubernetes Service RBAC Reader': {
    guid: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
    description:
      'Allows read-only access to see most objects in a namespace. It does not allow viewing roles or role bindings. This role does not allow viewing Secrets, since reading the contents of Secrets enables access to ServiceAccount credentials in the namespace, which would allow API access as any ServiceAccount in the namespace (a form of privilege escalation). Applying this role at cluster scope will give access across all namespaces.',
    actions: SUBSCRIPTION_READS,
    dataActions: RBAC_READER_DATA,
  },
  'Azure Kubernetes Service RBAC Cluster Admin': {
    guid: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
    description: 'Lets you manage all resources in the cluster.',
    actions: [...SUBSCRIPTION_READS, `${CLUSTER}/listClusterUserCredential/action`],
    dataActions: [`${CLUSTER}/*`],
  },
};

const BY_GUID = new Map(Object.entries(BUILT_IN_ROLES).map(([name, r]) => [r.guid, name as RoleName]));

export const roleByGuid = (guid: string): RoleName | undefined => BY_GUID.get(guid.toLowerCase());

/**
 * The roles that let an identity pull from a registry. In ABAC mode ("RBAC Registry + ABAC Repository
 * Permissions") ACR honours only the repository roles: AcrPull/AcrPush are ignored and Owner,
 * Contributor and Reader keep control-plane rights only. In the legacy mode the repository roles'
 * data actions are not what ACR checks, so only the classic roles pull (stricter than unsure).
 */
const LEGACY_PULL: ReadonlySet<RoleName> = new Set(['Reader', 'AcrPull', 'AcrPush', 'Contributor', 'Owner']);
const ABAC_PULL: ReadonlySet<RoleName> = new Set(['Container Registry Repository Reader', 'Container Registry Repository Writer', 'Container Registry Repository Contributor']);

export function pullRoles(mode: ScenarioRegistry['roleAssignmentMode']): ReadonlySet<RoleName> {
  return mode === 'AbacRepositoryPermissions' ? ABAC_PULL : LEGACY_PULL;
}

/** Whether a role's permission list (actions or data actions, `*` wildcards) grants `action`. */
function grants(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) =>
    new RegExp(
      `^${p
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
        .join('.*')}$`,
      'i',
    ).test(action),
  );
}

/** Whether a role lets its holder call an ARM action (`Contributor`'s `*` is no data action). */
export const grantsAction = (role: RoleName, action: string): boolean => grants(BUILT_IN_ROLES[role].actions, action);

/** Whether a role lets its holder perform a data action (a Kubernetes request, a repository read). */
export const grantsDataAction = (role: RoleName, dataAction: string): boolean => grants(BUILT_IN_ROLES[role].dataActions, dataAction);
