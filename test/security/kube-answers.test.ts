/**
 * A student's cluster as a memory bomb (faults.kube huge): every list the API server answers goes on
 * without end, as thousands of large Secrets labelled owner=helm or large Pods would make it. The
 * Kubernetes probe reads one answer up to its cap and one read of the cluster up to its budget, then
 * closes the connections: the server gets to send little more than the caps, memory stays flat, and
 * the student's checks are `error` LG-014 naming the list and the cap, while an innocent student graded
 * beside them gets the usual grades.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeStudents } from '../../core/result-spool.js';
import { gradeAndReport } from '../../app/report-run.js';
import { NO_NOTICES } from '../../app/io.js';
import { CHECK_IDS } from '../../checks/index.js';
import type { StudentResult } from '../../core/model.js';
import { kubeProbe } from '../../probes/kube/probe.js';
import { KUBE_ANSWER_LIMITS } from '../../probes/kube/capped-http.js';
import { KUBE_CONNECTIONS } from '../../probes/kube/dispatcher.js';
import { NetworkPolicy } from '../../probes/net.js';
import { ProbeError } from '../../probes/types.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import { BUILT_IN, gradeRequest, hostileScenario, peakMemoryDuring, rejection, timed, variant, watchConnections } from './support.js';

const MiB = 1024 * 1024;
const HOSTILE_USER = 'hostile-kube-huge';
const INNOCENT_USER = 'kube-innocent';
/**
 * What the server may have written beyond what the probe read: each connection's socket and TLS
 * buffers on loopback (a few MiB at most), filled while the probe was deciding to stop.
 */
const IN_FLIGHT = 4 * MiB;
const [perfect] = loadScenarios([join(BUILT_IN, '01-perfect.yaml')], CHECK_IDS);

let sandbox: Sandbox;
const watch = watchConnections();

beforeAll(async () => {
  sandbox = await startSandbox([hostileScenario('kube-huge'), variant(perfect, INNOCENT_USER)]);
});
afterAll(async () => {
  await sandbox?.stop();
  watch.stop();
});

const probeFor = (user: string) =>
  kubeProbe({ kubeconfig: async () => sandbox.kubeconfig(user), namespace: 'default', allowDisruptive: false, timeoutMs: 10_000, policy: new NetworkPolicy({ loopbackOnly: true }) });

/** The list requests the user's API server answered since `before`, with the body bytes it wrote. */
const listsSince = (before: number) =>
  sandbox
    .kubeRequests(HOSTILE_USER)
    .slice(before)
    .filter((r) => r.bytes !== undefined);

describe('endless lists on the probe', () => {
  it('one list: given up at the cap of one answer, the server stopped soon after', async () => {
    const before = sandbox.kubeRequests(HOSTILE_USER).length;
    const probe = probeFor(HOSTILE_USER);
    const { value: err } = await timed(20_000, () => rejection(() => probe.listPods('default', 'app=myapp')));
    await probe.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.detail).toMatchObject({ verb: 'list', resource: 'pods', limitBytes: KUBE_ANSWER_LIMITS.maxAnswerBytes });
    const [list] = listsSince(before);
    expect(list.bytes).toBeGreaterThan(KUBE_ANSWER_LIMITS.maxAnswerBytes);
    expect(list.bytes).toBeLessThan(KUBE_ANSWER_LIMITS.maxAnswerBytes + IN_FLIGHT);
  });

  it('a snapshot: its lists together stop at the budget of one read; memory stays flat, and again on the next read', async () => {
    const before = sandbox.kubeRequests(HOSTILE_USER).length;
    const probe = probeFor(HOSTILE_USER);
    await rejection(() => probe.snapshot()); // warm up: connections, code paths
    const { value, heapGrowth, rssGrowth } = await peakMemoryDuring(() => timed(20_000, () => rejection(() => probe.snapshot())));
    await probe.close();
    const err = value.value;
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.detail).toMatchObject({ verb: 'list', resource: 'pods' });
    expect([KUBE_ANSWER_LIMITS.maxAnswerBytes, KUBE_ANSWER_LIMITS.maxReadBytes]).toContain(err.detail!.limitBytes);
    const lists = listsSince(before);
    // Two snapshots of eleven lists each; each read stopped near its budget.
    expect(lists).toHaveLength(22);
    const sent = lists.reduce((sum, r) => sum + r.bytes!, 0);
    expect(sent).toBeLessThan(2 * (KUBE_ANSWER_LIMITS.maxReadBytes + KUBE_CONNECTIONS * IN_FLIGHT));
    // A read holds at most its budget (as bytes, then as text); hundreds of MB would be read otherwise.
    expect(heapGrowth).toBeLessThan(4 * KUBE_ANSWER_LIMITS.maxReadBytes);
    expect(rssGrowth).toBeLessThan(8 * KUBE_ANSWER_LIMITS.maxReadBytes);
  }, 60_000);
});

describe('endless lists graded through the CLI path, beside an innocent student', () => {
  let by: Record<string, StudentResult>;
  beforeAll(async () => {
    const request = gradeRequest({ users: [HOSTILE_USER, INNOCENT_USER], only: ['ex5', 'ex6', 'ex7'], reports: [{ format: 'json' }] });
    const out = await timed(60_000, () => gradeAndReport(sandbox.config, request, { stdout: { write: () => {}, color: false, isTTY: false }, notices: NO_NOTICES }));
    by = Object.fromEntries(Array.from(wholeStudents(out.value.run), (s) => [s.user, s]));
  }, 70_000);

  const checkOf = (user: string, id: string) => by[user].checks.find((c) => c.id === id)!;

  it("the hostile student's Kubernetes checks are errors naming the cap, never a crash", () => {
    expect(checkOf(HOSTILE_USER, 'ex5.kube.reachable').status).toBe('pass');
    for (const id of ['ex5.pod.running', 'ex6.myapp.deployment', 'ex7.helm.release']) {
      const c = checkOf(HOSTILE_USER, id);
      expect({ id, status: c.status, code: c.code }).toEqual({ id, status: 'error', code: 'LG-014' });
      expect([KUBE_ANSWER_LIMITS.maxAnswerBytes, KUBE_ANSWER_LIMITS.maxReadBytes]).toContain(c.evidence.limitBytes);
    }
  });

  it('the innocent student gets the grades of the scenario', () => {
    const ids = Object.keys(perfect.expect).filter((id) => /^ex[567]\./.test(id));
    expect(ids.length).toBeGreaterThan(5);
    const got = Object.fromEntries(ids.map((id) => [id, checkOf(INNOCENT_USER, id).status]));
    expect(got).toEqual(Object.fromEntries(ids.map((id) => [id, perfect.expect[id]])));
  });

  it('nothing left 127.0.0.0/8', () => {
    expect(watch.outsideLoopback()).toEqual([]);
  });
});
