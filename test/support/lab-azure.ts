/**
 * labuser07's Azure for the checks' tests: the lab's cluster and registry as the ARM probe reads them,
 * the facts Exercises 3 and 4 hand on, and a stand-in ARM probe that lists what it is given.
 */
import type { Discovery } from '../../probes/azure/choose-cluster.js';
import type { AzureProbe, ManagedClusterFacts, RegistryFacts, RoleAssignmentFacts } from '../../probes/types.js';
import { REGISTRY } from './kube-scenarios.js';

const GROUP_ID = '/subscriptions/s/resourceGroups/labuser07-rg';
export const LOGIN_SERVER = `${REGISTRY}.azurecr.io`;
/** The object id of the cluster's kubelet identity (the one that pulls). */
export const KUBELET_ID = '6f1c1a52-0000-4000-8000-000000000007';

export const LAB_REGISTRY: RegistryFacts = {
  id: `${GROUP_ID}/providers/Microsoft.ContainerRegistry/registries/${REGISTRY}`,
  name: REGISTRY,
  loginServer: LOGIN_SERVER,
  sku: 'Basic',
  adminUserEnabled: true,
};

export const LAB_CLUSTER: ManagedClusterFacts = {
  id: `${GROUP_ID}/providers/Microsoft.ContainerService/managedClusters/aks07`,
  name: 'aks07',
  provisioningState: 'Succeeded',
  powerState: 'Running',
  agentPools: [{ name: 'nodepool1', count: 3 }],
  identity: 'managed',
  servicePrincipalClientId: 'msi',
  pullIdentityObjectIds: [KUBELET_ID],
};

/** What a discovering check hands on when it found just `chosen`. */
export const discovered = <T extends { name: string }>(chosen: T): Discovery<T> => ({ chosen, candidates: [chosen.name], reason: 'the only one in the resource group' });

/** `role` on the lab's registry for the cluster's kubelet identity. */
export const pullRole = (roleName: string, scope = LAB_REGISTRY.id): RoleAssignmentFacts => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/1`,
  scope,
  principalId: KUBELET_ID,
  principalType: 'ServicePrincipal',
  roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/7f951dda',
  roleName,
});

export interface AzureStandIn {
  groupExists?: boolean;
  clusters?: ManagedClusterFacts[];
  registries?: RegistryFacts[];
  roleAssignments?: RoleAssignmentFacts[];
}

/** An ARM probe listing what it is given (by default nothing, in a resource group that exists). */
export function standInAzure({ groupExists = true, clusters = [], registries = [], roleAssignments = [] }: AzureStandIn = {}): AzureProbe {
  const refused = async (): Promise<never> => {
    throw new Error('not read by these checks');
  };
  return {
    subscriptionId: 's',
    resourceGroup: async () => ({ name: 'labuser07-rg', exists: groupExists }),
    managedClusters: async () => clusters,
    registries: async () => registries,
    roleAssignments: async () => roleAssignments,
    registryCredentials: refused,
    clusterUserKubeconfig: refused,
  };
}
