/** The built-in Azure roles a scenario can assign: fixed GUIDs, the same in every tenant. */
import type { ScenarioRoleAssignment } from '../scenario.js';

type RoleName = ScenarioRoleAssignment['role'];

export interface BuiltInRole {
  guid: string;
  description: string;
  actions: string[];
  dataActions: string[];
}

export const BUILT_IN_ROLES: Readonly<Record<RoleName, BuiltInRole>> = {
  Reader: { guid: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', description: 'View all resources, but does not allow you to make any changes.', actions: ['*/read'], dataActions: [] },
  AcrPull: { guid: '7f951dda-4ed3-4680-a7ca-43fe172d538d', description: 'acr pull', actions: ['Microsoft.ContainerRegistry/registries/pull/read'], dataActions: [] },
  AcrPush: { guid: '8311e382-0749-4cb8-b61a-304f252e45ec', description: 'acr push', actions: ['Microsoft.ContainerRegistry/registries/pull/read', 'Microsoft.ContainerRegistry/registries/push/write'], dataActions: [] },
  Contributor: { guid: 'b24988ac-6180-42a0-ab88-20f7382dd24c', description: 'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.', actions: ['*'], dataActions: [] },
  Owner: { guid: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', description: 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.', actions: ['*'], dataActions: [] },
};

const BY_GUID = new Map(Object.entries(BUILT_IN_ROLES).map(([name, r]) => [r.guid, name as RoleName]));

export const roleByGuid = (guid: string): RoleName | undefined => BY_GUID.get(guid.toLowerCase());
