/**
 * ARM models (as the SDK clients return them: flattened, `properties` merged in) to the probe's
 * normalised facts. Pure functions: the fixture tests run real SDK answers through exactly these.
 */
import type { AgentPool, CredentialResults, ManagedCluster, ManagedClusterAgentPoolProfile } from '@azure/arm-containerservice';
import type { Registry, RegistryListCredentialsResult } from '@azure/arm-containerregistry';
import type { RoleAssignment } from '@azure/arm-authorization';
import { parseAllDocuments } from 'yaml';
import { registerSecret } from '../../core/redact.js';
import type { AgentPoolFacts, ManagedClusterFacts, RegistryFacts, RoleAssignmentFacts } from '../types.js';

/** ARM ids differ in case between answers (`resourceGroups` vs `resourcegroups`): compare without it. */
export const sameResourceId = (a: string | undefined, b: string | undefined): boolean => !!a && !!b && a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/** A role assignment at `scope` applies to `resourceId` when the scope is the resource or one of its parents. */
export function scopeCovers(scope: string, resourceId: string): boolean {
  const s = scope.replace(/\/+$/, '').toLowerCase();
  const r = resourceId.replace(/\/+$/, '').toLowerCase();
  return s === '' || s === '/' || r === s || r.startsWith(s + '/');
}

function agentPoolFacts(p: ManagedClusterAgentPoolProfile | AgentPool): AgentPoolFacts {
  return { name: p.name ?? '', count: p.count ?? 0, ...(p.vmSize ? { vmSize: p.vmSize } : {}), ...(p.mode ? { mode: p.mode } : {}) };
}

/** The object id of a service principal, or why it could not be found (ARM alone cannot tell it). */
export type PrincipalLookup = { objectId: string } | { unresolved: string };

/**
 * `pools` (from agentPools.list) are used when the cluster answer carries no agentPoolProfiles.
 * A managed-identity cluster (`clientId: msi`) pulls with its kubelet identity; a service-principal
 * cluster with that principal, whose object id `principal` carries when it was looked up.
 */
export function clusterFacts(mc: ManagedCluster, pools?: readonly AgentPool[], principal?: PrincipalLookup): ManagedClusterFacts {
  const profiles = mc.agentPoolProfiles?.length ? mc.agentPoolProfiles.map(agentPoolFacts) : (pools ?? []).map(agentPoolFacts);
  const kubelet = mc.identityProfile?.['kubeletidentity']?.objectId;
  const version = mc.currentKubernetesVersion ?? mc.kubernetesVersion;
  const clientId = mc.servicePrincipalProfile?.clientId;
  const managed = clientId === 'msi' || (!clientId && !!kubelet);
  const spId = !managed && principal && 'objectId' in principal ? principal.objectId : undefined;
  const pullIds = (managed ? [kubelet] : [spId]).filter((x): x is string => !!x).map((x) => x.toLowerCase());
  const unresolved = !managed && !spId ? (principal && 'unresolved' in principal ? principal.unresolved : 'its service principal was not looked up') : undefined;
  return {
    id: mc.id ?? '',
    name: mc.name ?? '',
    ...(mc.location ? { location: mc.location } : {}),
    ...(mc.provisioningState ? { provisioningState: mc.provisioningState } : {}),
    ...(mc.powerState?.code ? { powerState: mc.powerState.code } : {}),
    ...(version ? { kubernetesVersion: version } : {}),
    ...(mc.fqdn ? { fqdn: mc.fqdn } : {}),
    agentPools: profiles,
    ...(clientId ? { servicePrincipalClientId: clientId } : {}),
    ...(clientId || kubelet ? { identity: managed ? ('managed' as const) : ('servicePrincipal' as const) } : {}),
    pullIdentityObjectIds: [...new Set(pullIds)],
    ...(unresolved ? { pullIdentityUnresolved: unresolved } : {}),
    ...(mc.aadProfile?.managed ? { entra: true } : {}),
  };
}

export function registryFacts(r: Registry): RegistryFacts {
  return {
    id: r.id ?? '',
    name: r.name ?? '',
    // Login servers are host names: DNS is case-insensitive, and ACR answers in mixed case sometimes.
    loginServer: (r.loginServer ?? '').toLowerCase(),
    ...(r.sku?.name ? { sku: r.sku.name } : {}),
    adminUserEnabled: r.adminUserEnabled === true,
    ...(r.provisioningState ? { provisioningState: r.provisioningState } : {}),
    ...(r.roleAssignmentMode ? { roleAssignmentMode: r.roleAssignmentMode } : {}),
    ...isoTime(r.systemData?.createdAt ?? r.creationDate),
  };
}

/** `{ createdAt }` from a time the SDK parsed, or nothing when it is absent or not a time. */
function isoTime(at: Date | undefined): { createdAt?: string } {
  return at && !Number.isNaN(at.getTime()) ? { createdAt: at.toISOString() } : {};
}

/** Admin credentials; every password is registered so no output can show it. */
export function registryCredentialFacts(c: RegistryListCredentialsResult): { username: string; passwords: string[] } {
  const passwords = (c.passwords ?? []).map((p) => p.value).filter((v): v is string => !!v);
  for (const p of passwords) registerSecret(p);
  return { username: c.username ?? '', passwords };
}

export function roleAssignmentFacts(ra: RoleAssignment, roleName?: string): RoleAssignmentFacts {
  return {
    id: ra.id ?? '',
    scope: ra.scope ?? '',
    principalId: (ra.principalId ?? '').toLowerCase(),
    ...(ra.principalType ? { principalType: ra.principalType } : {}),
    roleDefinitionId: ra.roleDefinitionId ?? '',
    ...(roleName ? { roleName } : {}),
    ...(ra.condition ? { condition: ra.condition } : {}),
  };
}

/** The user kubeconfig (the SDK already decoded base64 to bytes); its credentials are registered as secrets. */
export function kubeconfigText(results: CredentialResults): string | undefined {
  const all = results.kubeconfigs ?? [];
  const chosen = all.find((k) => k.name === 'clusterUser') ?? all[0];
  if (!chosen?.value) return undefined;
  const text = Buffer.from(chosen.value).toString('utf8');
  registerKubeconfigSecrets(text);
  return text;
}

const SECRET_FIELDS = ['token', 'client-key-data', 'password'] as const;

export function registerKubeconfigSecrets(text: string): void {
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return;
  }
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const value = (doc as { toJS?: () => unknown }).toJS?.() as { users?: Array<{ user?: Record<string, unknown> }> } | null;
    for (const u of value?.users ?? []) {
      for (const f of SECRET_FIELDS) if (typeof u?.user?.[f] === 'string') registerSecret(u.user[f] as string);
    }
  }
}
