/**
 * A student's app as a weapon (faults.http of the simulated lab): it hangs, streams an endless body,
 * redirects to the cloud metadata address or answers bytes that are not HTTP. Each is graded `fail`
 * within the time bound through the real CLI path; the body is cut at the cap with flat memory; the
 * redirect is not followed and no connection towards 169.254.169.254 is even attempted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeStudents } from '../../core/result-spool.js';
import { gradeAndReport } from '../../app/report-run.js';
import { NO_NOTICES } from '../../app/io.js';
import type { CheckResult } from '../../core/model.js';
import { httpProbe } from '../../probes/http/index.js';
import { ProbeError } from '../../probes/types.js';
import { externalIpFor, startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { allStrings, gradeRequest, hostileScenario, peakMemoryDuring, rejection, timed, watchConnections } from './support.js';
import { recordedPolicy } from '../support/net.js';

const FAULTS = ['hang', 'huge', 'redirect', 'garbage'] as const;
const HTTP_TIMEOUT_MS = 1_500;
/** The runtime's body cap (probes/environment.ts). */
const BODY_CAP = 512 * 1024;
const MB = 1024 * 1024;

let sandbox: Sandbox;
const watch = watchConnections();
const ipOf = (fault: (typeof FAULTS)[number]) => externalIpFor(FAULTS.indexOf(fault));

beforeAll(async () => {
  sandbox = await startSandbox(FAULTS.map((f) => hostileScenario(`http-${f}`)));
});
afterAll(async () => {
  await sandbox?.stop();
  watch.stop();
});

function probe(over: { headers?: number; body?: number } = {}) {
  const policy = recordedPolicy({ connectTo: sandbox.config.network.connectTo, loopbackOnly: true });
  return {
    policy,
    http: httpProbe({
      policy,
      timeouts: { connect: 1_000, headers: over.headers ?? HTTP_TIMEOUT_MS, body: over.body ?? 5_000 },
      maxBodyBytes: BODY_CAP,
      retry: { budgetMs: 0, baseDelayMs: 50 },
    }),
  };
}

describe('faults.http on the probe', () => {
  it('hang: cut at the headers timeout', async () => {
    const { http } = probe();
    const { value: err, ms } = await timed(HTTP_TIMEOUT_MS + 2_000, () => rejection(() => http.get(`http://${ipOf('hang')}/`)));
    await http.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/no answer \(headers\) in time/);
    expect(ms).toBeGreaterThanOrEqual(HTTP_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(HTTP_TIMEOUT_MS + 1_000);
  });

  it('huge: cut at the body cap, memory stays flat over repeated endless bodies', async () => {
    const { http } = probe();
    // Warm up (JIT, buffers), then five endless bodies in a row: no growth per read beyond the cap.
    await http.get(`http://${ipOf('huge')}/`);
    const {
      value: answers,
      rssGrowth,
      heapGrowth,
    } = await peakMemoryDuring(async () => {
      const out = [];
      for (let i = 0; i < 5; i++) out.push(await timed(5_000, () => http.get(`http://${ipOf('huge')}/`)));
      return out;
    });
    await http.close();
    for (const { value: a, ms } of answers) {
      expect(a).toMatchObject({ status: 200, truncated: true });
      expect(a.body.length).toBe(BODY_CAP);
      expect(ms).toBeLessThan(3_000);
    }
    expect(heapGrowth).toBeLessThan(24 * MB);
    expect(rssGrowth).toBeLessThan(48 * MB);
  });

  it('redirect to the metadata address: returned as it is, not followed, nothing dialled', async () => {
    const { http, policy } = probe();
    const a = await http.get(`http://${ipOf('redirect')}/`);
    await http.close();
    expect(a.status).toBe(302);
    expect(a.headers.location).toBe('http://169.254.169.254/latest/meta-data/');
    expect(policy.refused).toEqual([]); // not even an attempt the policy had to refuse
    expect(watch.towards('169.254.169.254')).toEqual([]);
  });

  it('garbage: a clear error, at once', async () => {
    const { http } = probe();
    const { value: err, ms } = await timed(3_000, () => rejection(() => http.get(`http://${ipOf('garbage')}/`)));
    await http.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/^GET http:\/\/203\.0\.113\.\d+\/: .*HTTP/);
    expect(ms).toBeLessThan(1_000);
  });
});

describe('faults.http graded through the CLI path (ex6.app.e2e)', () => {
  let by: Record<string, Record<string, CheckResult>>;
  let json: unknown;
  beforeAll(async () => {
    const sink: string[] = [];
    const config = { ...sandbox.config, timeoutsMs: { ...sandbox.config.timeoutsMs, http: HTTP_TIMEOUT_MS } };
    const { run } = await gradeAndReport(config, gradeRequest({ only: ['ex6.app.e2e'], reports: [{ format: 'json' }] }), {
      stdout: { write: (t) => void sink.push(t), color: false, isTTY: false },
      notices: NO_NOTICES,
    });
    json = JSON.parse(sink.join(''));
    by = Object.fromEntries(Array.from(wholeStudents(run), (s) => [s.user, Object.fromEntries(s.checks.map((c) => [c.id, c]))]));
  }, 20_000);

  it.each(FAULTS)('%s: ex6.app.e2e is a fail with a clear message, within the time bound', (fault) => {
    const c = by[`hostile-http-${fault}`]['ex6.app.e2e'];
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(
      {
        hang: /the app does not answer: .*timed out after 1\.5 s|no answer \(headers\) in time/,
        huge: /answered 200 without the start page's link/,
        redirect: /redirects to http:\/\/169\.254\.169\.254\/latest\/meta-data\/, which the grader does not follow/,
        garbage: /the app does not answer: GET http:\/\/203\.0\.113\.\d+\/: .*HTTP/,
      }[fault],
    );
    // Durations count from the start of the student (dependencies included): against the fault that
    // answers at once, the hang costs at most the HTTP deadline.
    expect(c.durationMs - by['hostile-http-garbage']['ex6.app.e2e'].durationMs).toBeLessThan(HTTP_TIMEOUT_MS + 2_500);
  });

  it('an endless body yields a short excerpt: messages and evidence stay small', () => {
    const c = by['hostile-http-huge']['ex6.app.e2e'];
    expect(String(c.evidence.excerpt).length).toBeLessThanOrEqual(120);
    expect(c.message.length).toBeLessThan(300);
    // Nothing in the whole report carries the body (more than 512 KiB were read).
    expect(Math.max(...allStrings(json).map((s) => s.length))).toBeLessThan(2_000);
  });

  it('nothing was dialled outside 127.0.0.0/8, and nothing at all towards the metadata address', () => {
    expect(watch.outsideLoopback()).toEqual([]);
    expect(watch.towards('169.254.169.254')).toEqual([]);
  });
});
