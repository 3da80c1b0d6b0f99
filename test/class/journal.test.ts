/**
 * The journal of a class run, in the simulated lab: a resume under another --only selection, another
 * lab profile or another --allow-disruptive is refused (it would report results graded against other rules), --regrade grades
 * everyone again; one run at a time holds a journal; default journal names never collide.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectedNotices } from '../support/notices.js';
import { CHECK_IDS } from '../../checks/index.js';
import { ConfigError } from '../../core/errors.js';
import { defaultJournalPath } from '../../core/journal.js';
import { loadProfile } from '../../core/profile.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import { writeClass, type GeneratedClass } from '../support/class.js';
import { classRun, gradeConfig } from '../support/grading.js';

const runtime = { minHttpRetryMs: 300 };
let cls: GeneratedClass;
let sandbox: Sandbox;
let dir = '';

type Line = {
  type: string;
  only?: string[];
  checks?: string[];
  profileHash?: string;
  title?: string;
  passMark?: number;
  bonusCap?: number | null;
  student?: { user: string; status: string; checks: unknown[] };
};
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
const journalRun = (file: string) => classRun({ preflight: false, journal: { file, auto: false } });
const resumeRun = (file: string, over: { regrade?: boolean; only?: 'unfinished' | 'incomplete' } = {}) =>
  classRun({ preflight: false, journal: { auto: true }, resume: { file, only: over.only ?? 'unfinished' }, ...(over.regrade ? { regrade: true } : {}) });

beforeAll(async () => {
  // Both pass Exercise 1; the second fails nearly everything after it.
  cls = writeClass(2, { templates: ['01-perfect.yaml', '08-barely-started.yaml'] });
  dir = mkdtempSync(join(tmpdir(), 'lab-grade-journal-class-'));
  sandbox = await startSandbox(loadScenarios([cls.dir], CHECK_IDS));
}, 60_000);
afterAll(() => sandbox?.stop());

describe('resuming a journal graded under other rules', () => {
  it('a journal of --only ex1 is not resumed by a run of every check (exit 2 saying what differs); --regrade grades everyone again', async () => {
    const file = join(dir, 'only-ex1.jsonl');
    const first = await gradeConfig(sandbox.config, { only: ['ex1'], classRun: journalRun(file), runtime });
    expect(first.exitCode).toBe(0); // both pass Exercise 1
    const header = lines(file)[0];
    expect(header).toMatchObject({ type: 'header', only: ['ex1'], checks: ['ex1.docker.installed', 'ex1.docker.usable', 'ex1.vm.reachable'] });
    expect(header.profileHash).toMatch(/^[0-9a-f]{64}$/);
    // How the profile judges: a merge of journals says the same as the run did.
    const profile = loadProfile();
    expect(header).toMatchObject({ title: profile.title, passMark: profile.passMark, bonusCap: profile.bonusCap });

    const refused = gradeConfig(sandbox.config, { classRun: resumeRun(file), runtime });
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(`${file}: the journal was graded with --only ex1, this run grades every check; pass --regrade to grade everyone again`);
    // The other way round too.
    const full = join(dir, 'every.jsonl');
    await gradeConfig(sandbox.config, { classRun: journalRun(full), runtime });
    await expect(gradeConfig(sandbox.config, { only: ['ex6'], classRun: resumeRun(full), runtime })).rejects.toThrow('the journal was graded with every check, this run grades --only ex6');

    const regraded = await gradeConfig(sandbox.config, { classRun: resumeRun(file, { regrade: true }), runtime });
    expect(regraded.exitCode).toBe(1); // the second student is below the pass mark once everything is graded
    expect(regraded.run.students.map((s) => s.checks.length)).toEqual([CHECK_IDS.length, CHECK_IDS.length]);
    // A new header starts the regraded part; reading the journal gives the regraded results only.
    const after = lines(file);
    expect(after.filter((l) => l.type === 'header').map((l) => l.only)).toEqual([['ex1'], []]);
    const resumedAgain = await gradeConfig(sandbox.config, { classRun: resumeRun(file), runtime });
    expect(resumedAgain.exitCode).toBe(1);
    expect(lines(file).length).toBe(after.length); // everyone was settled: nobody graded a third time
  }, 60_000);

  it('a journal graded under another lab profile (points, pass mark or expected values) is refused', async () => {
    const file = join(dir, 'profile.jsonl');
    await gradeConfig(sandbox.config, { only: ['ex1'], classRun: journalRun(file), runtime });
    const stricter = { ...loadProfile(), passMark: 95 };
    await expect(gradeConfig(sandbox.config, { only: ['ex1'], profile: stricter, classRun: resumeRun(file), runtime })).rejects.toThrow(
      /the journal was graded with another lab profile \(built-in, [0-9a-f]{12}\), this run uses built-in, [0-9a-f]{12}: points, pass mark or expected values differ; pass --regrade/,
    );
    const sameRules = await gradeConfig(sandbox.config, { only: ['ex1'], classRun: resumeRun(file), runtime });
    expect(sameRules.exitCode).toBe(0);
  }, 60_000);

  it('a journal graded with --allow-disruptive is not resumed without it (ex6.selfheal, a bonus point, would be skipped for the rest), nor the reverse', async () => {
    const file = join(dir, 'disruptive.jsonl');
    const first = await gradeConfig(sandbox.config, { only: ['ex6.selfheal'], allowDisruptive: true, classRun: journalRun(file), runtime });
    expect(first.run.students[0].checks.find((c) => c.id === 'ex6.selfheal')?.status).toBe('pass');
    expect(lines(file)[0]).toMatchObject({ type: 'header', allowDisruptive: true });
    await expect(gradeConfig(sandbox.config, { only: ['ex6.selfheal'], classRun: resumeRun(file), runtime })).rejects.toThrow(
      `${file}: the journal was graded with --allow-disruptive, this run grades without --allow-disruptive: ex6.selfheal would be graded for some students and skipped for others; pass --regrade to grade everyone again`,
    );
    const skipped = join(dir, 'not-disruptive.jsonl');
    await gradeConfig(sandbox.config, { only: ['ex6.selfheal'], classRun: journalRun(skipped), runtime });
    await expect(gradeConfig(sandbox.config, { only: ['ex6.selfheal'], allowDisruptive: true, classRun: resumeRun(skipped), runtime })).rejects.toThrow(
      'the journal was graded without --allow-disruptive, this run grades with --allow-disruptive',
    );
    // Without a check that deletes anything, the flag changes no grade: an --only ex1 journal resumes either way.
    const ex1 = join(dir, 'ex1-disruptive.jsonl');
    await gradeConfig(sandbox.config, { only: ['ex1'], allowDisruptive: true, classRun: journalRun(ex1), runtime });
    expect((await gradeConfig(sandbox.config, { only: ['ex1'], classRun: resumeRun(ex1), runtime })).exitCode).toBe(0);
  }, 60_000);

  it('a journal of an earlier version (no selection or profile recorded) resumes as every check, and is refused with --only', async () => {
    const file = join(dir, 'earlier.jsonl');
    await gradeConfig(sandbox.config, { classRun: journalRun(file), runtime });
    const [header, ...students] = readFileSync(file, 'utf8').trim().split('\n');
    const { only: _o, checks: _c, profileHash: _p, ...earlier } = JSON.parse(header) as Record<string, unknown>;
    writeFileSync(file, [JSON.stringify(earlier), ...students, ''].join('\n'));

    await expect(gradeConfig(sandbox.config, { only: ['ex1'], classRun: resumeRun(file), runtime })).rejects.toThrow(
      'the journal was written by an earlier lab-grade that did not record its selection: it is taken as every check, this run grades --only ex1',
    );
    const notices = collectedNotices();
    const resumed = await gradeConfig(sandbox.config, { classRun: resumeRun(file), runtime, notices });
    expect(resumed.exitCode).toBe(1);
    expect(notices.text()).toContain('did not record its selection or lab profile: resumed as every check; its profile cannot be compared');
  }, 60_000);
});

describe('--rerun-incomplete', () => {
  it('with nobody incomplete says so, contacts nobody, replaces no report and exits 0', async () => {
    const file = join(dir, 'all-graded.jsonl');
    const first = await gradeConfig(sandbox.config, { classRun: journalRun(file), runtime });
    expect(first.run.students.map((s) => s.status)).toEqual(['graded', 'graded']);
    const report = join(dir, 'report.json');
    writeFileSync(report, 'from an earlier run\n');
    const traffic = () => JSON.stringify(cls.users.map((u) => sandbox.traffic(u)));
    const before = traffic();
    const notices = collectedNotices();
    const rerun = await gradeConfig(sandbox.config, { classRun: resumeRun(file, { only: 'incomplete' }), reports: [{ format: 'json', file: report }], runtime, notices });
    expect(rerun.exitCode).toBe(0);
    expect(notices.text()).toContain('lab-grade: the journal has no incomplete student: nothing to re-grade');
    expect(traffic()).toBe(before);
    expect(readFileSync(report, 'utf8')).toBe('from an earlier run\n');
  }, 60_000);
});

describe('one run at a time on a journal', () => {
  it('a second run on a journal in use is refused naming the holder, and the first keeps every line', async () => {
    const file = join(dir, 'busy.jsonl');
    const first = gradeConfig(sandbox.config, { classRun: journalRun(file), runtime, concurrency: 1 });
    // The first run holds the journal from before its first student is graded.
    for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
    const second = gradeConfig(sandbox.config, { classRun: journalRun(file), runtime });
    await expect(second).rejects.toThrow(new RegExp(`^journal ${file} is in use by lab-grade pid ${process.pid} on host ${hostname()} since \\d\\d:\\d\\d; wait for it or pass another --journal$`));
    const resumed = gradeConfig(sandbox.config, { classRun: resumeRun(file), runtime });
    await expect(resumed).rejects.toThrow(`journal ${file} is in use by lab-grade pid ${process.pid}`);
    await first;
    const students = lines(file).filter((l) => l.type === 'student');
    expect(students.map((l) => l.student!.user).sort()).toEqual([...cls.users].sort());
    expect(existsSync(`${file}.lock`)).toBe(false); // released at the end
  }, 60_000);

  it("a lock left by a process that is gone is taken over with a warning; another host's lock is not", async () => {
    const file = join(dir, 'stale.jsonl');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: gone, host: hostname(), startedAt: '2025-03-01T09:00:00.000Z', token: 'a' }));
    const notices = collectedNotices();
    const taken = await gradeConfig(sandbox.config, { only: ['ex1'], classRun: journalRun(file), runtime, notices });
    expect(taken.exitCode).toBe(0);
    expect(notices.text()).toContain(`journal ${file} was locked by lab-grade pid ${gone} on host ${hostname()} since 2025-03-01`);
    expect(notices.text()).toContain('that process is gone: lock taken over');

    writeFileSync(`${file}.lock`, JSON.stringify({ pid: gone, host: 'grader-elsewhere', startedAt: new Date().toISOString(), token: 'b' }));
    await expect(gradeConfig(sandbox.config, { only: ['ex1'], classRun: resumeRun(file), runtime })).rejects.toThrow(`is in use by lab-grade pid ${gone} on host grader-elsewhere`);
  }, 60_000);

  it('default journal names differ between shards and processes started in the same millisecond', () => {
    const now = new Date('2025-03-01T09:00:00.123Z');
    const names = [
      defaultJournalPath({ now, pid: 100, shard: { index: 1, count: 3 } }),
      defaultJournalPath({ now, pid: 100, shard: { index: 2, count: 3 } }),
      defaultJournalPath({ now, pid: 101, shard: { index: 2, count: 3 } }),
      defaultJournalPath({ now, pid: 101 }),
    ];
    expect(new Set(names).size).toBe(4);
    expect(names[1]).toBe('.lab-grade/journal-20250301T090000.123Z-shard2of3-pid100.jsonl');
  });
});
