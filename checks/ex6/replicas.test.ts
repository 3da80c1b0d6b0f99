/**
 * The lab's note on replicas, on hand-built snapshots with each myapi pod's list read through a stand-in
 * pod proxy: one replica, or several sharing a database and listing the same greetings; each reason code
 * where not.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeProbe } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { kubeSnapshot } from '../../test/support/kube-check.js';
import { labDeployment, labPod, podLists } from '../../test/support/kube-objects.js';
import { LOGIN_SERVER } from '../../test/support/lab-azure.js';
import { apiReplicas, DATASOURCE } from './replicas.js';

const API_IMAGE = `${LOGIN_SERVER}/myapi:v1.0`;
const SHARED = { [DATASOURCE]: 'jdbc:postgresql://db:5432/greetings' };
const pods = (n: number) => Array.from({ length: n }, (_, i) => labPod(`myapi-5c6b7-${i}`, 'myapi', API_IMAGE));

interface Cluster {
  replicas?: number;
  env?: Record<string, string>;
  pods?: V1Pod[];
  lists?: Record<string, string[] | number>;
  noDeployment?: boolean;
}
function graded({ replicas = 3, env = {}, pods: running = pods(replicas), lists = {}, noDeployment }: Cluster) {
  const snap = kubeSnapshot({ pods: running, deployments: noDeployment ? [] : [labDeployment('myapi', API_IMAGE, { replicas, env })] });
  const kube = { snapshot: async () => snap, podProxyGet: podLists(lists) } as Partial<KubeProbe> as KubeProbe;
  return runWith(apiReplicas, { kube });
}
const same = (list: string[]) => Object.fromEntries(pods(3).map((p) => [p.metadata!.name!, list]));

describe('ex6.api.replicas', () => {
  it('passes on one replica, without reading its list', async () => {
    expect(await graded({ replicas: 1 })).toMatchObject({ status: 'pass', evidence: { deployment: 'myapi', replicas: 1 } });
  });

  it('passes on replicas sharing a database that list the same greetings', async () => {
    expect(await graded({ env: SHARED, lists: same(['hello']) })).toMatchObject({ status: 'pass', evidence: { replicas: 3, [DATASOURCE]: 'set' } });
  });

  it('no Deployment myapi fails with LG-671 (not started)', async () => {
    expect(await graded({ noDeployment: true })).toMatchObject({ status: 'fail', code: 'LG-671', outcome: 'needs-fix' });
  });

  it('several replicas of which none is running fail with LG-672, which waiting can change', async () => {
    const waiting = pods(3).map((p) => labPod(p.metadata!.name!, 'myapi', API_IMAGE, { waiting: { reason: 'ContainerCreating' } }));
    expect(await graded({ pods: waiting })).toMatchObject({ status: 'fail', code: 'LG-672', outcome: 'not-ready', evidence: { deployment: 'myapi', replicas: 3 } });
  });

  it.each([
    ['still the same', same([])],
    ['already different', { 'myapi-5c6b7-0': ['hello'], 'myapi-5c6b7-1': [], 'myapi-5c6b7-2': [] }],
  ])('several replicas with in-memory lists (%s) fail with LG-673', async (_how, lists) => {
    expect(await graded({ lists })).toMatchObject({
      status: 'fail',
      code: 'LG-673',
      outcome: 'needs-fix',
      found: '3 replicas',
      expected: `1 replica, or a shared database (${DATASOURCE})`,
      evidence: { [DATASOURCE]: 'not set' },
    });
  });

  it('replicas sharing a database that list different greetings fail with LG-674', async () => {
    const lists = { 'myapi-5c6b7-0': ['hello'], 'myapi-5c6b7-1': ['hello'], 'myapi-5c6b7-2': [] };
    expect(await graded({ env: SHARED, lists })).toMatchObject({
      status: 'fail',
      code: 'LG-674',
      outcome: 'needs-fix',
      evidence: { lists: { 'myapi-5c6b7-0': ['hello'], 'myapi-5c6b7-1': ['hello'], 'myapi-5c6b7-2': [] } },
    });
  });

  it("a pod's list that cannot be read through the proxy is the grader's error (a Kubernetes ProbeError)", async () => {
    await expect(graded({ lists: { ...same([]), 'myapi-5c6b7-2': 503 } })).rejects.toMatchObject({ probe: 'kube', detail: { pod: 'myapi-5c6b7-2', status: 503 } });
  });
});
