/** ARM facts as the Azure probe normalises them, for tests of what is decided from them. */
import type { ManagedClusterFacts } from '../../probes/types.js';

/** A provisioned, running cluster of three nodes in group `rg`, pulling with the kubelet identity `kubelet-<name>`. */
export const managedCluster = (name: string, more: Partial<ManagedClusterFacts> = {}): ManagedClusterFacts => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  provisioningState: 'Succeeded',
  powerState: 'Running',
  agentPools: [{ name: 'nodepool1', count: 3 }],
  pullIdentityObjectIds: [`kubelet-${name}`],
  ...more,
});
