/**
 * Which cluster and which registry are the student's: names are free, so they are discovered by listing
 * the resource group. One → it. Several → the one other evidence points to, and the evidence says why:
 * - cluster: the ladder of probes/azure/choose-cluster.ts, on what ARM tells here (the Kubernetes
 *   probe, which also looks into each cluster's API, has the last word: ex3.cluster.exists asks it);
 * - registry: the one the cluster's pods pull from (when the Kubernetes API is reachable), then the one
 *   holding the expected images, then the one a cluster of the student's holds a pull role on, then
 *   the newest; only when not even creation times are known, the first by name, saying so.
 * Probe calls go through the engine's memoised session, so every check that asks gets the same answer
 * from the same reads.
 */
import type { CheckContext } from '../core/check.js';
import { errorMessage } from '../core/errors.js';
import { byName, chooseCluster, listed, newestOf, readPullGrants, type Discovery, type PullGrant } from '../probes/azure/choose-cluster.js';
import type { ManagedClusterFacts, RegistryFacts } from '../probes/types.js';
import { parseImageRef } from '../core/image-ref.js';
import { holdsTag } from './registry-tags.js';

export type { Discovery };

/** The best of several by a score, or undefined when the score does not single one out. */
function uniqueBest<T>(items: T[], score: (t: T) => number): T | undefined {
  const scores = items.map(score);
  const max = Math.max(...scores);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: scores are never negative and there are always 2+ items, so a max of 0 leaves 2+ best and the tie below answers undefined too
  if (max <= 0) return undefined;
  const best = items.filter((_, i) => scores[i] === max);
  return best.length === 1 ? best[0] : undefined;
}

/** The ladder of choose-cluster.ts on what ARM tells (its APIs are the Kubernetes probe's to look into). */
async function clusterFromArm(ctx: CheckContext<'azure'>, clusters: ManagedClusterFacts[]): Promise<Discovery<ManagedClusterFacts> | undefined> {
  const { pullRoles, abacPullRoles } = ctx.profile.expect;
  return chooseCluster(clusters, { grants: () => readPullGrants(clusters, ctx.probes.azure, [...pullRoles, ...abacPullRoles]) });
}

export async function discoverCluster(ctx: CheckContext<'azure'>): Promise<Discovery<ManagedClusterFacts> | undefined> {
  return clusterFromArm(ctx, await ctx.probes.azure.managedClusters());
}

/** The cluster ex3.cluster.exists chose (re-read in this round, so its state is current), or a fresh discovery. */
export async function chosenCluster(ctx: CheckContext<'azure'>): Promise<Discovery<ManagedClusterFacts> | undefined> {
  const clusters = await ctx.probes.azure.managedClusters();
  const name = ctx.fact('cluster')?.chosen.name;
  // Stryker disable next-line ConditionalExpression: a listed cluster always has a name, so finding the name undefined finds none either
  const hit = name !== undefined ? clusters.find((c) => c.name === name) : undefined;
  if (hit) return { chosen: hit, candidates: clusters.map((c) => c.name).sort(), reason: 'chosen by ex3.cluster.exists' };
  return clusterFromArm(ctx, clusters);
}

/** How many of the cluster's pod containers pull from each registry, or the reason the pods could not be read. */
async function podPulls(ctx: CheckContext<'azure'>): Promise<{ counts: Map<string, number> } | { unavailable: string }> {
  if (!ctx.probes.kube) return { unavailable: 'no Kubernetes access' };
  try {
    const snap = await ctx.probes.kube.snapshot();
    const counts = new Map<string, number>();
    for (const pod of snap.pods) {
      // Stryker disable next-line ArrayDeclaration: a non-empty default would only add strings, which have no image and so count nothing
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        const host = c.image ? parseImageRef(c.image)?.host : undefined;
        // Stryker disable next-line ConditionalExpression: counting Docker Hub images under an undefined host changes nothing: no registry's login server is undefined
        if (host) counts.set(host, (counts.get(host) ?? 0) + 1);
      }
    }
    return { counts };
  } catch (err) {
    return { unavailable: `the pods could not be read: ${errorMessage(err)}` };
  }
}

/** How many of the expected `image:tag`s a registry holds (0 when it cannot be read). */
async function expectedImagesIn(ctx: CheckContext<'azure'>, r: RegistryFacts): Promise<number> {
  // Stryker disable next-line ConditionalExpression: without the probe each read below throws, is caught and counts nothing: the same 0
  if (!ctx.probes.registry) return 0;
  const { tag, app, api } = ctx.profile.expect;
  let n = 0;
  for (const repo of [app.image, api.image]) {
    try {
      if (await holdsTag(ctx.probes.registry, r.loginServer, await ctx.probes.registry.tags(r.loginServer, repo), tag)) n++;
    } catch {
      /* unreadable: no evidence either way */
    }
  }
  return n;
}

export interface RegistryDiscovery extends Discovery<RegistryFacts> {
  /** Why the pods could not tell, when they could not. */
  podsUnavailable?: string;
}

export async function discoverRegistry(ctx: CheckContext<'azure'>): Promise<RegistryDiscovery | undefined> {
  const registries = [...(await ctx.probes.azure.registries())].sort(byName);
  if (registries.length === 0) return undefined;
  const candidates = registries.map((r) => r.name);
  if (registries.length === 1) return { chosen: registries[0], candidates, reason: 'the only container registry in the resource group' };

  const pulls = await podPulls(ctx);
  if ('counts' in pulls) {
    const fromPods = uniqueBest(registries, (r) => pulls.counts.get(r.loginServer) ?? 0);
    if (fromPods) return { chosen: fromPods, candidates, reason: `the cluster's pods pull from it (${pulls.counts.get(fromPods.loginServer)} container(s))` };
  }
  const podsUnavailable = 'unavailable' in pulls ? pulls.unavailable : undefined;
  const decided = (chosen: RegistryFacts, reason: string): RegistryDiscovery => ({ chosen, candidates, reason, ...(podsUnavailable ? { podsUnavailable } : {}) });
  const held = await Promise.all(registries.map((r) => expectedImagesIn(ctx, r)));
  const holding = uniqueBest(registries, (r) => held[registries.indexOf(r)]);
  if (holding) return decided(holding, `it holds the expected images (${held[registries.indexOf(holding)]} of 2)`);
  // Narrowed to those holding the most images: a role on an empty registry does not outweigh the pushed images.
  const most = Math.max(...held);
  const alike = registries.filter((_, i) => held[i] === most);
  const grants = await registryGrants(ctx);
  const granted = (r: RegistryFacts) => grants.filter((g) => g.registry === r.name && !g.fromAbove);
  const attached = uniqueBest(alike, (r) => (granted(r).length ? 1 : 0));
  if (attached)
    return decided(
      attached,
      `a cluster of yours holds a pull role on it (${granted(attached)
        .map((g) => `${g.cluster}: ${g.role}`)
        .join(', ')})`,
    );
  const newest = newestOf(alike);
  if (newest) return decided(newest.chosen, `nothing else tells ${listed(alike)} apart: ${newest.said}`);
  return decided(alike[0], `nothing tells ${listed(alike)} apart, not even when they were created: the first by name`);
}

/** The pull roles the student's clusters hold on the registries (any cluster: the registry may be chosen before the cluster). */
async function registryGrants(ctx: CheckContext<'azure'>): Promise<PullGrant[]> {
  const { pullRoles, abacPullRoles } = ctx.profile.expect;
  const clusters = await ctx.probes.azure.managedClusters().catch(() => []);
  return readPullGrants(clusters, ctx.probes.azure, [...pullRoles, ...abacPullRoles]);
}

/** The registry ex4.registry.exists chose (re-read in this round), or a fresh discovery. */
export async function chosenRegistry(ctx: CheckContext<'azure'>): Promise<Discovery<RegistryFacts> | undefined> {
  const registries = await ctx.probes.azure.registries();
  const name = ctx.fact('registry')?.chosen.name;
  // Stryker disable next-line ConditionalExpression: a listed registry always has a name, so finding the name undefined finds none either
  const hit = name !== undefined ? registries.find((r) => r.name === name) : undefined;
  if (hit) return { chosen: hit, candidates: registries.map((r) => r.name).sort(), reason: 'chosen by ex4.registry.exists' };
  return discoverRegistry(ctx);
}
