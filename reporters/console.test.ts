import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadClassSmall, render, TITLE } from '../fixtures/results/support.js';
import type { StudentResult } from '../core/model.js';
import { createConsoleReporter } from './console.js';
import { bufferOutput, runInfoFor } from './replay.js';

const ESC = '\x1b[';

describe('console reporter', () => {
  it('uses ANSI colour only when output.color is true', async () => {
    const run = loadClassSmall();
    const plain = await render('console', run, { color: false });
    const coloured = await render('console', run, { color: true });
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(`${ESC}31m✗${ESC}39m`);
    // Same text once the colour codes are removed.
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });

  it('never passes a student-controlled control character to the terminal', async () => {
    const run = loadClassSmall();
    run.students[1].checks[5].message = 'evil \x1b]0;pwned\x07 title \x9b31m';
    const text = await render('console', run, { color: false });
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\x07\x1b\x9b]/);
    expect(text).toContain('evil ]0;pwned title 31m');
  });

  it('shows passing checks for one student, and only non-passing ones for a class', async () => {
    const run = loadClassSmall();
    const one = { ...run, students: run.students.slice(0, 1) };
    expect(await render('console', one)).toContain('✓ ex1.docker.installed');
    expect(await render('console', run)).not.toContain('✓ ex1.docker.installed');
    expect(await render('console', run, { verbose: true })).toContain('✓ ex1.docker.installed');
  });

  it('streams one student check by check, each check printed once', async () => {
    const run = loadClassSmall();
    const one = { ...run, students: run.students.slice(0, 1) };
    const text = await render('console', one);
    expect(text.match(/ex6\.api\.replicas/g)).toHaveLength(1);
    expect(text.match(/^labuser07$/gm)).toHaveLength(1);
  });

  it('says INCOMPLETE, not PASSED, for a student with errors whose score is over the pass mark', async () => {
    const text = await render('console', loadClassSmall());
    expect(text).toMatch(/labuser09 {2}24\/34 \(70\.6% so far\) {2}INCOMPLETE \(2 errors: re-run\)/);
    expect(text).toContain('could not grade: SSH connection');
  });

  it('prints a class summary only for more than one student', async () => {
    const run = loadClassSmall();
    expect(await render('console', run)).toContain('Class: 3 students');
    expect(await render('console', { ...run, students: run.students.slice(0, 1) })).not.toContain('Class:');
  });

  it('lists a class in roster order, each student as soon as everyone before them is done', async () => {
    const run = loadClassSmall();
    const out = bufferOutput();
    const reporter = createConsoleReporter({ output: out });
    reporter.onRunStart!(runInfoFor(run, { title: TITLE, passMark: 70 }));
    const [a, b, c] = run.students;
    const printed = () => [...out.text().matchAll(/^(labuser\d\d)$/gm)].map((m) => m[1]);
    await reporter.onStudentEnd!(c);
    expect(printed()).toEqual([]);
    await reporter.onStudentEnd!(a);
    expect(printed()).toEqual(['labuser07']);
    await reporter.onStudentEnd!(b);
    expect(printed()).toEqual(['labuser07', 'labuser08', 'labuser09']);
    await reporter.onRunEnd!(run);
    expect(printed()).toEqual(['labuser07', 'labuser08', 'labuser09']);
  });

  it('counts a bonus not earned and an informational check apart from failures, and lists neither for a class', async () => {
    const text = await render('console', loadClassSmall());
    expect(text).toContain('PASSED (pass mark 70%)  24 pass, 2 fail, 1 bonus not earned, 2 skipped');
    expect(text).not.toMatch(/ex7\.helm\.registry|ex2\.app\.served|ex7\.tiller +0\/0/);
    const one = await render('console', { ...loadClassSmall(), students: loadClassSmall().students.slice(0, 1) });
    expect(one).toMatch(/○ ex7\.helm\.registry +\+0\/1 +The release pulls from your registry {2}bonus not earned/);
  });

  it('bounds a huge student string and strips bidirectional overrides and newlines from one-line fields', async () => {
    const run = loadClassSmall();
    run.students[1].user = 'labuser08\u202Egnp.exe\nFAKE';
    run.students[1].checks.find((c) => c.status === 'fail')!.message = 'y'.repeat(200_000);
    const text = await render('console', run);
    expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F]/);
    expect(text).toContain('labuser08gnp.exe FAKE');
    expect(text).not.toMatch(/^FAKE/m);
    expect(text.length).toBeLessThan(20_000);
    expect(text).toMatch(/y… \(198000 more characters\)/);
  });
});

/** The second student finishes first and waits for the first; then both are printed. */
function finishOutOfOrder(reporter: ReturnType<typeof createConsoleReporter>, students: readonly StudentResult[]): Array<WeakRef<object>> {
  return [1, 0].map((i) => {
    const copy = structuredClone(students[i]);
    reporter.onStudentEnd!(copy);
    return new WeakRef(copy);
  });
}

describe('console reporter memory', () => {
  it('does not hold a student once it is printed: a class stays with the run, without its evidence', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const run = loadClassSmall();
    const reporter = createConsoleReporter({ output: bufferOutput() });
    reporter.onRunStart!(runInfoFor(run, { title: TITLE, passMark: 60 }));
    // Made in a function of their own, so no variable of the test's frame keeps one alive.
    const refs = finishOutOfOrder(reporter, run.students);
    for (let i = 0; i < 20 && refs.some((r) => r.deref()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
    }
    expect(refs.map((r) => r.deref())).toEqual([undefined, undefined]);
  });
});
