/**
 * `lab-grade live` end to end: the real CLI in a child process grading the simulated lab in rounds while
 * the scenario files change between rounds, its ledger, its dashboard's /api/class, `merge --credit`,
 * `--follow` (of a finished ledger, and of one another grader is still writing), Ctrl-C, and a SIGKILL mid-round followed by a restart on the same ledger.
 */
import { createServer, type Server } from 'node:net';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClassSnapshot, StudentRow } from '../live/state.js';
import type { JsonDocument, JsonStudent } from '../reporters/json.js';
import { runCli } from '../test/support/cli.js';
import { afterExercise7Step2, afterExercise7Step2With, armHangs, killLeftovers, ledgerLines, startLive, startWorkshop, type Workshop } from '../test/support/live-workshop.js';

let workshop: Workshop;

const api = async (url: string): Promise<ClassSnapshot> => (await (await fetch(new URL('api/class', url))).json()) as ClassSnapshot;
const rowOf = (snapshot: ClassSnapshot, user: string): StudentRow => snapshot.students.find((s) => s.user === user)!;
const cell = (row: StudentRow, exercise: number) => row.cells.find((c) => c.exercise === exercise)!;

/** `lab-grade merge LEDGER --credit MODE -r json=…`, read back. */
async function merged(ledger: string, credit: 'earned' | 'final'): Promise<Map<string, JsonStudent>> {
  const out = join(workshop.dir, `merged-${credit}.json`);
  const r = await runCli(['merge', ledger, '--credit', credit, '-r', `json=${out}`]);
  expect(r.stderr).not.toMatch(/warning|error/i);
  expect([0, 1]).toContain(r.code);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as JsonDocument;
  return new Map(doc.students.map((s) => [s.user, s]));
}

const check = (s: JsonStudent, id: string) => s.checks.find((c) => c.id === id)!;
const EX6_SERVICES = ['ex6.myapp.service', 'ex6.myapi.service'];

describe('lab-grade live against the simulated lab', () => {
  beforeAll(async () => {
    workshop = await startWorkshop(['01-perfect.yaml', '08-barely-started.yaml']);
  }, 60_000);
  afterEach(() => {
    killLeftovers();
    workshop.reset();
  });
  afterAll(async () => {
    await workshop?.stop();
  });

  it('grades in rounds while the lab changes: after Exercise 7 step 2 the Exercise 6 checks keep their credit with earned, not with final', async () => {
    const ledger = join(workshop.dir, 'workshop.jsonl');
    // Long enough that round 1 ends before round 2 is due, even on a busy machine: the lab changes in between.
    const live = startLive(['live', '-c', workshop.configFile, '--interval', '8', '--port', '0', '--ledger', ledger]);
    const [, url] = await live.waitFor(/^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    expect(live.stderr().startsWith('Dashboard: ')).toBe(true);
    await live.waitFor(/^Round 1: 2 students graded/m);
    const round1 = await api(url);
    expect(cell(rowOf(round1, 'labuser01'), 6).state).toBe('done');
    expect(cell(rowOf(round1, 'labuser01'), 7).state).toBe('not started');

    workshop.change('labuser01', afterExercise7Step2);
    await live.waitFor(/^Round 2: 2 students graded/m, 30_000);
    const lines = ledgerLines(ledger);
    expect(lines.map((l) => `${l.round} ${l.student.user}`).sort()).toEqual(['1 labuser01', '1 labuser08', '2 labuser01', '2 labuser08']);
    const [first, latest] = [1, 2].map((round) => lines.find((l) => l.round === round && l.student.user === 'labuser01')!.student);
    // The lab's own teardown: the Services are gone now, the Helm release failed.
    for (const id of EX6_SERVICES) {
      expect(first.checks.find((c) => c.id === id)!.status).toBe('pass');
      expect(latest.checks.find((c) => c.id === id)!.status).toBe('fail');
    }
    expect(latest.score).toBeLessThan(first.score);

    // The dashboard (earned, live's default): Exercise 6 stays done, marked as not there now.
    const earnedRow = rowOf(await api(url), 'labuser01');
    expect(earnedRow.round).toBe(2);
    expect(earnedRow.score).toBe(first.score);
    expect(cell(earnedRow, 6).state).toBe('done');
    expect(cell(earnedRow, 6).brokenNow).toEqual(expect.arrayContaining(EX6_SERVICES));
    expect(cell(earnedRow, 7).state).toBe('failing');

    // Ctrl-C stops cleanly, naming the command that continues the workshop.
    live.child.kill('SIGINT');
    expect((await live.exited).code).toBe(130);
    expect(live.stderr()).toContain(`lab-grade: stopped; continue with \`lab-grade live -c ${workshop.configFile} --interval 8 --port 0 --ledger ${ledger}\``);
    expect(ledgerLines(ledger)).toHaveLength(4);

    // The same ledger through merge: earned keeps the first pass (with what is there now), final does not.
    const earned = (await merged(ledger, 'earned')).get('labuser01')!;
    const final = (await merged(ledger, 'final')).get('labuser01')!;
    expect(earned.credit).toBe('earned');
    expect(final.credit).toBe('final');
    expect((await runCli(['merge', ledger, '--credit', 'final'])).stdout).toContain('(final credit) (aks-greetings) — 2 students');
    expect(earned.score).toBe(first.score);
    expect(final.score).toBe(latest.score);
    for (const id of EX6_SERVICES) {
      expect(check(earned, id)).toMatchObject({ status: 'pass', earnedRound: 1, now: { status: 'fail' } });
      expect(check(earned, id).points).toBe(check(earned, id).maxPoints);
      expect(check(final, id)).toMatchObject({ status: 'fail', points: 0, earnedRound: 1 });
    }

    // The dashboard of the same ledger in final mode (the class config's `credit: final`), served by --follow.
    const finalConfig = join(workshop.dir, 'lab', 'final.yaml');
    writeFileSync(finalConfig, readFileSync(workshop.configFile, 'utf8'));
    appendFileSync(finalConfig, 'credit: final\n');
    const follower = startLive(['live', '--follow', join(workshop.dir, 'work*.jsonl'), '-c', finalConfig, '--port', '0']); // this test's ledger only, whatever others left
    const [, followUrl] = await follower.waitFor(/^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    let snapshot = await api(followUrl);
    for (let i = 0; i < 100 && snapshot.version < 4; i++) snapshot = await new Promise((r) => setTimeout(r, 100)).then(() => api(followUrl));
    expect(snapshot.version).toBe(4);
    expect(snapshot.mode).toBe('final');
    const finalRow = rowOf(snapshot, 'labuser01');
    expect(finalRow.score).toBe(latest.score);
    expect(cell(finalRow, 6).state).toBe('failing');
    follower.child.kill('SIGINT');
    expect((await follower.exited).code).toBe(130);
  }, 120_000);

  it('with Helm 3: a failed install after Exercise 7 step 2 leaves a failed release Secret; Exercise 6 keeps its earned credit, Exercise 7 is failing', async () => {
    const ledger = join(workshop.dir, 'helm3.jsonl');
    // Round 1 ends before round 2 is due, even on a busy machine: the lab changes in between.
    const live = startLive(['live', '-c', workshop.configFile, '--interval', '8', '--port', '0', '--ledger', ledger]);
    const [, url] = await live.waitFor(/^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    await live.waitFor(/^Round 1: 2 students graded/m);
    workshop.change('labuser01', afterExercise7Step2With(3));
    await live.waitFor(/^Round 2: 2 students graded/m, 30_000);
    const row = rowOf(await api(url), 'labuser01');
    live.child.kill('SIGINT');
    expect((await live.exited).code).toBe(130);

    const lines = ledgerLines(ledger).filter((l) => l.student.user === 'labuser01');
    const [first, latest] = [1, 2].map((round) => lines.find((l) => l.round === round)!.student);
    const release = latest.checks.find((c) => c.id === 'ex7.helm.release') as JsonStudent['checks'][number];
    expect(release).toMatchObject({ status: 'fail', code: 'LG-703', found: 'failed', evidence: { release: 'greetings', helm: 3, status: 'failed' } });
    for (const id of EX6_SERVICES) expect(latest.checks.find((c) => c.id === id)!.status).toBe('fail');

    // The dashboard (earned credit): Exercise 6 done, marked as not there now; Exercise 7 failing.
    expect(row.round).toBe(2);
    expect(row.score).toBe(first.score);
    expect(cell(row, 6).state).toBe('done');
    expect(cell(row, 6).brokenNow).toEqual(expect.arrayContaining(EX6_SERVICES));
    expect(cell(row, 7).state).toBe('failing');
    const earned = (await merged(ledger, 'earned')).get('labuser01')!;
    expect(earned.score).toBe(first.score);
    for (const id of EX6_SERVICES) expect(check(earned, id)).toMatchObject({ status: 'pass', earnedRound: 1, now: { status: 'fail' } });
    expect(check(earned, 'ex7.helm.release')).toMatchObject({ status: 'fail', code: 'LG-703' });
  }, 120_000);

  it('killed with SIGKILL mid-round, it loses nothing written; restarted on its ledger it goes on with the next round, earned credit intact', async () => {
    const ledger = join(workshop.dir, 'killed.jsonl');
    const args = ['live', '-c', workshop.configFile, '--port', '0', '--no-preflight', '--ledger', ledger];
    // Round 1 ends before round 2 is due, even on a busy machine: the lab changes in between.
    const live = startLive([...args, '--interval', '8']);
    await live.waitFor(/^Round 1: 2 students graded/m);
    // Round 2: labuser01 tore down the Services; labuser08's Azure hangs, so the round stays open.
    workshop.change('labuser01', afterExercise7Step2);
    workshop.change('labuser08', armHangs);
    const deadline = Date.now() + 30_000;
    while (!ledgerLines(ledger).some((l) => l.round === 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const written = readFileSync(ledger, 'utf8');
    live.child.kill('SIGKILL');
    expect((await live.exited).signal).toBe('SIGKILL');
    expect(readFileSync(ledger, 'utf8')).toBe(written);
    expect(ledgerLines(ledger).map((l) => `${l.round} ${l.student.user}`)).toEqual(expect.arrayContaining(['1 labuser01', '1 labuser08', '2 labuser01']));
    expect(ledgerLines(ledger).filter((l) => l.round === 2)).toHaveLength(1);

    workshop.change('labuser08', (doc) => ({ ...doc, faults: {} }));
    const again = startLive([...args, '--rounds', '1']);
    await again.waitFor(/continued after round 2: 2 students read back/);
    const done = await again.exited;
    expect(again.stderr()).toMatch(/^Round 3: 2 students graded/m);
    expect([0, 1]).toContain(done.code);
    // Everything written before the kill is still there, in place; the new round follows it.
    expect(readFileSync(ledger, 'utf8').startsWith(written)).toBe(true);
    // (students of a round are written as they finish, in any order)
    expect(
      ledgerLines(ledger)
        .map((l) => `${l.round} ${l.student.user}`)
        .sort(),
    ).toEqual(['1 labuser01', '1 labuser08', '2 labuser01', '3 labuser01', '3 labuser08']);

    const earned = (await merged(ledger, 'earned')).get('labuser01')!;
    expect(earned.round).toBe(3);
    for (const id of EX6_SERVICES) expect(check(earned, id)).toMatchObject({ status: 'pass', earnedRound: 1, now: { status: 'fail' } });
  }, 120_000);

  it('--follow serves the dashboard of a ledger another lab-grade live is still writing: a row changes when the grader writes its next round', async () => {
    const ledger = join(workshop.dir, 'followed.jsonl');
    // Round 1 ends before round 2 is due, even on a busy machine: the lab changes in between.
    const grader = startLive(['live', '-c', workshop.configFile, '--interval', '8', '--port', '0', '--ledger', ledger]);
    await grader.waitFor(/^Round 1: 2 students graded/m);
    const follower = startLive(['live', '--follow', ledger, '-c', workshop.configFile, '--port', '0']);
    const [, url] = await follower.waitFor(/^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    /** The follower's row of labuser01 once `ready` holds, polled (a follower reads what the grader appends as it appears). */
    const rowWhen = async (ready: (row: StudentRow) => boolean): Promise<StudentRow> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const row = rowOf(await api(url), 'labuser01');
        if (ready(row) || Date.now() > deadline) return row;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const before = await rowWhen((row) => row.round === 1);
    expect(before.round).toBe(1);
    expect(cell(before, 6)).toMatchObject({ state: 'done', brokenNow: [] });
    expect(cell(before, 7).state).toBe('not started');

    workshop.change('labuser01', afterExercise7Step2);
    const after = await rowWhen((row) => row.round === 2);
    // The grader is still running: the follower read round 2 from the ledger as it was written.
    expect(grader.child.exitCode).toBeNull();
    expect(after.round).toBe(2);
    expect(cell(after, 6).state).toBe('done');
    expect(cell(after, 6).brokenNow).toEqual(expect.arrayContaining(EX6_SERVICES));
    expect(cell(after, 7).state).toBe('failing');
    expect(after.score).toBe(before.score);
    // Both stop cleanly; the follower writes nothing to the ledger it follows.
    grader.child.kill('SIGINT');
    expect((await grader.exited).code).toBe(130);
    const written = readFileSync(ledger, 'utf8');
    follower.child.kill('SIGINT');
    expect((await follower.exited).code).toBe(130);
    expect(readFileSync(ledger, 'utf8') === written).toBe(true);
  }, 120_000);

  it('names what is wrong: a port in use, --follow with a grading option, a bad interval', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await runCli(['live', '-c', workshop.configFile, '--port', String(port), '--rounds', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`lab-grade: --port: port ${port} on 127.0.0.1 is in use: choose another, or 0 for a free one`);
    } finally {
      busy.close();
    }
    const follow = await runCli(['live', '--follow', 'results/*.jsonl', '--rounds', '2']);
    expect(follow.code).toBe(2);
    expect(follow.stderr).toContain('--rounds: grades; --follow only serves the dashboard');
    const interval = await runCli(['live', '-c', workshop.configFile, '--interval', 'often']);
    expect(interval.code).toBe(2);
    expect(interval.stderr).toContain('--interval: expected a number from 1 to 86400, got "often"');
  }, 60_000);
});
