/**
 * Exercise 5 steps 3–4 with a stand-in Kubernetes probe: the API answers, or, when it does not, the
 * cluster's state from Azure says why (stopped: LG-501, being created or started: LG-502). Any other
 * failure to reach it is the grader's error, left to the engine (LG-014).
 */
import { describe, expect, it } from 'vitest';
import { defineCheck, pass, type Facts } from '../../core/check.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { selectChecks } from '../../core/selection.js';
import { ProbeError, type ClusterChoice, type KubeProbe, type ManagedClusterFacts } from '../../probes/types.js';
import { runWith, STUDENT } from '../../test/support/check-run.js';
import { discovered, LAB_CLUSTER } from '../../test/support/lab-azure.js';
import '../facts.js';
import { kubeReachable } from './reachable.js';

const SERVER = 'https://aks07-dns-4f2a.hcp.westeurope.azmk8s.io:443';
const NO_ANSWER = new ProbeError('kube', `GET ${SERVER}/version: connect ETIMEDOUT`, { code: 'ETIMEDOUT' });

/** A Kubernetes probe reading `choice`'s cluster, whose API answers or fails with `answer`. */
function api(answer: Error | { gitVersion: string }, choice: ClusterChoice = { name: 'aks07', reason: 'the only managed cluster', candidates: ['aks07'] }): KubeProbe {
  return {
    cluster: async () => choice,
    reach: async () => {
      if (answer instanceof Error) throw answer;
      return { server: SERVER, gitVersion: answer.gitVersion };
    },
  } as Partial<KubeProbe> as KubeProbe;
}
const factOf = (over: Partial<ManagedClusterFacts>): Partial<Facts> => ({ cluster: discovered({ ...LAB_CLUSTER, ...over }) });
const reach = (kube: KubeProbe, cluster: Partial<ManagedClusterFacts> | null = {}) => runWith(kubeReachable, { kube }, { facts: cluster ? factOf(cluster) : {} });

describe('ex5.kube.reachable', () => {
  it('passes when the API answers, naming the cluster and its version', async () => {
    expect(await reach(api({ gitVersion: 'v1.30.5' }))).toEqual({
      status: 'pass',
      message: `the API of cluster aks07 at ${SERVER} answers (Kubernetes v1.30.5)`,
      evidence: { server: SERVER, version: 'v1.30.5', cluster: 'aks07' },
    });
  });

  it('among several clusters, says which it read and why', async () => {
    const choice = { name: 'aks07', reason: 'the only one of them that is provisioned and running', candidates: ['aks07', 'old-aks'] };
    expect(await reach(api({ gitVersion: 'v1.30.5' }, choice))).toMatchObject({ evidence: { cluster: 'aks07', chosenBecause: choice.reason, candidates: choice.candidates } });
  });

  it.each(['Stopped', 'Stopping', 'Deallocated'])('a cluster %s in Azure, whose API does not answer, is the error LG-501', async (powerState) => {
    expect(await reach(api(NO_ANSWER), { powerState })).toMatchObject({
      status: 'error',
      code: 'LG-501',
      evidence: { cluster: 'aks07', powerState, provisioningState: 'Succeeded', answer: NO_ANSWER.message },
    });
  });

  it.each([
    ['being created', { provisioningState: 'Creating', powerState: 'Running' }, 'Creating'],
    ['starting', { provisioningState: 'Succeeded', powerState: 'Starting' }, 'Starting'],
    // `az aks start` under way: the operation in progress decides, whatever power state ARM shows meanwhile.
    ['being started from Stopped', { provisioningState: 'Starting', powerState: 'Stopped' }, 'Starting'],
  ])('a cluster %s, whose API does not answer yet, is the error LG-502, naming the state', async (_what, state, named) => {
    expect(await reach(api(NO_ANSWER), state)).toMatchObject({
      status: 'error',
      code: 'LG-502',
      message: `cluster aks07 is still ${named}: its API does not answer yet; wait and re-run`,
      evidence: state,
    });
  });

  it('a cluster being stopped (`az aks stop` under way, still shown Running) is the error LG-501: wait for Stopped, then start it (AKS refuses a start meanwhile)', async () => {
    const rg = STUDENT.resourceGroup;
    expect(await reach(api(NO_ANSWER), { provisioningState: 'Stopping', powerState: 'Running' })).toMatchObject({
      status: 'error',
      code: 'LG-501',
      message: `cluster aks07 is Stopping, so its API does not answer: \`az aks stop\` is still under way and \`az aks start\` is refused until it ends: wait until \`az aks show -g ${rg} -n aks07 --query powerState.code -o tsv\` says Stopped, then run \`az aks start -g ${rg} -n aks07\`, then re-run`,
    });
  });

  it('a Stopped cluster is started at once', async () => {
    expect(await reach(api(NO_ANSWER), { provisioningState: 'Succeeded', powerState: 'Stopped' })).toMatchObject({
      code: 'LG-501',
      message: `cluster aks07 is Stopped, so its API does not answer: start it with \`az aks start --name aks07 --resource-group ${STUDENT.resourceGroup}\`, then re-run`,
    });
  });

  it.each([
    ['a running cluster', {}],
    ['no cluster known from Azure', null],
  ])("an API that does not answer, with %s, leaves the probe's error to the engine", async (_what, cluster) => {
    await expect(reach(api(NO_ANSWER), cluster)).rejects.toBe(NO_ANSWER);
  });

  it('an error that is not the probe’s is not explained by a stopped cluster', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    await expect(reach(api(bug), { powerState: 'Stopped' })).rejects.toBe(bug);
  });

  it('through the engine, that probe error is LG-014', async () => {
    const found = defineCheck({
      id: 'ex3.cluster.exists',
      exercise: 3,
      title: () => 'stand-in',
      points: { points: 0 },
      needs: [],
      dependsOn: [],
      provides: ['cluster'],
      reasons: {},
      run: async () => pass('found', {}, { facts: factOf({}) }),
    });
    const { result } = await gradeStudent(STUDENT, selectChecks([found, kubeReachable]), { probes: { kube: api(NO_ANSWER) } }, loadProfile());
    expect(result.checks[1]).toMatchObject({ id: 'ex5.kube.reachable', status: 'error', code: 'LG-014' });
  });
});
