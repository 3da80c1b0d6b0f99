/**
 * Which of a resource group's clusters is the student's, and why. One rule for Exercise 3's checks and
 * for the Kubernetes probe (probes/student-cluster.ts looks into each cluster's API and hands what it
 * saw here), so both always name the same cluster. Names are free: a student who ran `az aks create`
 * twice has two clusters, and the lab's objects are on one of them. A ladder of evidence, each step
 * deciding among the clusters the steps before left alike:
 *   (a) its API holds the most of the lab's Deployments;
 *   (b) its pods pull the most from a registry of the student's resource group;
 *   (c) its pulling identity holds a pull role on such a registry, or on a scope above it;
 *   (d) the APIs that answered hold none of the lab's objects and its API could not be read (stopped,
 *       unreachable): the work may be there, so the student is told to start it rather than failed;
 *   (e) nothing else tells them apart: the newest (a second `az aks create` is the one meant). Only when
 *       not even creation times are known is it the first by name, and the reason says so.
 */
import type { AzureProbe, ManagedClusterFacts, RegistryFacts, RoleAssignmentFacts } from '../types.js';
import { sameResourceId, scopeCovers } from './map.js';

export interface Discovery<T> {
  chosen: T;
  /** Names of everything that was listed, sorted. */
  candidates: string[];
  reason: string;
}

export const byName = <T extends { name: string }>(a: T, b: T): number => a.name.toLowerCase().localeCompare(b.name.toLowerCase());

/** What a cluster's API showed when it was looked into, or why it could not be read. */
export type ClusterLook = { labDeployments: string[]; registryPulls: number; pulledFrom?: string } | { unreadable: string };

export interface ClusterEvidence {
  /** By cluster name: what its API showed. Absent: the APIs were not looked into (Exercise 3 reads ARM only). */
  looks?: ReadonlyMap<string, ClusterLook>;
  /** The pull roles the clusters' identities hold on the student's registries (read only when needed). */
  grants?: () => Promise<PullGrant[]>;
}

/** The items scoring highest, and that score. */
function best<T>(items: T[], score: (t: T) => number): { best: T[]; max: number } {
  const max = Math.max(...items.map(score));
  return { best: items.filter((t) => score(t) === max), max };
}

export const listed = (items: Array<{ name: string }>): string => items.map((c) => c.name).join(', ');

/**
 * A true tie's rule, for clusters and registries alike: the one created last (a student's second
 * `az aks create` or `az acr create` is the one meant), said with its creation time; undefined when
 * creation times do not single one out.
 */
export function newestOf<T extends { createdAt?: string }>(items: T[]): { chosen: T; said: string } | undefined {
  const times = items.map((t) => (t.createdAt ? Date.parse(t.createdAt) : Number.NaN));
  const known = times.filter((t) => !Number.isNaN(t));
  if (!known.length) return undefined;
  const max = Math.max(...known);
  if (times.filter((t) => t === max).length > 1) return undefined;
  const at = new Date(max).toISOString();
  return { chosen: items[times.indexOf(max)], said: `the newest, created ${at.slice(0, 10)} ${at.slice(11, 16)} UTC` };
}

export async function chooseCluster(clusters: ManagedClusterFacts[], evidence: ClusterEvidence = {}): Promise<Discovery<ManagedClusterFacts> | undefined> {
  if (clusters.length === 0) return undefined;
  const sorted = [...clusters].sort(byName);
  const candidates = sorted.map((c) => c.name);
  const decided = (chosen: ManagedClusterFacts, reason: string) => ({ chosen, candidates, reason });
  if (sorted.length === 1) return decided(sorted[0], 'the only managed cluster in the resource group');

  const look = (c: ManagedClusterFacts) => evidence.looks?.get(c.name);
  const held = (c: ManagedClusterFacts) => {
    const l = look(c);
    return l && 'labDeployments' in l ? l.labDeployments : [];
  };
  const pulls = (c: ManagedClusterFacts) => {
    const l = look(c);
    return l && 'registryPulls' in l ? l.registryPulls : 0;
  };
  // What the steps that did not decide found, said after the step that did.
  const found: string[] = [];
  const because = (reason: string) => (found.length ? `${reason} (${found.join('; ')})` : reason);
  let pool = sorted;

  const a = best(pool, (c) => held(c).length);
  if (a.max > 0) {
    if (a.best.length === 1) return decided(a.best[0], `its API holds the lab's Deployments (${held(a.best[0]).join(', ')})`);
    pool = a.best;
    found.push(`${listed(pool)} all hold the lab's Deployments`);
  }
  const b = best(pool, pulls);
  if (b.max > 0) {
    const l = look(b.best[0]) as { pulledFrom?: string };
    if (b.best.length === 1) return decided(b.best[0], because(`its pods pull from your registry ${l.pulledFrom} (${b.max} container(s))`));
    pool = b.best;
    found.push(`the pods of ${listed(pool)} pull from your registry alike`);
  }
  const nothingOfTheLab = a.max === 0 && b.max === 0;
  if (evidence.looks && nothingOfTheLab) found.push("no API that answered holds the lab's Deployments or pods from your registry");

  const grants = (await evidence.grants?.()) ?? [];
  const granted = (c: ManagedClusterFacts) => [...new Set(grants.filter((g) => g.cluster === c.name).map(grantText))];
  const g = best(pool, (c) => (granted(c).length ? 1 : 0));
  if (g.max > 0) {
    if (g.best.length === 1) return decided(g.best[0], because(`its pulling identity holds ${granted(g.best[0]).join(', ')}`));
    pool = g.best;
    found.push(`the pulling identities of ${listed(pool)} all hold a pull role on your registry`);
  }

  if (evidence.looks && nothingOfTheLab) {
    const unread = pool.filter((c) => {
      const l = look(c);
      return !!l && 'unreadable' in l;
    });
    if (unread.length === 1 && pool.length > 1) {
      const c = unread[0];
      const why = c.powerState && c.powerState !== 'Running' ? `it is ${c.powerState}` : (look(c) as { unreadable: string }).unreadable;
      return decided(c, because(`its API could not be read (${why}) while the others' hold none of the lab's objects: the work may be on it`));
    }
    if (unread.length > 1 && unread.length < pool.length) {
      pool = unread;
      found.push(`the APIs of ${listed(pool)} could not be read`);
    }
  }

  const newest = newestOf(pool);
  if (newest) return decided(newest.chosen, because(`nothing else tells ${listed(pool)} apart: ${newest.said}`));
  return decided(pool[0], because(`nothing tells ${listed(pool)} apart, not even when they were created: the first by name`));
}

/** A pull role a cluster's pulling identity holds on one of the student's registries. */
export interface PullGrant {
  cluster: string;
  registry: string;
  role: string;
  /** Held on a scope above the registry (its resource group, the subscription). */
  fromAbove: boolean;
}

export const grantText = (g: PullGrant): string => `${g.role} on your registry ${g.registry}${g.fromAbove ? ' (from a scope above it)' : ''}`;

/**
 * The pull roles the clusters' pulling identities hold on the student's registries, at a registry or on a
 * scope above it: evidence of which cluster the student attached to which registry. Whether a role lets
 * the cluster pull is ex5.pull.authorized's to decide.
 */
export function pullGrantsOf(clusters: ManagedClusterFacts[], registries: RegistryFacts[], assignments: RoleAssignmentFacts[], roles: readonly string[]): PullGrant[] {
  return clusters.flatMap((c) => {
    const ids = new Set(c.pullIdentityObjectIds.map((id) => id.toLowerCase()));
    return assignments
      .filter((ra) => ids.has(ra.principalId.toLowerCase()) && roles.includes(ra.roleName ?? ''))
      .flatMap((ra) => registries.filter((r) => scopeCovers(ra.scope, r.id)).map((r) => ({ cluster: c.name, registry: r.name, role: ra.roleName!, fromAbove: !sameResourceId(ra.scope, r.id) })));
  });
}

/** pullGrantsOf what Azure lists now; role assignments that cannot be read are no evidence either way. */
export async function readPullGrants(clusters: ManagedClusterFacts[], azure: Pick<AzureProbe, 'registries' | 'roleAssignments'>, roles: readonly string[]): Promise<PullGrant[]> {
  try {
    const [registries, assignments] = await Promise.all([azure.registries(), azure.roleAssignments()]);
    return pullGrantsOf(clusters, registries, assignments, roles);
  } catch {
    return [];
  }
}
