import { describe, expect, it } from 'vitest';
import { loadClassSmall, render } from '../fixtures/results/support.js';

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
});
