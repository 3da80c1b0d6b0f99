/** ex5.pod.running on hand-built snapshots: the student's registry by the one rule (checks/kube/context.ts). */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../core/check.js';
import { loadProfile } from '../../core/profile.js';
import type { ManagedClusterFacts } from '../../probes/types.js';
import { kubeSnapshot, runKubeCheck } from '../../test/support/kube-check.js';
import '../facts.js';
import { podRunning } from './pod.js';

const profile = loadProfile();
const aks: ManagedClusterFacts = { id: '/x/managedClusters/aks07', name: 'aks07', agentPools: [], pullIdentityObjectIds: [], identity: 'managed' };
const IMAGE = 'labuser07acr.azurecr.io/myapp:v1.0';
const refused: V1Pod = {
  metadata: { name: 'myapp', namespace: 'default' },
  spec: { containers: [{ name: 'myapp', image: IMAGE }] },
  status: {
    phase: 'Pending',
    containerStatuses: [{ name: 'myapp', image: IMAGE, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'unauthorized: authentication required' } } }],
  },
};

describe("ex5.pod.running and the student's registry", () => {
  it('ex5.pod.running, refused, with only the cluster known: the grant names the registry the pods pull from', async () => {
    const v = await runKubeCheck(podRunning, kubeSnapshot({ pods: [refused] }), { facts: { cluster: { chosen: aks, candidates: ['aks07'], reason: 'stand-in' } } as Partial<Facts>, profile });
    expect(v).toMatchObject({ code: 'LG-521', hint: expect.stringContaining('`az aks update --name aks07 --resource-group labuser07-rg --attach-acr labuser07acr`') });
  });
});
