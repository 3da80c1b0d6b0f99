/** Choosing the student's cluster among several in the resource group, and saying why. */
import { describe, expect, it } from 'vitest';
import type { ManagedClusterFacts } from '../types.js';
import { chooseCluster } from './choose-cluster.js';

const cluster = (name: string, more: Partial<ManagedClusterFacts> = {}): ManagedClusterFacts => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  provisioningState: 'Succeeded',
  powerState: 'Running',
  agentPools: [{ name: 'nodepool1', count: 3 }],
  pullIdentityObjectIds: [],
  ...more,
});

describe('chooseCluster', () => {
  it('one cluster: it', () => {
    expect(chooseCluster([cluster('aks1')])).toMatchObject({ chosen: { name: 'aks1' }, candidates: ['aks1'], reason: 'the only managed cluster in the resource group' });
  });

  it('none: undefined', () => {
    expect(chooseCluster([])).toBeUndefined();
  });

  it('several: the running one', () => {
    const d = chooseCluster([cluster('a-broken', { provisioningState: 'Failed' }), cluster('b-ok')]);
    expect(d).toMatchObject({ chosen: { name: 'b-ok' }, candidates: ['a-broken', 'b-ok'], reason: 'the only one of them that is provisioned and running' });
  });

  it('several running: the first by name; none running: the first by name', () => {
    expect(chooseCluster([cluster('zeta'), cluster('Alpha')])).toMatchObject({ chosen: { name: 'Alpha' }, reason: 'several are running: the first by name' });
    expect(chooseCluster([cluster('b', { powerState: 'Stopped' }), cluster('a', { provisioningState: 'Creating' })])).toMatchObject({
      chosen: { name: 'a' },
      reason: 'none is running: the first by name',
    });
  });
});
