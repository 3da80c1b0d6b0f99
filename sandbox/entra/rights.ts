/**
 * What an identity of the simulated directory may do on a student's resources, decided the way Azure
 * decides it: from the scenario's role assignments (each built-in role's actions and data actions, at
 * the resource or its group) and, inside an Entra-integrated cluster, its ClusterRoleBindings.
 *
 * The grader's own identity holds what the class config's identity is given (README, "The grader's
 * own rights") until the scenario assigns it roles of its own (`assignee: grader`): then it holds
 * exactly those.
 */
import { graderIdentity } from '../arm/ids.js';
import { assigneeObjectId } from '../arm/resources.js';
import { grantsAction, grantsDataAction, pullRoles } from '../arm/roles.js';
import { GRADER, type ScenarioAzure, type ScenarioCluster, type ScenarioRegistry, type ScenarioRoleAssignment } from '../scenario.js';
import { READ_VERBS, type KubeAuthorizer, type KubeRequest } from '../kube/authorization.js';

/** Where the student's resources live: the subscription and the directory of the simulated lab. */
export interface Tenancy {
  subscriptionId: string;
  tenantId: string;
}

/** AKS's Azure RBAC webhook says this after the RBAC sentence of a 403. */
export const AZURE_RBAC_DENIED = 'User does not have access to the resource in Azure. Update role assignment to allow access.';

const CLUSTER_DATA = 'Microsoft.ContainerService/managedClusters';

/** Whether the scenario leaves the grader the rights it needs (it assigns the grader no role of its own). */
const graderHasDefaultRights = (azure: Pick<ScenarioAzure, 'roleAssignments'>): boolean => !azure.roleAssignments.some((a) => a.assignee === GRADER);

/** An assignment on the resource group covers every resource in it; one on a resource, that resource. */
const covers = (a: ScenarioRoleAssignment, resource: string): boolean => a.scope === 'resourceGroup' || a.scope === resource;

/** The roles `objectId` holds on one of the student's resources. */
function rolesOn(azure: ScenarioAzure, where: Tenancy, objectId: string, resource: string): Array<ScenarioRoleAssignment['role']> {
  return azure.roleAssignments.filter((a) => covers(a, resource) && assigneeObjectId(where.subscriptionId, azure, a.assignee, where.tenantId) === objectId).map((a) => a.role);
}

/** Whether `objectId` holds every right by default: the grader, while the scenario gives it no role of its own. */
const byDefault = (azure: ScenarioAzure, where: Tenancy, objectId: string): boolean => objectId === graderIdentity(where.tenantId).objectId && graderHasDefaultRights(azure);

/** Whether `objectId` may call an ARM action (e.g. `Microsoft.ContainerRegistry/registries/listCredentials/action`) on a resource of the student. */
export function mayCall(azure: ScenarioAzure, where: Tenancy, objectId: string, resource: string, action: string): boolean {
  return byDefault(azure, where, objectId) || rolesOn(azure, where, objectId, resource).some((role) => grantsAction(role, action));
}

/**
 * Whether `objectId` may read a registry's repositories: a pull role of the registry's mode (ABAC
 * registries count only the repository roles).
 */
function mayPull(azure: ScenarioAzure, where: Tenancy, registry: Pick<ScenarioRegistry, 'name' | 'roleAssignmentMode'>, objectId: string): boolean {
  if (byDefault(azure, where, objectId)) return true;
  const pulling = pullRoles(registry.roleAssignmentMode);
  return rolesOn(azure, where, objectId, registry.name).some((role) => pulling.has(role));
}

/** What a pull right lets a registry token carry for a repository. */
const REPOSITORY_READS = new Set(['pull', 'metadata_read']);

/**
 * Of the actions a registry token asks for, those `objectId` holds: repository reads with a pull
 * right, the catalog with a legacy pull role or, on an ABAC registry, the Catalog Lister role.
 */
export function registryActionsGranted(
  azure: ScenarioAzure,
  where: Tenancy,
  registry: Pick<ScenarioRegistry, 'name' | 'roleAssignmentMode'>,
  objectId: string,
  access: { type: string; name: string; actions: string[] },
): string[] {
  if (access.type === 'repository') return mayPull(azure, where, registry, objectId) ? access.actions.filter((a) => REPOSITORY_READS.has(a)) : [];
  if (access.type !== 'registry' || access.name !== 'catalog') return [];
  const lists =
    registry.roleAssignmentMode === 'AbacRepositoryPermissions'
      ? byDefault(azure, where, objectId) || rolesOn(azure, where, objectId, registry.name).includes('Container Registry Repository Catalog Lister')
      : mayPull(azure, where, registry, objectId);
  return lists ? access.actions : [];
}

/** The data action Azure RBAC checks for a Kubernetes request, e.g. `…/managedClusters/apps/deployments/read`. */
function kubernetesDataAction(request: KubeRequest): string {
  const resource = [request.group, request.resource].filter(Boolean).join('/');
  if (request.subresource) return `${CLUSTER_DATA}/${resource}/${request.subresource}/action`;
  return `${CLUSTER_DATA}/${resource}/${READ_VERBS.has(request.verb) ? 'read' : request.verb === 'delete' ? 'delete' : 'write'}`;
}

/**
 * Who may do what in an Entra-integrated cluster: the principals a ClusterRoleBinding names
 * (`kubernetesReaders`) may get, list and watch; with Azure RBAC, role assignments on the cluster or
 * its group decide too, and the grader by default reads everything.
 */
export function clusterAuthorizer(azure: ScenarioAzure, where: Tenancy, cluster: ScenarioCluster): KubeAuthorizer {
  const grader = graderIdentity(where.tenantId).objectId;
  const bound = new Set((cluster.kubernetesReaders ?? [GRADER]).map(() => grader));
  return (user, request) => {
    if (bound.has(user) && READ_VERBS.has(request.verb)) return { allowed: true };
    if (!cluster.azureRbac) return { allowed: false };
    if (byDefault(azure, where, user) && READ_VERBS.has(request.verb)) return { allowed: true };
    const action = kubernetesDataAction(request);
    if (rolesOn(azure, where, user, cluster.name).some((role) => grantsDataAction(role, action))) return { allowed: true };
    return { allowed: false, reason: AZURE_RBAC_DENIED };
  };
}
