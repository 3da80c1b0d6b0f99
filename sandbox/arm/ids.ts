/**
 * ARM resource ids and the deterministic GUIDs behind them. Casing follows what the real services
 * answer: ARM itself and ACR write `resourceGroups`, AKS writes `resourcegroups` (as in
 * AgentPoolsList.2025-10-01.json); clients must compare ids case-insensitively, and the sandbox makes
 * sure they have to.
 */
import { createHash } from 'node:crypto';

/** A GUID (version-4 shaped) from a hash of its parts: the same scenario gives the same ids every run. */
export function guidFrom(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const LOCATION = 'westeurope';

export const subscriptionPath = (sub: string): string => `/subscriptions/${sub}`;
export const resourceGroupId = (sub: string, rg: string): string => `/subscriptions/${sub}/resourceGroups/${rg}`;
export const clusterId = (sub: string, rg: string, name: string): string => `/subscriptions/${sub}/resourcegroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
export const registryId = (sub: string, rg: string, name: string): string => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${name}`;
export const roleDefinitionId = (sub: string, guid: string): string => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
/** AKS puts the nodes and the kubelet identity in a resource group of its own */
export const nodeResourceGroup = (rg: string, cluster: string): string => `MC_${rg}_${cluster}_${LOCATION}`;

export interface ClusterIdentity {
  /** application (client) id */
  clientId: string;
  /** object id of its service principal: what role assignments name as principalId */
  objectId: string;
  /** the user-assigned identity resource AKS shows as identityProfile.kubeletidentity */
  resourceId: string;
}

/**
 * The one principal that pulls images for a cluster. ARM shows it both as the cluster's service
 * principal (servicePrincipalProfile.clientId) and as its kubelet identity, so a grader that matches
 * role assignments on either finds the same object id.
 */
export function clusterIdentity(sub: string, rg: string, cluster: string): ClusterIdentity {
  return {
    clientId: guidFrom('client', sub, rg.toLowerCase(), cluster.toLowerCase()),
    objectId: guidFrom('object', sub, rg.toLowerCase(), cluster.toLowerCase()),
    resourceId: `/subscriptions/${sub}/resourcegroups/${nodeResourceGroup(rg, cluster)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${cluster}-agentpool`,
  };
}
