/** Exercise 3: the AKS cluster, discovered in the student's resource group. */
import { defineCheck, fail, pass, reasons, type CheckContext, type Verdict } from '../../core/check.js';
import { errorMessage } from '../../core/errors.js';
import type { Evidence } from '../../core/model.js';
import type { ManagedClusterFacts } from '../../probes/types.js';
import { startOnceStopped } from '../cluster-power.js';
import { chosenCluster, discoverCluster } from '../discovery.js';
import { readyNodeNames } from '../kube/nodes.js';

const create = (rg: string) => `az aks create --name <cluster name> --resource-group ${rg} --generate-ssh-keys`;
const noClusterMessage = (rg: string) => `no AKS cluster in resource group ${rg}`;
const noClusterHint = (rg: string) => `Exercise 3 step 2: create it with \`${create(rg)}\` (it may take about 10 minutes; you need not wait for it)`;

const EXISTS = reasons({
  groupMissing: ['LG-301', 'the resource group does not exist', 'absent'],
  noCluster: ['LG-302', 'no AKS cluster in the resource group', 'absent'],
});

export const clusterExists = defineCheck({
  id: 'ex3.cluster.exists',
  exercise: 3,
  passes: 'an AKS cluster is in the resource group (discovered by listing; with several, chosen by evidence)',
  title: () => 'An AKS cluster exists in the resource group',
  points: { points: 2 },
  needs: ['azure'],
  dependsOn: [],
  provides: ['cluster'],
  reasons: EXISTS,
  async run(ctx) {
    const rg = ctx.target.resourceGroup;
    // Both at once (one round trip, not two): listing a missing group's clusters answers [] anyway.
    const [group, discovered] = await Promise.all([ctx.probes.azure.resourceGroup(), discoverCluster(ctx)]);
    if (!group.exists) {
      return fail(
        EXISTS.groupMissing,
        `resource group ${rg} not found`,
        `Use the resource group your instructor gave you (check with \`az group show --name ${rg}\`), then Exercise 3 step 2: \`${create(rg)}\``,
        { evidence: { resourceGroup: rg, exists: false }, outcome: 'needs-fix' },
      );
    }
    if (!discovered) return fail(EXISTS.noCluster, noClusterMessage(rg), noClusterHint(rg), { evidence: { resourceGroup: rg, candidates: [] }, outcome: 'needs-fix' });
    // Among several, the Kubernetes probe chose by what their APIs hold: the same cluster, the same reason.
    const byApi = discovered.candidates.length > 1 ? await ctx.probes.kube?.cluster().catch(() => undefined) : undefined;
    const picked = byApi && (await ctx.probes.azure.managedClusters()).find((c) => c.name === byApi.name);
    const found = picked ? { ...discovered, chosen: picked, reason: byApi!.reason } : discovered;
    const c = found.chosen;
    return pass(
      `cluster ${c.name} found${found.candidates.length > 1 ? ` (${found.reason})` : ''}`,
      {
        resourceGroup: rg,
        cluster: c.name,
        clusterId: c.id,
        candidates: found.candidates,
        reason: found.reason,
        location: c.location,
        kubernetesVersion: c.kubernetesVersion,
      },
      { facts: { cluster: found } },
    );
  },
});

/** States a cluster passes through on its own: waiting can change the answer. */
const IN_PROGRESS = new Set(['Creating', 'Updating', 'Upgrading', 'Scaling', 'Starting', 'Stopping', 'Migrating', 'Reconciling']);

/** The chosen cluster, or a fail verdict when it vanished since ex3.cluster.exists. */
async function withCluster(ctx: CheckContext<'azure'>, gone: Parameters<typeof fail>[0], run: (c: ManagedClusterFacts) => Promise<Verdict> | Verdict): Promise<Verdict> {
  const found = await chosenCluster(ctx);
  const rg = ctx.target.resourceGroup;
  if (!found) return fail(gone, noClusterMessage(rg), noClusterHint(rg));
  return run(found.chosen);
}

const HEALTHY = reasons({
  gone: ['LG-311', 'the cluster is gone'],
  inProgress: ['LG-312', 'the cluster is still being created or changed'],
  deleting: ['LG-313', 'the cluster is being deleted'],
  broken: ['LG-314', 'the cluster is in a failed provisioning state'],
  stopped: ['LG-315', 'the cluster is stopped'],
});

export const clusterHealthy = defineCheck({
  id: 'ex3.cluster.healthy',
  exercise: 3,
  passes: 'provisioned (`Succeeded`) and `Running`; `Creating` fails with "wait and re-run", `Stopped` with `az aks start`; nothing depends on it',
  title: () => 'The cluster is provisioned and running',
  points: { points: 1 },
  needs: ['azure'],
  dependsOn: ['ex3.cluster.exists'],
  uses: ['cluster'],
  reasons: HEALTHY,
  run(ctx) {
    const rg = ctx.target.resourceGroup;
    return withCluster(ctx, HEALTHY.gone, (c) => {
      const state = c.provisioningState ?? 'unknown';
      // ARM answers powerState at every api-version since start/stop came (the SDK's too): an answer without it is a stand-in's, whose clusters never stop.
      const power = c.powerState ?? 'Running';
      const evidence: Evidence = { cluster: c.name, provisioningState: state, powerState: c.powerState ?? null };
      const found = `${state}, ${power}`;
      const expected = 'Succeeded, Running';
      if (IN_PROGRESS.has(state)) {
        return fail(
          HEALTHY.inProgress,
          `cluster ${c.name} is still ${state}: wait and re-run`,
          state === 'Stopping'
            ? `${startOnceStopped(c.name, rg)}, and re-run the grader`
            : `Exercise 3 step 2: ${state === 'Creating' ? '`az aks create`' : 'the last change to the cluster (`az aks update`, `scale`, `upgrade` or `start`)'} goes on in the background. Watch it with \`az aks show --name ${c.name} --resource-group ${rg} --query provisioningState\` and re-run the grader when it says Succeeded`,
          { evidence, found, expected },
        );
      }
      if (state === 'Deleting') return fail(HEALTHY.deleting, `cluster ${c.name} is being deleted`, noClusterHint(rg), { evidence, outcome: 'needs-fix', found, expected });
      if (state !== 'Succeeded') {
        return fail(
          HEALTHY.broken,
          `cluster ${c.name} is in provisioning state ${state}`,
          `Exercise 3 step 2: \`az aks update --name ${c.name} --resource-group ${rg}\` with no change retries the last operation and usually brings the cluster back to Succeeded (the work on a cluster whose API answers is graded either way); only a cluster that does not work at all is worth deleting (\`az aks delete --name ${c.name} --resource-group ${rg}\`) and creating again (\`${create(rg)}\`)`,
          { evidence, outcome: 'needs-fix', found, expected },
        );
      }
      if (power !== 'Running') {
        return fail(HEALTHY.stopped, `cluster ${c.name} is ${power}, not Running`, `Start it: \`az aks start --name ${c.name} --resource-group ${rg}\`, then re-run`, { evidence, found, expected });
      }
      return pass(`cluster ${c.name} is provisioned (Succeeded) and Running`, evidence);
    });
  },
});

/** Ready nodes from the Kubernetes API, or why they could not be counted (never a failure by itself). */
async function readyNodes(ctx: CheckContext<'azure'>): Promise<{ ready: number; names: string[] } | { unavailable: string }> {
  if (!ctx.probes.kube) return { unavailable: 'no Kubernetes access configured' };
  try {
    const snap = await ctx.probes.kube.snapshot();
    if (snap.unreadable?.nodes) return { unavailable: `nodes unreadable: ${snap.unreadable.nodes}` };
    const names = readyNodeNames(snap.nodes);
    return { ready: names.length, names };
  } catch (err) {
    return { unavailable: errorMessage(err) };
  }
}

const NODES = reasons({
  gone: ['LG-321', 'the cluster is gone'],
  wrongCount: ['LG-322', "the agent pools do not have the lab's node count"],
  notReady: ['LG-323', 'not every node is Ready'],
});

/** What `az aks create` makes without `--node-count`, as the lab's step runs it. */
const AKS_DEFAULT_NODES = 3;

const nodesText = (n: number, ready?: number) => `the agent pools have ${n} node(s)${ready === undefined ? '' : `, ${ready} Ready in Kubernetes`}`;

export const clusterNodes = defineCheck({
  id: 'ex3.cluster.nodes',
  exercise: 3,
  passes: '3 nodes (agent pools, and Ready nodes where the API answers)',
  title: (p) => `The cluster has ${p.expect.nodes} nodes`,
  points: { points: 1 },
  needs: ['azure'],
  dependsOn: ['ex3.cluster.exists'],
  uses: ['cluster'],
  reasons: NODES,
  run(ctx) {
    const rg = ctx.target.resourceGroup;
    const want = ctx.profile.expect.nodes;
    return withCluster(ctx, NODES.gone, async (c) => {
      const sum = c.agentPools.reduce((n, p) => n + p.count, 0);
      const pools = c.agentPools.map((p) => `${p.name}: ${p.count}`).join(', ') || 'no pools';
      const evidence: Evidence = { cluster: c.name, agentPools: c.agentPools.map((p) => ({ name: p.name, count: p.count })), total: sum, expected: want };
      if (sum !== want) {
        return fail(
          NODES.wrongCount,
          `the agent pools add up to ${sum} node(s) (${pools}), the lab wants ${want}`,
          `${want === AKS_DEFAULT_NODES ? `Exercise 3 step 2 creates ${want} nodes by default.` : `The lab wants ${want} nodes.`} Scale the cluster: \`az aks scale --name ${c.name} --resource-group ${rg} --node-count ${want}\``,
          { evidence, outcome: 'needs-fix', found: String(sum), expected: String(want) },
        );
      }
      const k = await readyNodes(ctx);
      if ('unavailable' in k) return pass(nodesText(sum), { ...evidence, readyNodes: null, kubernetes: k.unavailable });
      const withReady = { ...evidence, readyNodes: k.ready, readyNodeNames: k.names };
      if (k.ready < want) {
        return fail(
          NODES.notReady,
          `only ${k.ready} of ${want} nodes are Ready in Kubernetes`,
          `Nodes become Ready a few minutes after creating or scaling: wait and re-run; check with \`kubectl get nodes\` (after \`az aks get-credentials --name ${c.name} --resource-group ${rg}\`)`,
          { evidence: withReady, found: String(k.ready), expected: String(want) },
        );
      }
      return pass(nodesText(sum, k.ready), withReady);
    });
  },
});
