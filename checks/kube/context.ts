/**
 * What the Exercise 5–7 checks share beyond pure readers: the snapshot with the kinds a check needs,
 * the student's registry (Exercise 4's evidence, else inferred from the pods' images), and the
 * role assignments that let the cluster pull from it.
 */
import type { CheckContext } from '../../core/check.js';
import { errorMessage } from '../../core/errors.js';
import { scopeCovers } from '../../probes/azure/map.js';
import { ProbeError, type KubeSnapshot, type RoleAssignmentFacts } from '../../probes/types.js';
import { parseImageRef, registryNameOf } from './images.js';

export type SnapshotKind = Exclude<keyof KubeSnapshot, 'takenAt' | 'server' | 'namespace' | 'unreadable'>;

/** The snapshot, or a ProbeError (→ `error`) naming the lists this check needs but may not read. */
export async function snapshotFor(ctx: CheckContext, kinds: SnapshotKind[]): Promise<KubeSnapshot> {
  const snap = await ctx.probes.kube!.snapshot();
  const missing = kinds.filter((k) => snap.unreadable[k]);
  if (missing.length) throw new ProbeError('kube', missing.map((k) => snap.unreadable[k]).join('; '), { unreadable: missing });
  return snap;
}

export interface StudentRegistry {
  loginServer?: string;
  name?: string;
  registryId?: string;
  /** how it was chosen, for evidence */
  source: 'ex4.registry.exists' | 'pod images' | 'unknown';
}

/** Evidence contract of ex4.registry.exists. */
interface RegistryEvidence {
  registry?: string;
  loginServer?: string;
  registryId?: string;
}

/**
 * The registry the student pushed to: as Exercise 4 found it, else the Azure registry host most of
 * the pods' images name (the lab's own repositories first).
 */
export function studentRegistry(ctx: CheckContext, snap?: KubeSnapshot): StudentRegistry {
  const ev = ctx.evidenceOf('ex4.registry.exists') as RegistryEvidence | undefined;
  if (ev?.loginServer) return { loginServer: ev.loginServer.toLowerCase(), name: ev.registry, registryId: ev.registryId, source: 'ex4.registry.exists' };
  const domain = ctx.profile.expect.registryDomain;
  const repos = new Set([ctx.profile.expect.app.image, ctx.profile.expect.api.image]);
  const votes = new Map<string, number>();
  for (const pod of snap?.pods ?? []) {
    for (const c of pod.spec?.containers ?? []) {
      const ref = parseImageRef(c.image ?? '');
      if (!ref?.host || !registryNameOf(ref.host, domain)) continue;
      votes.set(ref.host, (votes.get(ref.host) ?? 0) + (repos.has(ref.repository) ? 10 : 1));
    }
  }
  const best = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  return best ? { loginServer: best, name: registryNameOf(best, domain), source: 'pod images' } : { source: 'unknown' };
}

export interface PullGrants {
  /** Role assignments on the registry or above for one of the cluster's pulling identities. */
  grants: RoleAssignmentFacts[];
  identities: string[];
  registryId: string;
}

const roleNameOf = (ra: RoleAssignmentFacts) => ra.roleName ?? '';

/**
 * Which role assignments let the cluster pull from the registry, read from Azure. Undefined when
 * Azure is not available or the registry's resource id cannot be found.
 */
export async function pullGrants(ctx: CheckContext, reg: StudentRegistry): Promise<PullGrants | undefined> {
  const azure = ctx.probes.azure;
  if (!azure || !reg.loginServer) return undefined;
  const registryId = reg.registryId ?? (await azure.registries()).find((r) => r.loginServer.toLowerCase() === reg.loginServer)?.id;
  if (!registryId) return undefined;
  const clusterEv = ctx.evidenceOf('ex3.cluster.exists') as { cluster?: string; clusterId?: string } | undefined;
  const clusters = await azure.managedClusters();
  const mine = clusters.filter((c) => !clusterEv || c.id.toLowerCase() === clusterEv.clusterId?.toLowerCase() || c.name === clusterEv.cluster);
  const identities = [...new Set(mine.flatMap((c) => c.pullIdentityObjectIds.map((id) => id.toLowerCase())))];
  const roles = new Set(ctx.profile.expect.pullRoles);
  const grants = (await azure.roleAssignments()).filter(
    (ra) => identities.includes(ra.principalId.toLowerCase()) && roles.has(roleNameOf(ra)) && scopeCovers(ra.scope, registryId),
  );
  return { grants, identities, registryId };
}

/** pullGrants for a cross-check inside a message: failures to read Azure must not fail the check. */
export async function pullGrantsQuietly(ctx: CheckContext, reg: StudentRegistry): Promise<PullGrants | { error: string } | undefined> {
  try {
    return await pullGrants(ctx, reg);
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

/** A short, tag-free excerpt of an HTML or text body for evidence and messages. */
export function excerpt(body: string, max = 120): string {
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** The last part of an ARM id, for messages: …/registries/labuser07acr */
export const shortScope = (scope: string) => {
  const parts = scope.split('/').filter(Boolean);
  return parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : scope || '/';
};
