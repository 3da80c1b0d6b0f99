/**
 * What the Exercise 5–7 checks share beyond pure readers: the snapshot with the kinds a check needs,
 * the student's registry (Exercise 4's fact, else inferred from the pods' images), and the role
 * assignments that let the cluster pull from it.
 */
import type { CheckContext } from '../../core/check.js';
import { errorMessage } from '../../core/errors.js';
import { scopeCovers } from '../../probes/azure/map.js';
import { conditionCovers } from './abac.js';
import { MissingRightError, ProbeError, type KubeListKind, type KubeProbe, type KubeSnapshot, type ManagedClusterFacts, type RegistryFacts, type RoleAssignmentFacts } from '../../probes/types.js';
import { parseImageRef } from '../../core/image-ref.js';
import type { LabExpectations } from '../../core/profile.js';
import { registryNameOf } from './images.js';
import type { GrantTarget } from './pull.js';

/** The snapshot, or a ProbeError (→ `error`) naming the lists this check needs but may not read. */
export async function snapshotFor(kube: KubeProbe, kinds: KubeListKind[]): Promise<KubeSnapshot> {
  const snap = await kube.snapshot();
  const missing = kinds.filter((k) => snap.unreadable[k]);
  if (!missing.length) return snap;
  const message = missing.map((k) => snap.unreadable[k]).join('; ');
  // Refused for a right the grader's own identity lacks: the instructor's to grant, not the student's to fix.
  const right = missing.every((k) => snap.missingRights?.[k]) ? snap.missingRights![missing[0]] : undefined;
  throw right ? new MissingRightError('kube', message, right, { unreadable: missing }) : new ProbeError('kube', message, { unreadable: missing });
}

export interface StudentRegistry {
  /** lower-cased */
  loginServer?: string;
  name?: string;
  registryId?: string;
  /** the registry as Exercise 4 chose it, when it did */
  chosen?: RegistryFacts;
  /** how it was chosen, for evidence */
  source: 'ex4.registry.exists' | 'pod images' | 'unknown';
}

/**
 * The registry the student pushed to: as Exercise 4 found it, else the Azure registry host most of
 * the pods' images name (the lab's own repositories first). Checks calling it declare `uses: ['registry']`.
 */
export function studentRegistry(ctx: CheckContext, snap?: KubeSnapshot): StudentRegistry {
  const known = ctx.fact('registry')?.chosen;
  if (known?.loginServer) return { loginServer: known.loginServer.toLowerCase(), name: known.name, registryId: known.id, chosen: known, source: 'ex4.registry.exists' };
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

/**
 * Whether `host` is the student's registry: theirs when known; while it is not (Exercise 4 found none
 * and no pod pulls from an Azure registry), any registry of the lab's domain, since theirs cannot be
 * told apart from another.
 */
export function isStudentRegistry(host: string | undefined, reg: StudentRegistry, registryDomain: string): boolean {
  return reg.loginServer ? host === reg.loginServer : !!registryNameOf(host, registryDomain);
}

/** Whether `image` is the lab's `repository:tag` in the student's registry. A digest pinned next to the tag counts (the tag still says which image was meant). */
export function isStudentImage(image: string | undefined, reg: StudentRegistry, expect: Pick<LabExpectations, 'tag' | 'registryDomain'>, repository: string): boolean {
  const ref = image ? parseImageRef(image) : undefined;
  return !!ref && isStudentRegistry(ref.host, reg, expect.registryDomain) && ref.repository === repository && ref.tag === expect.tag;
}

/**
 * Whom a hint granting the pull names: the cluster and the registry as Azure lists them (`listed`, read
 * by pullGrants), else the cluster Exercise 3 chose and the student's registry.
 */
export function grantTarget(ctx: CheckContext, reg: StudentRegistry, listed?: Pick<PullGrants, 'cluster' | 'registry'>): GrantTarget {
  return { cluster: listed?.cluster ?? ctx.fact('cluster')?.chosen, registry: listed?.registry ?? reg.chosen ?? { name: reg.name }, resourceGroup: ctx.target.resourceGroup };
}

export interface PullGrants {
  /** Role assignments on the registry or above for one of the cluster's pulling identities. */
  grants: RoleAssignmentFacts[];
  identities: string[];
  registryId: string;
  /** The roles that count for this registry (ABAC registries count only their repository roles). */
  roles: string[];
  /** `AbacRepositoryPermissions` when the registry is in ABAC mode. */
  roleAssignmentMode?: string;
  /** Why a pulling identity is not known (a service principal Graph would not resolve): the pods decide. */
  unresolved?: string;
  /** Pull roles of the cluster's identity whose ABAC condition does not cover the lab's repositories. */
  limited?: RoleAssignmentFacts[];
  cluster?: ManagedClusterFacts;
  registry?: RegistryFacts;
}

/**
 * Which role assignments let the cluster pull from the registry, read from Azure. Undefined when
 * Azure is not available or the registry's resource id cannot be found. Checks calling it declare
 * `uses: ['cluster', 'registry']`.
 */
export async function pullGrants(ctx: CheckContext, reg: StudentRegistry): Promise<PullGrants | undefined> {
  const azure = ctx.probes.azure;
  if (!azure || !reg.loginServer) return undefined;
  const registry = (await azure.registries()).find((r) => r.loginServer.toLowerCase() === reg.loginServer);
  const registryId = reg.registryId ?? registry?.id;
  if (!registryId) return undefined;
  const chosen = ctx.fact('cluster')?.chosen;
  const clusters = await azure.managedClusters();
  const mine = clusters.filter((c) => !chosen || c.id.toLowerCase() === chosen.id.toLowerCase() || c.name === chosen.name);
  const identities = [...new Set(mine.flatMap((c) => c.pullIdentityObjectIds.map((id) => id.toLowerCase())))];
  const unresolved = mine.map((c) => c.pullIdentityUnresolved).find(Boolean);
  const abac = registry?.roleAssignmentMode === 'AbacRepositoryPermissions';
  const roles = abac ? ctx.profile.expect.abacPullRoles : ctx.profile.expect.pullRoles;
  const held = (await azure.roleAssignments()).filter((ra) => identities.includes(ra.principalId.toLowerCase()) && roles.includes(ra.roleName ?? '') && scopeCovers(ra.scope, registryId));
  // A repository role limited by an ABAC condition grants only the repositories it names: both of the lab's must be among them.
  const repositories = [ctx.profile.expect.app.image, ctx.profile.expect.api.image];
  const covers = (ra: RoleAssignmentFacts) => repositories.every((r) => conditionCovers(ra.condition, r));
  const grants = held.filter(covers);
  const limited = held.filter((ra) => !covers(ra));
  return {
    grants,
    ...(limited.length ? { limited } : {}),
    identities,
    registryId,
    roles,
    ...(registry?.roleAssignmentMode ? { roleAssignmentMode: registry.roleAssignmentMode } : {}),
    ...(unresolved ? { unresolved } : {}),
    ...(mine[0] ? { cluster: chosen ?? mine[0] } : {}),
    ...(registry ? { registry } : {}),
  };
}

/** pullGrants for a cross-check inside a message: failures to read Azure must not fail the check. */
export async function pullGrantsQuietly(ctx: CheckContext, reg: StudentRegistry): Promise<PullGrants | { error: string } | undefined> {
  try {
    return await pullGrants(ctx, reg);
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

/** The last part of an ARM id, for messages: …/registries/labuser07acr */
export const shortScope = (scope: string) => {
  const parts = scope.split('/').filter(Boolean);
  return parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : scope || '/';
};
