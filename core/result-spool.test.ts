/**
 * A class's results held without evidence: written whole to a private file as each student
 * finishes, read back whole one at a time, the file gone when the run is dropped or the process ends.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { CheckResult, RunResult, StudentResult } from './model.js';
import { packagePath } from './paths.js';
import { ResultSpool, wholeStudents } from './result-spool.js';

const check = (id: string, evidence: Record<string, unknown>, extra: Pick<CheckResult, 'now'> = {}): CheckResult => ({
  id,
  exercise: 6,
  title: id,
  status: 'fail',
  points: 0,
  maxPoints: 2,
  bonus: false,
  message: `${id} failed`,
  evidence,
  durationMs: 1,
  ...extra,
});

const student = (user: string, evidence: Record<string, unknown>): StudentResult => ({
  user,
  status: 'graded',
  score: 0,
  maxScore: 4,
  bonus: 0,
  percent: 0,
  passed: false,
  durationMs: 5,
  checks: [check('ex6.a', evidence), check('ex6.b', { seen: [1, 2] }, { now: { status: 'fail', message: 'now', evidence: { replicas: 0 } } })],
});

const opened: ResultSpool[] = [];
const openSpool = (onProblem?: (text: string) => void) => {
  const spool = ResultSpool.open(onProblem);
  opened.push(spool);
  return spool;
};
afterEach(() => opened.splice(0).forEach((s) => s.close()));

describe('ResultSpool', () => {
  it('holds a student without evidence and reads it back whole, evidence values as they were', () => {
    const spool = openSpool();
    const odd = { big: 2n ** 70n, at: new Date('2026-12-03T10:00:00Z'), nested: { list: ['a', { b: null }] } };
    const ann = student('ann', odd);
    const bob = student('bob', { pods: 3 });
    const heldAnn = spool.keep(ann);
    const heldBob = spool.keep(bob);

    expect(heldAnn.checks.map((c) => [c.evidence, c.now?.evidence])).toEqual([
      [{}, undefined],
      [{}, {}],
    ]);
    expect({ ...heldAnn, checks: heldAnn.checks.map((c) => c.message) }).toEqual({ ...ann, checks: ['ex6.a failed', 'ex6.b failed'] });
    expect(spool.whole(heldBob)).toEqual(bob);
    const back = spool.whole(heldAnn);
    expect(back).toEqual(ann);
    expect(back.checks[0].evidence.big).toBe(2n ** 70n);
    expect(back.checks[0].evidence.at).toBeInstanceOf(Date);
    // Not the same objects: what the run held is all the memory keeps.
    expect(back).not.toBe(ann);
  });

  it('keeps its file private to this user and removes it when closed', () => {
    const problems: string[] = [];
    const spool = openSpool((text) => problems.push(text));
    const dir = spool.dir!;
    expect(dir.startsWith(join(tmpdir(), 'lab-grade-results-'))).toBe(true);
    const held = spool.keep(student('ann', { x: 1 }));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'results')).mode & 0o777).toBe(0o600);
    spool.close();
    expect(existsSync(dir)).toBe(false);
    expect(spool.dir).toBeUndefined();
    // Closed: what the run held is what there is, and a new student is held whole, without a word.
    expect(spool.whole(held)).toBe(held);
    const late = student('late', { y: 2 });
    expect(spool.keep(late)).toBe(late);
    expect(problems).toEqual([]);
    spool.close();
  });

  it('closes quietly when the temporary folder was cleaned up under it', () => {
    const spool = openSpool();
    spool.keep(student('ann', { x: 1 }));
    rmSync(spool.dir!, { recursive: true, force: true });
    expect(() => spool.close()).not.toThrow();
  });

  it('a student it cannot write is held whole, and the problem is told with the student named', () => {
    const problems: string[] = [];
    const spool = openSpool((text) => problems.push(text));
    const strange = student('ann', { callback: () => 1 });
    expect(spool.keep(strange)).toBe(strange);
    expect(problems).toEqual([expect.stringMatching(/^ann's results are held in memory: the results file could not be written \(.+\)$/)]);
    // The next student is kept as usual.
    const bob = student('bob', { pods: 1 });
    expect(spool.whole(spool.keep(bob))).toEqual(bob);
  });

  it('where no temporary file can be made, the class is held whole and the run goes on', () => {
    const problems: string[] = [];
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(tmpdir(), 'lab-grade-no-such-folder', 'below');
    let spool: ResultSpool;
    try {
      spool = openSpool((text) => problems.push(text));
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(spool.dir).toBeUndefined();
    const ann = student('ann', { a: 1 });
    expect(spool.keep(ann)).toBe(ann);
    expect(spool.whole(ann)).toBe(ann);
    // Said once, for the class, not for each student.
    expect(problems).toEqual([expect.stringMatching(/^the class's results are held in memory with their evidence: no temporary file for them \(ENOENT.*\)$/)]);
  });

  it('a folder made for a file that then cannot be opened is removed again', async () => {
    const made: string[] = [];
    vi.resetModules();
    vi.doMock('node:fs', async (original) => {
      const fs = await original<typeof import('node:fs')>();
      return {
        ...fs,
        mkdtempSync: (prefix: string) => {
          const dir = fs.mkdtempSync(prefix);
          made.push(dir);
          return dir;
        },
        openSync: () => {
          throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
        },
      };
    });
    try {
      const { ResultSpool: Spool } = await import('./result-spool.js');
      const problems: string[] = [];
      const spool = Spool.open((text) => problems.push(text));
      expect(spool.dir).toBeUndefined();
      expect(made).toHaveLength(1);
      expect(existsSync(made[0])).toBe(false);
      expect(problems).toEqual([expect.stringContaining('no temporary file for them (EMFILE: too many open files)')]);
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });

  it('a run it is attached to reads its students back whole in roster order; a run without it gives them as held', () => {
    const spool = openSpool();
    const whole = [student('ann', { a: 1 }), student('bob', { b: 2 })];
    const held: RunResult = { lab: 'aks', generatedAt: '2026-12-03T10:00:00Z', grader: { version: '0' }, students: whole.map((s) => spool.keep(s)) };
    const attached = spool.attachTo(held);
    expect([...wholeStudents(attached)]).toEqual(whole);
    expect([...wholeStudents(held)]).toEqual(held.students);
    expect(attached.students).toBe(held.students);
  });
});

describe('ResultSpool files', () => {
  /** Runs `body` in a Node process of its own (with gc exposed), importing this module as `spool`. */
  function inProcess(body: string) {
    const script = `const { ResultSpool } = await import(${JSON.stringify(packagePath('core', 'result-spool.ts'))});
      const { readdirSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const folders = () => readdirSync(tmpdir()).filter((n) => n.startsWith('lab-grade-results-'));
      const user = (u) => ({ user: u, status: 'graded', score: 0, maxScore: 0, bonus: 0, percent: 0, passed: false, durationMs: 0, checks: [] });
      ${body}`;
    // A temporary folder of its own: other tests' spools come and go in the system's meanwhile.
    return spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: packagePath(), encoding: 'utf8', env: { ...process.env, TMPDIR: temp } });
  }

  const temp = mkdtempSync(join(tmpdir(), 'lab-grade-spool-tmp-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('go when the process ends, and when nothing holds the run any more', () => {
    const ended = inProcess(`const s = ResultSpool.open(); s.keep(user('ann')); console.log(folders().length > 0); process.exit(0);`);
    expect(ended.stderr).toBe('');
    expect(ended.stdout).toBe('true\n');
    const dropped = inProcess(`
      let run = ResultSpool.open().attachTo({ lab: 'aks', generatedAt: '', grader: { version: '0' }, students: [] });
      const mine = folders();
      run = undefined;
      for (let i = 0; i < 20 && folders().length >= mine.length; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
      console.log(mine.length - folders().length);
      setInterval(() => {}, 1000); setTimeout(() => process.kill(process.pid, 'SIGKILL'), 10);`);
    expect(dropped.stdout).toBe('1\n');
    expect(readdirSync(temp).filter((n) => n.startsWith('lab-grade-results-'))).toEqual([]);
  });
});
