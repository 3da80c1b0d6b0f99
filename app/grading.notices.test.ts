/**
 * What a run says while it runs: `--wait` names the checks it still polls (at most once per poll round,
 * only when that changed), and a partial run (`--only`) exits by its selected checks, not the pass mark.
 */
import { describe, expect, it } from 'vitest';
import { defineCheck, fail, pass, reasons } from '../core/check.js';
import type { ClassConfig } from '../core/config.js';
import { loadProfile } from '../core/profile.js';
import type { StudentResult } from '../core/model.js';
import { grade, partialExitCode } from './grading.js';
import { createReporter } from '../reporters/index.js';
import { bufferOutput } from '../reporters/replay.js';
import { screen } from '../test/support/terminal.js';
import type { Notices } from './io.js';
import { collectedNotices } from '../test/support/notices.js';

const R = reasons({ pending: ['LG-691', 'the external IP is still pending'] });

/** A check that fails as "not ready" for its first `n` attempts per student, then passes. */
function slowCheck(n: number) {
  const attempts = new Map<string, number>();
  return defineCheck({
    id: 'ex6.fake.pending',
    exercise: 6,
    title: () => 'An external IP is assigned',
    points: { points: 1 },
    needs: [],
    dependsOn: [],
    reasons: R,
    async run(ctx) {
      const k = (attempts.get(ctx.target.user) ?? 0) + 1;
      attempts.set(ctx.target.user, k);
      return k <= n ? fail(R.pending, 'EXTERNAL-IP is <pending>', 'wait and re-run', { outcome: 'not-ready' }) : pass('203.0.113.5');
    },
  });
}

const config = (users: string[]): ClassConfig => ({
  file: '(test)',
  roster: users.map((user) => ({ user })),
  resourceGroup: '{user}-rg',
  kubernetes: { source: 'azure' },
  network: { connectTo: {}, loopbackOnly: true },
  timeoutsMs: {},
});

describe('--wait says what it waits for', () => {
  it('names the check still polled for one student, once while nothing changes', async () => {
    const notices = collectedNotices();
    const { run } = await grade({ config: config(['labuser01']), profile: loadProfile(), catalogue: [slowCheck(4)], waitSeconds: 3, engine: { pollIntervalMs: 150 } }, { reporters: [], notices });
    expect(run.students[0].checks[0].status).toBe('pass');
    const lines = notices
      .text()
      .split('\n')
      .filter((l) => l.startsWith('--wait:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^--wait: still failing, waiting for ex6\.fake\.pending \(EXTERNAL-IP is <pending>\) \(checking again every 0\.2 s, up to \d s more\)$/);
  });

  it('counts students per check for a class', async () => {
    const notices = collectedNotices();
    await grade({ config: config(['a1', 'a2', 'a3']), profile: loadProfile(), catalogue: [slowCheck(3)], waitSeconds: 3, engine: { pollIntervalMs: 150 } }, { reporters: [], notices });
    expect(notices.text()).toContain('--wait: still failing for 3 students, waiting for ex6.fake.pending (3 students)');
  });

  it('on a terminal, keeps its line out of the report: never between a student and their first check line', async () => {
    // One terminal: stdout and stderr interleave on it.
    const terminal = bufferOutput({ isTTY: true, columns: 80 });
    const notices: Notices = { status: terminal, warn: (t) => terminal.write(`lab-grade: warning: ${t}\n`) };
    const report = createReporter('console', { output: terminal });
    await grade({ config: config(['labuser01']), profile: loadProfile(), catalogue: [slowCheck(4)], waitSeconds: 3, engine: { pollIntervalMs: 150 } }, { reporters: [report], notices });
    const lines = screen(terminal.text());
    const student = lines.indexOf('labuser01');
    expect(lines[student + 1]).toMatch(/^ {2}✓ ex6\.fake\.pending /);
    // It was drawn while the check was polled, in place, and cleared before the report went on.
    expect(terminal.text()).toContain('\r\x1b[K--wait: still failing, waiting for ex6.fake.pending');
    expect(lines.filter((l) => l.includes('--wait'))).toEqual([]);
  });

  it('says nothing without --wait', async () => {
    const notices = collectedNotices();
    await grade({ config: config(['labuser01']), profile: loadProfile(), catalogue: [slowCheck(1)], engine: { pollIntervalMs: 150 } }, { reporters: [], notices });
    expect(notices.text()).not.toContain('--wait');
  });
});

describe('a partial run exits by its selected checks', () => {
  const student = (statuses: Array<[string, StudentResult['checks'][number]['status'], number, boolean?]>): StudentResult => ({
    user: 'u',
    status: statuses.some(([, s]) => s === 'error') ? 'incomplete' : 'graded',
    score: 0,
    maxScore: 0,
    bonus: 0,
    percent: 0,
    passed: false,
    durationMs: 1,
    checks: statuses.map(([id, status, maxPoints, bonus = false]) => ({ id, exercise: 7, title: id, status, points: 0, maxPoints, bonus, message: '', evidence: {}, durationMs: 1 })),
  });

  it('0 when every selected required check passed, whatever the pass mark; a bonus not earned is no failure', () => {
    expect(
      partialExitCode([
        student([
          ['ex7.helm.release', 'fail', 2, true],
          ['ex7.tiller', 'pass', 0],
        ]),
      ]),
    ).toBe(0);
    expect(partialExitCode([student([['ex6.app.e2e', 'pass', 3]])])).toBe(0);
  });

  it('1 when a selected required check failed or is blocked, 3 when one could not be graded', () => {
    expect(partialExitCode([student([['ex6.app.e2e', 'fail', 3]])])).toBe(1);
    expect(partialExitCode([student([['ex6.app.e2e', 'blocked', 3]])])).toBe(1);
    expect(
      partialExitCode([
        student([
          ['ex6.app.e2e', 'fail', 3],
          ['ex6.myapp.service', 'error', 2],
        ]),
      ]),
    ).toBe(3);
  });
});
