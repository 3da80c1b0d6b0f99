/** Progress per exercise (what `done`/`next`/`failing`/`not checked` mean) and the capped history file. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendHistory, changesBetween, changesSince, historyEntry, historyFile, lastEntry, progressOf, readHistory } from './history.js';
import type { CheckResult, Status } from './model.js';
import { exerciseMark } from './progress.js';
import { loadProfile } from './profile.js';
import { pointsFor, scoreStudent } from './score.js';

const profile = loadProfile();
const root = mkdtempSync(join(tmpdir(), 'lab-grade-history-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function student(statuses: Record<string, Status>, extra: Partial<Record<string, Partial<CheckResult>>> = {}) {
  const checks: CheckResult[] = Object.entries(statuses).map(([id, status]) => ({
    id,
    exercise: Number(/^ex(\d+)/.exec(id)![1]),
    title: id,
    status,
    ...pointsFor(id, status, profile),
    message: `${id} is ${status}`,
    evidence: {},
    durationMs: 1,
    ...extra[id],
  }));
  return scoreStudent('labuser07', checks, profile, 10);
}

describe('progress per exercise', () => {
  /** Each exercise as a report shows it: its mark, `next` for the one to work on. */
  const marks = (p: ReturnType<typeof progressOf>) => p.exercises.map((e) => [e.exercise, exerciseMark(e, e === p.next)]);

  it('a failing bonus check never makes an exercise failing; the first required failure is next; a bonus exercise not done costs nothing', () => {
    const p = progressOf(
      student(
        { 'ex2.repo.cloned': 'pass', 'ex2.app.served': 'fail', 'ex5.kube.reachable': 'pass', 'ex5.pod.running': 'fail', 'ex6.myapp.deployment': 'blocked', 'ex7.helm.release': 'fail' },
        { 'ex5.pod.running': { hint: 'Exercise 5: grant Reader' } },
      ),
    );
    expect(marks(p)).toEqual([
      [2, 'done'],
      [5, 'next'],
      [6, 'failing'],
      [7, 'bonus not earned'],
    ]);
    expect(p.exercises.map((e) => e.state)).toEqual(['done', 'failing', 'failing', 'failing']);
    expect(p.firstFailing?.id).toBe('ex5.pod.running');
    expect(p.exercises[0]).toMatchObject({ points: 1, maxPoints: 1, bonus: 0, maxBonus: 1 });
  });

  it('an exercise only skipped is not checked, one that errored not gradable, with the reason; an optional one is next last', () => {
    const p = progressOf(student({ 'ex3.cluster.exists': 'skipped', 'ex4.registry.exists': 'error', 'ex4.registry.admin': 'blocked', 'ex7.helm.release': 'fail' }));
    expect(p.exercises.find((e) => e.exercise === 3)).toMatchObject({ state: 'not checked', reason: 'ex3.cluster.exists is skipped' });
    // A blocked check behind an errored root could not be checked either: not failing, not next.
    const ex4 = progressOf(student({ 'ex4.registry.exists': 'error', 'ex4.registry.admin': 'blocked' }, { 'ex4.registry.admin': { blockedBy: 'ex4.registry.exists' } }));
    expect(ex4.exercises[0]).toMatchObject({ state: 'not gradable', reason: 'ex4.registry.exists is error' });
    expect(ex4.next).toBeUndefined();
    // Blocked behind a failure elsewhere, the root cause is what to fix.
    const ex5 = progressOf(
      student({ 'ex3.cluster.healthy': 'pass', 'ex4.registry.exists': 'fail', 'ex5.pull.authorized': 'blocked' }, { 'ex5.pull.authorized': { blockedBy: 'ex4.registry.exists' } }),
    );
    expect(ex5.failures.map((c) => c.id)).toEqual(['ex4.registry.exists']);
    expect(progressOf(student({ 'ex4.registry.exists': 'error', 'ex4.registry.admin': 'pass' })).exercises[0]).toMatchObject({ state: 'not gradable', reason: 'ex4.registry.exists is error' });
    expect(p.next?.exercise).toBe(4);
    expect(progressOf(student({ 'ex6.myapp.deployment': 'pass', 'ex7.helm.release': 'fail' })).next?.exercise).toBe(7);
  });

  it('an exercise with nothing there yet is not started, one partly there in progress; every failure of the next exercise is listed', () => {
    const absent = (code: string) => ['LG-302', 'LG-601', 'LG-611'].includes(code);
    const p = progressOf(
      student(
        {
          'ex2.repo.cloned': 'pass',
          'ex3.cluster.exists': 'fail',
          'ex3.cluster.healthy': 'blocked',
          'ex6.myapp.deployment': 'fail',
          'ex6.myapi.deployment': 'fail',
          'ex6.myapi.service': 'pass',
        },
        {
          'ex3.cluster.exists': { code: 'LG-302' },
          'ex3.cluster.healthy': { blockedBy: 'ex3.cluster.exists' },
          'ex6.myapp.deployment': { code: 'LG-601' },
          'ex6.myapi.deployment': { code: 'LG-611' },
        },
      ),
      absent,
    );
    expect(marks(p)).toEqual([
      [2, 'done'],
      [3, 'next'],
      [6, 'in progress'], // something of it is there (the myapi Service), the rest not yet
    ]);
    expect(p.failures.map((c) => c.id)).toEqual(['ex3.cluster.exists']);
    const ex6 = progressOf(
      student({ 'ex6.myapp.deployment': 'fail', 'ex6.myapi.deployment': 'fail' }, { 'ex6.myapp.deployment': { code: 'LG-601' }, 'ex6.myapi.deployment': { code: 'LG-605' } }),
      absent,
    );
    // One of them is wrong rather than missing: failing, and both are listed to fix.
    expect(ex6.exercises[0].state).toBe('failing');
    expect(ex6.failures.map((c) => c.id)).toEqual(['ex6.myapp.deployment', 'ex6.myapi.deployment']);
    const none = progressOf(
      student(
        { 'ex6.myapp.deployment': 'fail', 'ex6.myapi.deployment': 'fail', 'ex7.helm.release': 'fail' },
        { 'ex6.myapp.deployment': { code: 'LG-601' }, 'ex6.myapi.deployment': { code: 'LG-611' } },
      ),
      absent,
    );
    expect(marks(none)).toEqual([
      [6, 'next'],
      [7, 'bonus not earned'],
    ]);
    const later = student({ 'ex5.pod.running': 'fail', 'ex6.myapp.deployment': 'fail' }, { 'ex6.myapp.deployment': { code: 'LG-601' } });
    expect(historyEntry(later, 'aks-greetings', { absent }).exercises).toEqual({ '5': 'next', '6': 'not started' });
  });

  it("an exercise whose checks are only blocked by another exercise's failure waits on that one: it is not failing", () => {
    const absent = (code: string) => code === 'LG-201';
    // On the VM (--local): Docker not running (Exercise 1), the repository not cloned (Exercise 2).
    const local = progressOf(
      student(
        { 'ex1.docker.usable': 'fail', 'ex2.repo.cloned': 'fail', 'ex2.compose.valid': 'blocked', 'ex2.images.built': 'blocked' },
        { 'ex2.repo.cloned': { code: 'LG-201' }, 'ex2.compose.valid': { blockedBy: 'ex2.repo.cloned' }, 'ex2.images.built': { blockedBy: 'ex1.docker.usable' } },
      ),
      absent,
    );
    expect(marks(local)).toEqual([
      [1, 'next'],
      [2, 'not started'],
    ]);
    // Exercise 6 with what passes and the rest blocked by the pull right of Exercise 5.
    const pull = { blockedBy: 'ex5.pull.authorized' };
    const ex6 = progressOf(
      student(
        { 'ex4.image.myapp': 'pass', 'ex5.pull.authorized': 'fail', 'ex5.pod.running': 'blocked', 'ex6.myapp.deployment': 'blocked', 'ex6.myapi.deployment': 'blocked', 'ex6.myapp.service': 'pass' },
        { 'ex5.pod.running': pull, 'ex6.myapp.deployment': pull, 'ex6.myapi.deployment': pull },
      ),
    );
    expect(ex6.exercises.find((e) => e.exercise === 6)).toMatchObject({ state: 'waiting', waitingOn: 5 });
    expect(ex6.next?.exercise).toBe(5);
    expect(historyEntry(student({ 'ex6.myapp.deployment': 'blocked' }, { 'ex6.myapp.deployment': { blockedBy: 'ex3.cluster.exists' } }), 'aks-greetings').exercises).toEqual({ '6': 'waiting' });
  });

  it('records a partial run as one; a whole check is compared with the last whole check', () => {
    const whole = historyEntry(student({ 'ex5.pod.running': 'fail', 'ex6.app.e2e': 'fail' }), 'aks-greetings', { at: new Date(Date.UTC(2024, 0, 1)) });
    const partial = historyEntry(student({ 'ex5.pod.running': 'pass' }), 'aks-greetings', { at: new Date(Date.UTC(2024, 0, 2)), only: ['ex5'] });
    expect(whole.only).toBeUndefined();
    expect(partial.only).toEqual(['ex5']);
    expect(lastEntry([whole, partial], 'labuser07', 'aks-greetings', { whole: true })).toBe(whole);
    expect(lastEntry([whole, partial], 'labuser07', 'aks-greetings')).toBe(partial);
  });

  it('a partial run right after a whole check does not read a check blocked by one it did not select as a change', () => {
    // The whole check: Exercise 6 blocked by Exercise 5's pull right.
    const pull = { blockedBy: 'ex5.pull.authorized' };
    const whole = historyEntry(student({ 'ex5.pull.authorized': 'fail', 'ex6.myapp.deployment': 'blocked', 'ex6.myapp.service': 'pass' }, { 'ex6.myapp.deployment': pull }), 'aks-greetings');
    expect(whole.blockedBy).toEqual({ 'ex6.myapp.deployment': 'ex5.pull.authorized' });
    // --only ex6 does not grade ex5.pull.authorized: the Deployment is graded on its own and fails; the Service broke.
    const partial = student({ 'ex6.myapp.deployment': 'fail', 'ex6.myapp.service': 'fail' });
    expect(changesSince(whole, partial, { partial: true })).toEqual([{ id: 'ex6.myapp.service', from: 'pass', to: 'fail' }]);
    // A whole check compares everything; so does a partial run with a blocker it selected itself.
    expect(changesSince(whole, partial, { partial: false }).map((c) => c.id)).toEqual(['ex6.myapp.deployment', 'ex6.myapp.service']);
    const selected = student({ 'ex5.pull.authorized': 'pass', 'ex6.myapp.deployment': 'pass' });
    expect(changesSince(whole, selected, { partial: true }).map((c) => c.id)).toEqual(['ex5.pull.authorized', 'ex6.myapp.deployment']);
    // An entry of an earlier version does not say what blocked a check: not compared in a partial run.
    expect(changesSince({ checks: whole.checks }, partial, { partial: true }).map((c) => c.id)).toEqual(['ex6.myapp.service']);
  });

  it('changes are listed in lab order, leaving out checks that ran only once', () => {
    expect(changesBetween({ a: 'fail', b: 'pass', c: 'fail' }, { a: 'pass', b: 'pass', d: 'fail', c: 'blocked' })).toEqual([
      { id: 'a', from: 'fail', to: 'pass' },
      { id: 'c', from: 'fail', to: 'blocked' },
    ]);
  });
});

describe('history file', () => {
  it('lives in $LAB_GRADE_HOME, keeps the newest runs past the cap and skips a damaged line', () => {
    const file = historyFile({ LAB_GRADE_HOME: join(root, 'home') });
    expect(file).toBe(join(root, 'home', 'history.jsonl'));
    for (let i = 0; i < 4; i++) appendHistory(file, historyEntry(student({ 'ex5.pod.running': i % 2 ? 'pass' : 'fail' }), 'aks-greetings', { at: new Date(Date.UTC(2024, 0, 1, 12, i)) }), 3);
    appendFileSync(file, '{"at": "half a line\n');
    const entries = readHistory(file);
    expect(entries.map((e) => e.at)).toEqual(['2024-01-01T12:01:00.000Z', '2024-01-01T12:02:00.000Z', '2024-01-01T12:03:00.000Z']);
    expect(entries[0]).toMatchObject({ user: 'labuser07', score: 2, maxScore: 2, exercises: { '5': 'done' }, checks: { 'ex5.pod.running': 'pass' } });
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(4);
  });
});
