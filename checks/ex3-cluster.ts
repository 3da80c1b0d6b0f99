/** Exercise 3: the AKS cluster, discovered in the student's resource group. */
import { fail, pass, type CheckContext, type CheckDef } from '../core/check.js';
import { errorMessage } from '../core/errors.js';
import type { Evidence, Verdict } from '../core/model.js';
import type { ManagedClusterFacts } from '../probes/types.js';
import { chosenCluster, discoverCluster } from './discovery.js';
import { ex3Messages as m } from './ex3-cluster.messages.js';

/** States a cluster passes through on its own: waiting can change the answer. */
const IN_PROGRESS = new Set(['Creating', 'Updating', 'Upgrading', 'Scaling', 'Starting', 'Stopping', 'Migrating', 'Reconciling']);

async function clusterExists(ctx: CheckContext): Promise<Verdict> {
  const rg = ctx.target.resourceGroup;
  // Both at once (one round trip, not two): listing a missing group's clusters answers [] anyway.
  const [group, found] = await Promise.all([ctx.probes.azure!.resourceGroup(), discoverCluster(ctx)]);
  if (!group.exists) return fail(m.groupMissing(rg), m.groupMissingHint(rg), { resourceGroup: rg, exists: false });
  if (!found) return fail(m.noCluster(rg), m.noClusterHint(rg), { resourceGroup: rg, candidates: [] });
  const c = found.chosen;
  return pass(m.found(c.name, found.candidates.length, found.reason), {
    resourceGroup: rg,
    cluster: c.name,
    clusterId: c.id,
    candidates: found.candidates,
    reason: found.reason,
    location: c.location,
    kubernetesVersion: c.kubernetesVersion,
  });
}

/** The chosen cluster, or a fail verdict when it vanished since ex3.cluster.exists. */
async function withCluster(ctx: CheckContext, run: (c: ManagedClusterFacts) => Promise<Verdict> | Verdict): Promise<Verdict> {
  const found = await chosenCluster(ctx);
  if (!found) return fail(m.noCluster(ctx.target.resourceGroup), m.noClusterHint(ctx.target.resourceGroup));
  return run(found.chosen);
}

function clusterHealthy(ctx: CheckContext): Promise<Verdict> {
  const rg = ctx.target.resourceGroup;
  return withCluster(ctx, (c) => {
    const state = c.provisioningState ?? 'unknown';
    const power = c.powerState ?? 'Running';
    const evidence: Evidence = { cluster: c.name, provisioningState: state, powerState: c.powerState ?? null };
    if (IN_PROGRESS.has(state)) return fail(m.inProgress(c.name, state), m.inProgressHint(c.name, rg), evidence, false);
    if (state === 'Deleting') return fail(m.deleting(c.name), m.noClusterHint(rg), evidence, true);
    if (state !== 'Succeeded') return fail(m.broken(c.name, state), m.brokenHint(c.name, rg), evidence, true);
    if (power !== 'Running') return fail(m.stopped(c.name, power), m.stoppedHint(c.name, rg), evidence, false);
    return pass(m.healthy(c.name), evidence);
  });
}

/** Ready nodes from the Kubernetes API, or why they could not be counted (never a failure by itself). */
async function readyNodes(ctx: CheckContext): Promise<{ ready: number; names: string[] } | { unavailable: string }> {
  if (!ctx.probes.kube) return { unavailable: 'no Kubernetes access configured' };
  try {
    const snap = await ctx.probes.kube.snapshot();
    if (snap.unreadable?.nodes) return { unavailable: `nodes unreadable: ${snap.unreadable.nodes}` };
    const ready = snap.nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return { ready: ready.length, names: ready.map((n) => n.metadata?.name ?? '?') };
  } catch (err) {
    return { unavailable: errorMessage(err) };
  }
}

function clusterNodes(ctx: CheckContext): Promise<Verdict> {
  const rg = ctx.target.resourceGroup;
  const want = ctx.profile.expect.nodes;
  return withCluster(ctx, async (c) => {
    const sum = c.agentPools.reduce((n, p) => n + p.count, 0);
    const pools = c.agentPools.map((p) => `${p.name}: ${p.count}`).join(', ') || 'no pools';
    const evidence: Evidence = { cluster: c.name, agentPools: c.agentPools.map((p) => ({ name: p.name, count: p.count })), total: sum, expected: want };
    if (sum !== want) return fail(m.wrongCount(sum, want, pools), m.wrongCountHint(c.name, rg, want), evidence, true);
    const k = await readyNodes(ctx);
    if ('unavailable' in k) return pass(m.nodes(sum), { ...evidence, readyNodes: null, kubernetes: k.unavailable });
    const withReady = { ...evidence, readyNodes: k.ready, readyNodeNames: k.names };
    if (k.ready < want) return fail(m.notReady(k.ready, want), m.notReadyHint(c.name, rg), withReady, false);
    return pass(m.nodes(sum, k.ready), withReady);
  });
}

export const ex3Checks: CheckDef[] = [
  { id: 'ex3.cluster.exists', exercise: 3, title: 'An AKS cluster exists in the resource group', needs: ['azure'], dependsOn: [], run: clusterExists },
  { id: 'ex3.cluster.healthy', exercise: 3, title: 'The cluster is provisioned and running', needs: ['azure'], dependsOn: ['ex3.cluster.exists'], run: clusterHealthy },
  { id: 'ex3.cluster.nodes', exercise: 3, title: 'The cluster has 3 nodes', needs: ['azure'], dependsOn: ['ex3.cluster.exists'], run: clusterNodes },
];
