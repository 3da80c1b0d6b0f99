/**
 * An app that hangs is `fail` LG-650 (README, "Statuses") whatever the class config: with
 * `timeouts.http` above the check's own deadline, the deadline fired first and the student ended
 * `error` LG-002, incomplete. A check's deadline now leaves room for each probe it needs to time out
 * once. Graded here with the hostile/http-hang scenario and a config whose HTTP timeout is longer
 * than the check deadline (the real case, `timeouts.http: 100` against 60 s, scaled down).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeAndReport } from '../../app/report-run.js';
import { NO_NOTICES } from '../../app/io.js';
import { checkDeadlineMs } from '../../core/engine.js';
import type { CheckResult } from '../../core/model.js';
import { appE2e } from '../../checks/ex6/e2e.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { gradeRequest, hostileScenario, timed } from './support.js';

const CHECK_DEADLINE_MS = 1_000;
const HTTP_TIMEOUT_MS = 2_500;

describe("a check's deadline leaves room for its probes' timeouts", () => {
  it('is the configured deadline, or each probe the check needs timing out once and a little more', () => {
    const timeouts = { kube: 20_000, http: 100_000 } as Record<string, number>;
    const deadline = checkDeadlineMs(appE2e, 60_000, (kind) => timeouts[kind]);
    expect(appE2e.needs).toEqual(['kube', 'http']);
    expect(deadline).toBeGreaterThan(timeouts.kube + timeouts.http);
    expect(checkDeadlineMs(appE2e, 600_000, (kind) => timeouts[kind])).toBe(600_000);
    expect(checkDeadlineMs({ ...appE2e, needs: [] }, 60_000, (kind) => timeouts[kind])).toBe(60_000);
  });
});

describe('a hung app with timeouts.http longer than the check deadline (hostile/http-hang)', () => {
  let sandbox: Sandbox;
  let check: CheckResult;
  beforeAll(async () => {
    sandbox = await startSandbox([hostileScenario('http-hang')]);
    const config = { ...sandbox.config, timeoutsMs: { ...sandbox.config.timeoutsMs, http: HTTP_TIMEOUT_MS } };
    const request = gradeRequest({ only: ['ex6.app.e2e'], reports: [{ format: 'json' }], engine: { checkTimeoutMs: CHECK_DEADLINE_MS } });
    const out = await timed(30_000, () => gradeAndReport(config, request, { stdout: { write: () => {}, color: false, isTTY: false }, notices: NO_NOTICES }));
    check = out.value.run.students[0].checks.find((c) => c.id === 'ex6.app.e2e')!;
  }, 40_000);
  afterAll(() => sandbox?.stop());

  it('is a fail LG-650 (the app does not answer), never the check deadline', () => {
    expect(check).toMatchObject({ status: 'fail', code: 'LG-650' });
  });
});
