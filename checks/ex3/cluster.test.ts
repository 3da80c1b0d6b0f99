/**
 * Exercise 3's checks run directly on small fake probes (not through checks/index.ts: a mutant that breaks
 * the module's evaluation must fail these tests, not stop them from loading).
 */
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../core/check.js';
import { loadProfile } from '../../core/profile.js';
import type { Discovery } from '../../probes/azure/choose-cluster.js';
import { ProbeError, type AzureProbe, type ClusterChoice, type KubeProbe, type KubeSnapshot, type ManagedClusterFacts } from '../../probes/types.js';
import { clusterExists, clusterHealthy, clusterNodes } from './cluster.js';

const CREATE = 'az aks create --name <cluster name> --resource-group rg --generate-ssh-keys';

const cluster = (name: string, over: Partial<ManagedClusterFacts> = {}): ManagedClusterFacts => ({
  id: `/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  location: 'westeurope',
  kubernetesVersion: '1.30.5',
  provisioningState: 'Succeeded',
  powerState: 'Running',
  agentPools: [
    { name: 'nodepool1', count: 2 },
    { name: 'extra', count: 1 },
  ],
  pullIdentityObjectIds: [],
  ...over,
});
const aks = cluster('aks1');

/** A node as the API lists it: several conditions, of which `type` is `ready` (a real node has a few). */
const node = (name: string | undefined, ready: boolean, type = 'Ready') => ({
  ...(name === undefined ? {} : { metadata: { name } }),
  status: {
    conditions: [
      { type: 'DiskPressure', status: 'False' },
      { type, status: ready ? 'True' : 'False' },
    ],
  },
});

interface Opts {
  clusters?: ManagedClusterFacts[];
  groupExists?: boolean;
  /** The nodes the Kubernetes API lists, or the error it answers with. */
  nodes?: unknown[] | Error;
  /** Overrides of the snapshot's other fields (`unreadable`). */
  snapshot?: Record<string, unknown>;
  /** What the Kubernetes probe says its cluster is, or the error it answers with. */
  api?: ClusterChoice | Error;
  /** The cluster ex3.cluster.exists provided. */
  fact?: Discovery<ManagedClusterFacts>;
  /** A course's own node count instead of the lab's 3. */
  nodesWanted?: number;
}

function ctx(o: Opts = {}): CheckContext<'azure'> {
  const azure = {
    subscriptionId: 's',
    resourceGroup: async () => ({ name: 'rg', exists: o.groupExists ?? true }),
    managedClusters: async () => o.clusters ?? [aks],
  } as unknown as AzureProbe;
  const kube =
    o.nodes || o.api
      ? ({
          cluster: async () => {
            if (o.api instanceof Error) throw o.api;
            return o.api;
          },
          snapshot: async () => {
            if (o.nodes instanceof Error) throw o.nodes;
            return { nodes: o.nodes ?? [], pods: [], unreadable: {}, ...o.snapshot } as unknown as KubeSnapshot;
          },
        } as unknown as KubeProbe)
      : undefined;
  return {
    target: { user: 'u', resourceGroup: 'rg' },
    profile: o.nodesWanted === undefined ? loadProfile() : { ...loadProfile(), expect: { ...loadProfile().expect, nodes: o.nodesWanted } },
    probes: { azure, kube },
    fact: (name: string) => (name === 'cluster' ? o.fact : undefined),
  } as unknown as CheckContext<'azure'>;
}

const threeReady = [node('a', true), node('b', true), node('c', true)];

describe('the checks of Exercise 3 as the engine lists them', () => {
  it('ids, points, probes, dependencies and facts', () => {
    const meta = (c: typeof clusterExists) => ({ id: c.id, exercise: c.exercise, points: c.points, needs: c.needs, dependsOn: c.dependsOn, provides: c.provides, uses: c.uses });
    expect([clusterExists, clusterHealthy, clusterNodes].map(meta)).toEqual([
      { id: 'ex3.cluster.exists', exercise: 3, points: { points: 2 }, needs: ['azure'], dependsOn: [], provides: ['cluster'], uses: undefined },
      // Health does not gate the rest: a Failed or Updating cluster whose API answers is graded normally.
      { id: 'ex3.cluster.healthy', exercise: 3, points: { points: 1 }, needs: ['azure'], dependsOn: ['ex3.cluster.exists'], provides: undefined, uses: ['cluster'] },
      { id: 'ex3.cluster.nodes', exercise: 3, points: { points: 1 }, needs: ['azure'], dependsOn: ['ex3.cluster.exists'], provides: undefined, uses: ['cluster'] },
    ]);
    const profile = loadProfile();
    expect([clusterExists, clusterHealthy, clusterNodes].map((c) => c.title(profile))).toEqual([
      'An AKS cluster exists in the resource group',
      'The cluster is provisioned and running',
      'The cluster has 3 nodes',
    ]);
  });

  it('every reason code, its summary, and which mean "not started"', () => {
    expect(clusterExists.reasons).toEqual({
      groupMissing: { code: 'LG-301', summary: 'the resource group does not exist', absent: true },
      noCluster: { code: 'LG-302', summary: 'no AKS cluster in the resource group', absent: true },
    });
    expect(clusterHealthy.reasons).toEqual({
      gone: { code: 'LG-311', summary: 'the cluster is gone' },
      inProgress: { code: 'LG-312', summary: 'the cluster is still being created or changed' },
      deleting: { code: 'LG-313', summary: 'the cluster is being deleted' },
      broken: { code: 'LG-314', summary: 'the cluster is in a failed provisioning state' },
      stopped: { code: 'LG-315', summary: 'the cluster is stopped' },
    });
    expect(clusterNodes.reasons).toEqual({
      gone: { code: 'LG-321', summary: 'the cluster is gone' },
      wrongCount: { code: 'LG-322', summary: "the agent pools do not have the lab's node count" },
      notReady: { code: 'LG-323', summary: 'not every node is Ready' },
    });
  });
});

describe('ex3.cluster.exists', () => {
  it('no resource group: fail LG-301, the student must fix it, and the hint names the group and the create command', async () => {
    const v = await clusterExists.run(ctx({ groupExists: false, clusters: [] }));
    expect(v).toMatchObject({ status: 'fail', code: 'LG-301', message: 'resource group rg not found', outcome: 'needs-fix', evidence: { resourceGroup: 'rg', exists: false } });
    expect(v.hint).toContain('`az group show --name rg`');
    expect(v.hint).toContain(`\`${CREATE}\``);
  });

  it('a group without a cluster: fail LG-302 with the create command', async () => {
    const v = await clusterExists.run(ctx({ clusters: [] }));
    expect(v).toMatchObject({ status: 'fail', code: 'LG-302', message: 'no AKS cluster in resource group rg', outcome: 'needs-fix', evidence: { resourceGroup: 'rg', candidates: [] } });
    expect(v.hint).toContain(`\`${CREATE}\``);
  });

  it('the only cluster: pass, with its identity in the evidence and the discovery as a fact', async () => {
    // The Kubernetes API is not asked to choose among one.
    const v = await clusterExists.run(ctx({ api: { name: 'aks1', reason: 'the API says so', candidates: ['aks1'] } }));
    const reason = 'the only managed cluster in the resource group';
    expect(v).toEqual({
      status: 'pass',
      message: 'cluster aks1 found',
      evidence: { resourceGroup: 'rg', cluster: 'aks1', clusterId: aks.id, candidates: ['aks1'], reason, location: 'westeurope', kubernetesVersion: '1.30.5' },
      facts: { cluster: { chosen: aks, candidates: ['aks1'], reason } },
    });
  });

  const running = cluster('aks-b', { createdAt: '2024-10-01T09:15:42.526Z' });
  const stopped = cluster('aks-a', { powerState: 'Stopped', createdAt: '2024-10-01T08:15:42.526Z' });
  const byArm = 'nothing else tells aks-a, aks-b apart: the newest, created 2024-10-01 09:15 UTC';

  it('two clusters and no Kubernetes API: the choice by what ARM tells, and the message says why', async () => {
    const v = await clusterExists.run(ctx({ clusters: [stopped, running] }));
    const reason = byArm;
    expect(v).toMatchObject({ status: 'pass', message: `cluster aks-b found (${reason})`, evidence: { cluster: 'aks-b', candidates: ['aks-a', 'aks-b'], reason } });
    expect(v.facts?.cluster).toEqual({ chosen: running, candidates: ['aks-a', 'aks-b'], reason });
  });

  it("two clusters: the one the Kubernetes API chose (where the lab's Deployments are) wins, with its reason", async () => {
    const reason = "the lab's Deployments are in it";
    const v = await clusterExists.run(ctx({ clusters: [running, stopped], api: { name: 'aks-a', reason, candidates: ['aks-a', 'aks-b'] } }));
    expect(v).toMatchObject({ status: 'pass', message: `cluster aks-a found (${reason})`, evidence: { cluster: 'aks-a', clusterId: stopped.id, candidates: ['aks-a', 'aks-b'], reason } });
    expect(v.facts?.cluster).toEqual({ chosen: stopped, candidates: ['aks-a', 'aks-b'], reason });
  });

  it.each([
    ['cannot answer', new ProbeError('kube', 'the API server did not answer')],
    ['names a cluster not in the group', { name: 'elsewhere', reason: 'the current context', candidates: ['elsewhere'] }],
  ])('two clusters, the Kubernetes API %s: the choice by what ARM tells stands', async (_, api) => {
    const v = await clusterExists.run(ctx({ clusters: [stopped, running], api }));
    expect(v).toMatchObject({ status: 'pass', evidence: { cluster: 'aks-b', reason: byArm } });
  });
});

describe('ex3.cluster.healthy', () => {
  const healthy = (c: Partial<ManagedClusterFacts>) => clusterHealthy.run(ctx({ clusters: [cluster('aks1', c)] }));

  it('Succeeded and Running: pass', async () => {
    expect(await healthy({})).toEqual({
      status: 'pass',
      message: 'cluster aks1 is provisioned (Succeeded) and Running',
      evidence: { cluster: 'aks1', provisioningState: 'Succeeded', powerState: 'Running' },
    });
  });

  it('no power state reported: taken as Running', async () => {
    expect(await healthy({ powerState: undefined })).toMatchObject({ status: 'pass', evidence: { cluster: 'aks1', provisioningState: 'Succeeded', powerState: null } });
  });

  it('still Creating: a fail that says wait and re-run (waiting changes it)', async () => {
    const v = await healthy({ provisioningState: 'Creating' });
    expect(v).toMatchObject({
      status: 'fail',
      code: 'LG-312',
      message: 'cluster aks1 is still Creating: wait and re-run',
      outcome: 'not-ready',
      found: 'Creating, Running',
      expected: 'Succeeded, Running',
      evidence: { cluster: 'aks1', provisioningState: 'Creating', powerState: 'Running' },
    });
    expect(v.hint).toContain('`az aks create`');
    expect(v.hint).toContain('`az aks show --name aks1 --resource-group rg --query provisioningState`');
  });

  it.each(['Updating', 'Upgrading', 'Scaling', 'Starting', 'Migrating', 'Reconciling'])('%s: in progress, the hint names the last change', async (state) => {
    const v = await healthy({ provisioningState: state });
    expect(v).toMatchObject({ status: 'fail', code: 'LG-312', outcome: 'not-ready', message: `cluster aks1 is still ${state}: wait and re-run` });
    expect(v.hint).toContain('`az aks update`');
    expect(v.hint).not.toContain('`az aks create`');
  });

  it('Stopping: in progress; AKS refuses `az aks start` until the stop ends, so the hint waits for Stopped first', async () => {
    const v = await healthy({ provisioningState: 'Stopping' });
    expect(v).toMatchObject({ status: 'fail', code: 'LG-312', outcome: 'not-ready', message: 'cluster aks1 is still Stopping: wait and re-run' });
    expect(v.hint).toBe(
      '`az aks stop` is still under way and `az aks start` is refused until it ends: wait until `az aks show -g rg -n aks1 --query powerState.code -o tsv` says Stopped, then run `az aks start -g rg -n aks1`, and re-run the grader',
    );
  });

  it('Deleting: LG-313, create it again', async () => {
    const v = await healthy({ provisioningState: 'Deleting' });
    expect(v).toMatchObject({ status: 'fail', code: 'LG-313', message: 'cluster aks1 is being deleted', outcome: 'needs-fix', found: 'Deleting, Running', expected: 'Succeeded, Running' });
    expect(v.hint).toContain(`\`${CREATE}\``);
  });

  it('Failed: LG-314, retry with az aks update, delete and re-create only as a last resort', async () => {
    const v = await healthy({ provisioningState: 'Failed' });
    expect(v).toMatchObject({
      status: 'fail',
      code: 'LG-314',
      message: 'cluster aks1 is in provisioning state Failed',
      outcome: 'needs-fix',
      found: 'Failed, Running',
      evidence: { provisioningState: 'Failed' },
    });
    expect(v.hint).toContain('`az aks update --name aks1 --resource-group rg`');
    expect(v.hint).toContain('`az aks delete --name aks1 --resource-group rg`');
    expect(v.hint).toContain(`\`${CREATE}\``);
  });

  it('no provisioning state at all: unknown, a failed state', async () => {
    expect(await healthy({ provisioningState: undefined })).toMatchObject({ code: 'LG-314', found: 'unknown, Running', evidence: { provisioningState: 'unknown' } });
  });

  it('Stopped: LG-315 with `az aks start`', async () => {
    const v = await healthy({ powerState: 'Stopped' });
    expect(v).toMatchObject({
      status: 'fail',
      code: 'LG-315',
      message: 'cluster aks1 is Stopped, not Running',
      outcome: 'not-ready',
      found: 'Succeeded, Stopped',
      expected: 'Succeeded, Running',
      evidence: { cluster: 'aks1', provisioningState: 'Succeeded', powerState: 'Stopped' },
    });
    expect(v.hint).toContain('`az aks start --name aks1 --resource-group rg`');
  });

  it('grades the cluster ex3.cluster.exists chose, in its current state', async () => {
    const chosen = cluster('aks-a', { provisioningState: 'Succeeded' });
    const fact = { chosen, candidates: ['aks-a', 'aks-b'], reason: "the lab's Deployments are in it" };
    const v = await clusterHealthy.run(ctx({ clusters: [cluster('aks-b'), cluster('aks-a', { powerState: 'Stopped' })], fact }));
    expect(v).toMatchObject({ code: 'LG-315', message: 'cluster aks-a is Stopped, not Running' });
  });

  it('the cluster is gone since: LG-311 with the create command', async () => {
    const v = await clusterHealthy.run(ctx({ clusters: [], fact: { chosen: aks, candidates: ['aks1'], reason: 'x' } }));
    expect(v).toMatchObject({ status: 'fail', code: 'LG-311', message: 'no AKS cluster in resource group rg' });
    expect(v.hint).toContain(`\`${CREATE}\``);
  });
});

describe('ex3.cluster.nodes', () => {
  const nodes = (o: Opts) => clusterNodes.run(ctx(o));

  it('pools add to 3 (over two pools) and 3 nodes are Ready', async () => {
    expect(await nodes({ nodes: threeReady })).toEqual({
      status: 'pass',
      message: 'the agent pools have 3 node(s), 3 Ready in Kubernetes',
      evidence: {
        cluster: 'aks1',
        agentPools: [
          { name: 'nodepool1', count: 2 },
          { name: 'extra', count: 1 },
        ],
        total: 3,
        expected: 3,
        readyNodes: 3,
        readyNodeNames: ['a', 'b', 'c'],
      },
    });
  });

  it('more Ready nodes than the lab wants is fine; a node without a name is counted as ?', async () => {
    const v = await nodes({ nodes: [...threeReady, node(undefined, true)] });
    expect(v).toMatchObject({ status: 'pass', evidence: { readyNodes: 4, readyNodeNames: ['a', 'b', 'c', '?'] } });
  });

  it('pools add to 3 but only 2 nodes are Ready: fail, wait and re-run', async () => {
    const v = await nodes({ nodes: [node('a', true), node('b', true), node('c', false)] });
    expect(v).toMatchObject({
      status: 'fail',
      code: 'LG-323',
      message: 'only 2 of 3 nodes are Ready in Kubernetes',
      outcome: 'not-ready',
      found: '2',
      expected: '3',
      evidence: { total: 3, readyNodes: 2, readyNodeNames: ['a', 'b'] },
    });
    expect(v.hint).toContain('`az aks get-credentials --name aks1 --resource-group rg`');
  });

  it('only a Ready condition that is True counts (not another condition, not a node without status or conditions)', async () => {
    const v = await nodes({ nodes: [node('a', true), node('b', true, 'MemoryPressure'), { metadata: { name: 'c' } }, { metadata: { name: 'd' }, status: {} }] });
    expect(v).toMatchObject({ code: 'LG-323', found: '1', evidence: { readyNodeNames: ['a'] } });
  });

  it('a snapshot that lists no unreadable parts still counts the nodes', async () => {
    expect(await nodes({ nodes: threeReady, snapshot: { unreadable: undefined } })).toMatchObject({ status: 'pass', evidence: { readyNodes: 3 } });
  });

  it('the nodes cannot be listed: ARM decides, and the evidence says why', async () => {
    const v = await nodes({ nodes: [], snapshot: { unreadable: { nodes: 'forbidden' } } });
    expect(v).toMatchObject({ status: 'pass', message: 'the agent pools have 3 node(s)', evidence: { total: 3, readyNodes: null, kubernetes: 'nodes unreadable: forbidden' } });
  });

  it('the Kubernetes API fails: ARM decides, and the evidence says why Kubernetes did not count', async () => {
    const v = await nodes({ nodes: new ProbeError('kube', 'forbidden: nodes') });
    expect(v).toMatchObject({ status: 'pass', message: 'the agent pools have 3 node(s)', evidence: { readyNodes: null, kubernetes: 'forbidden: nodes' } });
  });

  it('no Kubernetes access at all: ARM decides', async () => {
    expect(await nodes({})).toMatchObject({ status: 'pass', message: 'the agent pools have 3 node(s)', evidence: { readyNodes: null, kubernetes: 'no Kubernetes access configured' } });
  });

  it('a Failed or Updating cluster whose pools and nodes are right is graded normally', async () => {
    for (const provisioningState of ['Failed', 'Updating']) {
      expect(await nodes({ clusters: [cluster('aks1', { provisioningState })], nodes: threeReady })).toMatchObject({ status: 'pass' });
    }
  });

  it.each([
    [[{ name: 'nodepool1', count: 2 }], 2, 'nodepool1: 2'],
    [
      [
        { name: 'nodepool1', count: 3 },
        { name: 'extra', count: 1 },
      ],
      4,
      'nodepool1: 3, extra: 1',
    ],
    [[], 0, 'no pools'],
  ])('pools %j add up to %i: fail LG-322 with the scale command', async (agentPools, total, pools) => {
    const v = await nodes({ clusters: [cluster('aks1', { agentPools })], nodes: threeReady });
    expect(v).toMatchObject({
      status: 'fail',
      code: 'LG-322',
      message: `the agent pools add up to ${total} node(s) (${pools}), the lab wants 3`,
      outcome: 'needs-fix',
      found: String(total),
      expected: '3',
      evidence: { cluster: 'aks1', agentPools, total, expected: 3 },
    });
    expect(v.hint).toBe('Exercise 3 step 2 creates 3 nodes by default. Scale the cluster: `az aks scale --name aks1 --resource-group rg --node-count 3`');
  });

  it("a course that wants 2 nodes: the hint asks for 2 and does not call it az's default", async () => {
    const v = await nodes({ clusters: [cluster('aks1', { agentPools: [{ name: 'nodepool1', count: 3 }] })], nodes: threeReady, nodesWanted: 2 });
    expect(v).toMatchObject({ status: 'fail', code: 'LG-322', found: '3', expected: '2' });
    expect(v.hint).toBe('The lab wants 2 nodes. Scale the cluster: `az aks scale --name aks1 --resource-group rg --node-count 2`');
  });

  it('the cluster is gone: LG-321', async () => {
    expect(await nodes({ clusters: [], fact: { chosen: aks, candidates: ['aks1'], reason: 'x' } })).toMatchObject({ status: 'fail', code: 'LG-321' });
  });
});
