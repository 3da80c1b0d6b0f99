/** ex3.cluster.nodes with and without the Kubernetes API (through the engine, with small fake probes). */
import { describe, expect, it } from 'vitest';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { ProbeError, type AzureProbe, type KubeProbe, type KubeSnapshot, type ManagedClusterFacts, type Probes } from '../../probes/types.js';
import { checksOf } from '../../test/support/profile.js';

const aks: ManagedClusterFacts = {
  id: '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1',
  name: 'aks1',
  provisioningState: 'Succeeded',
  powerState: 'Running',
  agentPools: [
    { name: 'nodepool1', count: 2 },
    { name: 'extra', count: 1 },
  ],
  pullIdentityObjectIds: [],
};
const azure = {
  subscriptionId: 's',
  resourceGroup: async () => ({ name: 'rg', exists: true }),
  managedClusters: async () => [aks],
} as unknown as AzureProbe;

const node = (name: string, ready: boolean) => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
const kube = (nodes: unknown[] | Error) =>
  ({
    snapshot: async () => {
      if (nodes instanceof Error) throw nodes;
      return { nodes, pods: [], unreadable: {} } as unknown as KubeSnapshot;
    },
  }) as unknown as KubeProbe;

async function nodesCheck(probes: Probes) {
  const { result } = await gradeStudent({ user: 'u', resourceGroup: 'rg' }, checksOf(3), { probes }, loadProfile());
  return result.checks.find((c) => c.id === 'ex3.cluster.nodes')!;
}

describe('ex3.cluster.nodes', () => {
  it('pools add to 3 (over two pools) and 3 nodes are Ready', async () => {
    const c = await nodesCheck({ azure, kube: kube([node('a', true), node('b', true), node('c', true)]) });
    expect(c).toMatchObject({ status: 'pass', message: 'the agent pools have 3 node(s), 3 Ready in Kubernetes' });
    expect(c.evidence).toMatchObject({ total: 3, readyNodes: 3 });
  });

  it('pools add to 3 but only 2 nodes are Ready: fail, wait and re-run', async () => {
    const c = await nodesCheck({ azure, kube: kube([node('a', true), node('b', true), node('c', false)]) });
    expect(c).toMatchObject({ status: 'fail', message: 'only 2 of 3 nodes are Ready in Kubernetes' });
  });

  it('the Kubernetes API fails: ARM decides, and the evidence says why Kubernetes did not count', async () => {
    const c = await nodesCheck({ azure, kube: kube(new ProbeError('kube', 'forbidden: nodes')) });
    expect(c.status).toBe('pass');
    expect(c.evidence).toMatchObject({ readyNodes: null, kubernetes: 'forbidden: nodes' });
  });

  it('no Kubernetes access at all: ARM decides', async () => {
    expect((await nodesCheck({ azure })).status).toBe('pass');
  });
});
