/**
 * Admin credentials for the registry probe, from the Azure probe: only for a registry of the student's
 * resource group whose admin user is enabled (listCredentials would fail otherwise), password 1. When
 * the grader may not list them (403: its role allows reading, not `listCredentials`), there are none:
 * the probe then exchanges the grader's Entra token, as `az acr login` does.
 */
import { ProbeError, type AzureProbe } from '../types.js';
import type { Credentials } from './auth.js';
import type { RegistryFactsOf } from './rights.js';

export function adminCredentialsFrom(azure: Pick<AzureProbe, 'registries' | 'registryCredentials'>): (loginServer: string) => Promise<Credentials | undefined> {
  return async (loginServer) => {
    const registry = (await azure.registries()).find((r) => r.loginServer.toLowerCase() === loginServer.toLowerCase());
    if (!registry?.adminUserEnabled) return undefined;
    try {
      const c = await azure.registryCredentials(registry.name);
      return c.passwords[0] ? { username: c.username, password: c.passwords[0] } : undefined;
    } catch (err) {
      if (err instanceof ProbeError && err.detail.status === 403) return undefined;
      throw err;
    }
  };
}

/** A registry's resource id and role assignment mode, from the Azure probe's list of the student's registries. */
export function registryFactsFrom(azure: Pick<AzureProbe, 'registries'>): RegistryFactsOf {
  return async (loginServer) => {
    const registry = (await azure.registries()).find((r) => r.loginServer.toLowerCase() === loginServer.toLowerCase());
    return registry && { id: registry.id, roleAssignmentMode: registry.roleAssignmentMode };
  };
}
