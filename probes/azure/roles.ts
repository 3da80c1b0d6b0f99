/**
 * Role definition names, resolved through ARM (`roleDefinitions.getById`) and cached for the run: every
 * student's assignments name the same handful of built-in roles. When a definition cannot be read
 * (the grader may lack the permission, a simulated ARM may not serve it), the well-known GUIDs of the
 * built-in roles are used; they are the same in every tenant.
 */
import type { AuthorizationManagementClient } from '@azure/arm-authorization';

const BUILTIN_ROLES: Readonly<Record<string, string>> = {
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  '8311e382-0749-4cb8-b61a-304f252e45ec': 'AcrPush',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  // The repository roles of registries in ABAC mode.
  'b93aa761-3e63-49ed-ac28-beffa264f7ac': 'Container Registry Repository Reader',
  '2a1e307c-b015-4ebd-883e-5b7698a07328': 'Container Registry Repository Writer',
  '2efddaa5-3f1f-4df3-97df-af3f13818f4c': 'Container Registry Repository Contributor',
  'bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7': 'Container Registry Repository Catalog Lister',
};

/** The trailing GUID of a role definition id (tenant- or subscription-level form). */
export const roleGuid = (roleDefinitionId: string): string => roleDefinitionId.replace(/\/+$/, '').split('/').pop()!.toLowerCase();

export class RoleNames {
  private readonly cache = new Map<string, Promise<string | undefined>>();

  resolve(client: AuthorizationManagementClient, roleDefinitionId: string): Promise<string | undefined> {
    const guid = roleGuid(roleDefinitionId);
    let hit = this.cache.get(guid);
    if (!hit) {
      hit = client.roleDefinitions.getById(roleDefinitionId.replace(/^\/+/, '')).then(
        (def) => def.roleName ?? BUILTIN_ROLES[guid],
        () => {
          this.cache.delete(guid); // a failure is not remembered: the next student may read it
          return BUILTIN_ROLES[guid];
        },
      );
      this.cache.set(guid, hit);
    }
    return hit;
  }
}
