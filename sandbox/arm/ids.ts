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

export const resourceGroupId = (sub: string, rg: string): string => `/subscriptions/${sub}/resourceGroups/${rg}`;
export const clusterId = (sub: string, rg: string, name: string): string => `/subscriptions/${sub}/resourcegroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
export const registryId = (sub: string, rg: string, name: string): string => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${name}`;
export const roleDefinitionId = (sub: string, guid: string): string => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
/** AKS puts the nodes and the kubelet identity in a resource group of its own */
export const nodeResourceGroup = (rg: string, cluster: string): string => `MC_${rg}_${cluster}_${LOCATION}`;

/** The managed identities of an AKS cluster created with `--enable-managed-identity` (the default). */
export interface ManagedClusterIdentities {
  kind: 'msi';
  /** the cluster's system-assigned identity (ARM: identity.principalId); it manages Azure resources, it does not pull */
  principalId: string;
  /** the kubelet identity: a user-assigned identity in the node resource group, with its own ids */
  kubelet: { clientId: string; objectId: string; resourceId: string };
}

/** A cluster created with `--service-principal`: ARM shows only the application (client) id. */
export interface ServicePrincipalClusterIdentity {
  kind: 'servicePrincipal';
  /** application (client) id: servicePrincipalProfile.clientId */
  appId: string;
  /** object id of its service principal in the directory: what role assignments name, found through Graph */
  objectId: string;
  displayName: string;
}

export type ClusterIdentity = ManagedClusterIdentities | ServicePrincipalClusterIdentity;

/** A cluster's identities, deterministic from subscription, group and name. */
export function clusterIdentity(sub: string, rg: string, cluster: string, kind: 'msi' | 'servicePrincipal' = 'msi'): ClusterIdentity {
  const key = [sub, rg.toLowerCase(), cluster.toLowerCase()];
  if (kind === 'servicePrincipal') return { kind, appId: guidFrom('sp-app', ...key), objectId: guidFrom('sp-object', ...key), displayName: `${cluster}SP` };
  return {
    kind,
    principalId: guidFrom('cluster-msi', ...key),
    kubelet: {
      clientId: guidFrom('client', ...key),
      objectId: guidFrom('object', ...key),
      resourceId: `/subscriptions/${sub}/resourcegroups/${nodeResourceGroup(rg, cluster)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${cluster}-agentpool`,
    },
  };
}

/** The object id of the principal whose role assignments let the cluster's nodes pull images. */
export const pullingObjectId = (identity: ClusterIdentity): string => (identity.kind === 'msi' ? identity.kubelet.objectId : identity.objectId);

/** The grader's service principal in a simulated directory: its application (client) id and object id. */
export const graderIdentity = (tenantId: string): { clientId: string; objectId: string } => ({ clientId: guidFrom('grader-app', tenantId), objectId: guidFrom('grader-sp', tenantId) });
