/**
 * Exercise 6's disruptive bonus on a stand-in cluster, its clock faked: a deleted myapi pod is replaced
 * and the replacement's list starts empty (or is the shared database's); each reason code where not.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Verdict } from '../../core/check.js';
import type { KubeProbe } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { kubeSnapshot } from '../../test/support/kube-check.js';
import { labDeployment, labPod, podLists } from '../../test/support/kube-objects.js';
import { LOGIN_SERVER } from '../../test/support/lab-azure.js';
import { DATASOURCE } from './replicas.js';
import { selfHeal } from './selfheal.js';

const API_IMAGE = `${LOGIN_SERVER}/myapi:v1.0`;
const BEFORE = labPod('myapi-5c6b7-aaaaa', 'myapi', API_IMAGE);
const FRESH = labPod('myapi-5c6b7-zzzzz', 'myapi', API_IMAGE);

interface Cluster {
  env?: Record<string, string>;
  pods?: V1Pod[];
  /** What listing the Deployment's pods answers after the deletion. */
  after?: V1Pod[];
  lists?: Record<string, string[]>;
  noDeployment?: boolean;
  waitMs?: number;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs the check, moving the faked clock on until it decides; `deleted` records the pods it deleted. */
async function graded({ env = {}, pods = [BEFORE], after = [FRESH], lists = { [FRESH.metadata!.name!]: [] }, noDeployment, waitMs = 0 }: Cluster, deleted: string[] = []): Promise<Verdict> {
  const snap = kubeSnapshot({ pods, deployments: noDeployment ? [] : [labDeployment('myapi', API_IMAGE, { env })] });
  const kube: Partial<KubeProbe> = {
    snapshot: async () => snap,
    deletePod: async (_ns, name) => void deleted.push(name),
    listPods: async (_ns, selector) => (selector === 'app=myapi' ? after : []),
    podProxyGet: podLists(lists),
  };
  let verdict: Verdict | undefined;
  const running = runWith(selfHeal, { kube: kube as KubeProbe }, { options: { allowDisruptive: true, waitMs } }).then((v) => (verdict = v));
  for (let waited = 0; !verdict && waited <= 60_000; waited += 500) await vi.advanceTimersByTimeAsync(500);
  return running;
}

describe('ex6.selfheal', () => {
  it('passes when the replacement becomes Ready with an empty list, having deleted one pod', async () => {
    const deleted: string[] = [];
    expect(await graded({}, deleted)).toMatchObject({ status: 'pass', evidence: { deleted: 'myapi-5c6b7-aaaaa', replacement: 'myapi-5c6b7-zzzzz', listed: 0 } });
    expect(deleted).toEqual(['myapi-5c6b7-aaaaa']);
  });

  it('passes when the replacement lists the shared database’s greetings', async () => {
    expect(await graded({ env: { [DATASOURCE]: 'jdbc:postgresql://db:5432/greetings' }, lists: { 'myapi-5c6b7-zzzzz': ['hello'] } })).toMatchObject({ status: 'pass', evidence: { listed: 1 } });
  });

  it('no Deployment myapi fails with LG-681 (not started), deleting nothing', async () => {
    const deleted: string[] = [];
    expect(await graded({ noDeployment: true }, deleted)).toMatchObject({ status: 'fail', code: 'LG-681', outcome: 'needs-fix' });
    expect(deleted).toEqual([]);
  });

  it('no running myapi pod to delete fails with LG-682, deleting nothing', async () => {
    const deleted: string[] = [];
    const starting = labPod('myapi-5c6b7-aaaaa', 'myapi', API_IMAGE, { waiting: { reason: 'ContainerCreating' } });
    expect(await graded({ pods: [starting] }, deleted)).toMatchObject({ status: 'fail', code: 'LG-682', outcome: 'not-ready', evidence: { deployment: 'myapi' } });
    expect(deleted).toEqual([]);
  });

  it('a replacement with greetings in an in-memory myapi fails with LG-683', async () => {
    expect(await graded({ lists: { 'myapi-5c6b7-zzzzz': ['hello'] } })).toMatchObject({
      status: 'fail',
      code: 'LG-683',
      outcome: 'needs-fix',
      evidence: { replacement: 'myapi-5c6b7-zzzzz', listed: 1 },
    });
  });

  it('no replacement Ready within 30 s fails with LG-684', async () => {
    const stillStarting = labPod('myapi-5c6b7-zzzzz', 'myapi', API_IMAGE, { waiting: { reason: 'ContainerCreating' } });
    expect(await graded({ after: [BEFORE, stillStarting] })).toMatchObject({ status: 'fail', code: 'LG-684', outcome: 'needs-fix', evidence: { deleted: 'myapi-5c6b7-aaaaa', waited: '30 s' } });
  });

  it('under --wait, the replacement may take the wait budget', async () => {
    expect(await graded({ after: [], waitMs: 45_000 })).toMatchObject({ status: 'fail', code: 'LG-684', evidence: { waited: '45 s' } });
  });
});
