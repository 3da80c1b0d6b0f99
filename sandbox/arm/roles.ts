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

// GUIDs and descriptions as Azure's built-in roles reference lists them (the ACR repository roles
// are the "ABAC-enabled" ones: data actions only).
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
