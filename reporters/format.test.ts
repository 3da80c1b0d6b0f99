import { loadProfile } from '../core/profile.js';
import { describe, expect, it } from 'vitest';
import { reasonCatalogue } from '../app/reasons.js';
import type { CheckResult } from '../core/model.js';
import { loadClassSmall } from '../fixtures/results/support.js';
import { bounded, classSummary, detailLines, escapeXml, formatDuration, oneLine, pointsText, scoreText, stripControl, verdictText } from './format.js';

const check = (over: Partial<CheckResult>): CheckResult => ({
  id: 'ex2.compose.ports',
  exercise: 2,
  title: 't',
  status: 'pass',
  points: 2,
  maxPoints: 2,
  bonus: false,
  message: 'm',
  evidence: {},
  durationMs: 1,
  ...over,
});

describe('format helpers', () => {
  it('formats durations', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(4210)).toBe('4.2s');
    expect(formatDuration(123_000)).toBe('2m 03s');
  });

  it('shows points so an error is not read as zero', () => {
    expect(pointsText(check({}))).toBe('2/2');
    expect(pointsText(check({ status: 'fail', points: 0 }))).toBe('0/2');
    expect(pointsText(check({ status: 'error', points: 0, maxPoints: 3 }))).toBe('?/3');
    expect(pointsText(check({ status: 'skipped', points: 0, bonus: true }))).toBe('n/a');
    expect(pointsText(check({ bonus: true, points: 1, maxPoints: 1 }))).toBe('+1/1');
    expect(pointsText(check({ points: 1.5 }))).toBe('1.5/2');
  });

  it('explains a non-passing check', () => {
    expect(detailLines(check({ status: 'fail', message: 'found x', hint: 'do y' }))).toEqual(['found x', 'hint: do y']);
    expect(detailLines(check({ status: 'blocked', blockedBy: 'ex2.compose.valid' }))).toEqual(['blocked by ex2.compose.valid']);
    expect(detailLines(check({ status: 'error', message: 'timeout' }))).toEqual(['could not grade: timeout']);
    expect(detailLines(check({ status: 'error', message: 'could not grade: timeout' }))).toEqual(['could not grade: timeout']);
  });

  it('summarises students and the class from the fixture', () => {
    const run = loadClassSmall();
    expect(run.students.map((s) => scoreText(s))).toEqual(['31/34 (91.2%) +3 bonus', '12/34 (35.3%)', '24/34 (70.6% so far)']);
    expect(run.students.map((s) => verdictText(s))).toEqual(['PASSED', 'NOT PASSED', 'INCOMPLETE (2 errors: re-run)']);
    const sum = classSummary(run, 2, reasonCatalogue(loadProfile().expect));
    expect(sum).toMatchObject({ students: 3, graded: 2, incomplete: 1, passed: 1, meanPercent: 63.3, rerun: ['labuser09'] });
    // Counted by reason code, with the catalogue's summary of each; bonus checks (ex7.helm.registry) left out.
    expect(sum.topFailing).toEqual([
      { code: 'LG-226', id: 'ex2.compose.ports', summary: 'service app publishes another port mapping', count: 2 },
      { code: 'LG-302', id: 'ex3.cluster.exists', summary: 'no AKS cluster in the resource group', count: 1 },
    ]);
    // Without the catalogue (an old result), the check's title stands in; without codes, the check id groups.
    expect(classSummary(run, 1).topFailing).toEqual([{ code: 'LG-226', id: 'ex2.compose.ports', summary: 'app publishes port 80 to 8080', count: 2 }]);
    for (const s of run.students) for (const c of s.checks) delete c.code;
    expect(classSummary(run, 1).topFailing).toEqual([{ id: 'ex2.compose.ports', summary: 'app publishes port 80 to 8080', count: 2 }]);
  });

  it('has no class mean when nobody could be graded', () => {
    const run = loadClassSmall();
    run.students = run.students.slice(2);
    expect(classSummary(run).meanPercent).toBeNull();
  });

  it('sanitises text for terminals and XML', () => {
    expect(stripControl('a\x1b[2Jb\tc\nd\r')).toBe('a[2Jb\tc\nd');
    expect(stripControl('admin\u202E\u2066txt.exe\u2069\u200F')).toBe('admintxt.exe');
    expect(oneLine('two\nlines\tand a tab')).toBe('two lines and a tab');
    expect(bounded('ab'.repeat(10), 5)).toBe('ababa… (15 more characters)');
    expect(bounded(bounded('x'.repeat(100), 10), 10)).toBe('xxxxxxxxxx… (90 more characters)');
    // A surrogate pair is never cut in half.
    expect(bounded('ab😀cd', 3)).toBe('ab… (4 more characters)');
    expect(escapeXml('<a> & "b" ]]>\u0001')).toBe('&lt;a&gt; &amp; "b" ]]&gt;');
    expect(escapeXml('"x"\n', true)).toBe('&quot;x&quot;&#10;');
  });
});
