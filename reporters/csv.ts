/**
 * A gradebook import (anchors gap 10): one row per student, RFC 4180 (comma, CRLF, quotes doubled).
 *
 * Columns: `user, status, score, maxScore, percent, bonus, passed`, for results scored with credit over
 * time (`merge --credit`) then `credit` (`earned` or `final`: which score this is), then one column per
 * check id in catalogue order holding the points earned, then `errors`.
 * - Every cell a spreadsheet should sum is a plain number or empty, never a word: a check in `error`
 *   (the grader could not find out, which is not a zero) and a `skipped` check (does not apply) are
 *   empty; the ids in error are listed, space-separated, in the last column.
 * - `percent` is a number without `%`, with a `.` decimal point whatever the locale.
 * - `passed` is `true`/`false` for a graded student and empty while incomplete: the pass is not final.
 *   A partial run (`--only`) draws no verdict: `partial` for every student.
 * - Text cells (user, check ids) are on one line, without control or bidirectional characters, and defused against formula injection (OWASP "CSV Injection"): a cell
 *   starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`. Numbers are written by us and are
 *   never formulas, so a negative number stays a number.
 */
import type { RunResult, StudentResult } from '../core/model.js';
import { checkCatalogue } from './catalogue.js';
import { documentReporter } from './document.js';
import { formatNumber, oneLine } from './format.js';
import type { Reporter, ReporterOptions, RunInfo } from './types.js';

export type Cell = string | number | boolean | null | undefined;

export const FIXED_COLUMNS = ['user', 'status', 'score', 'maxScore', 'percent', 'bonus', 'passed'] as const;
export const ERRORS_COLUMN = 'errors';
export const CREDIT_COLUMN = 'credit';

// OWASP's list, plus a formula behind leading whitespace (an importer that trims it would expose it).
// OWASP's other two starts, tab and carriage return, never reach this test: a cell is made one line first,
// which turns them into spaces (the test of csvCell holds it).
const FORMULA_START = /^\s*[=+\-@]/;

/** One field: numbers as numbers, text defused and quoted when it holds a separator, quote or newline. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? formatNumber(value) : '';
  if (typeof value === 'boolean') return String(value);
  // One line: a spreadsheet shows a cell with a newline as a taller row, or splits it on import.
  let text = oneLine(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvRow = (cells: readonly Cell[]): string => cells.map(csvCell).join(',') + '\r\n';

/** What the `passed` cell says of a partial run's student: its points are those of the selection only. */
const PARTIAL_PASSED = 'partial';

function studentRow(student: StudentResult, ids: readonly string[], credit: boolean, partial: boolean): Cell[] {
  const byId = new Map(student.checks.map((c) => [c.id, c]));
  const points = ids.map((id) => {
    const check = byId.get(id);
    return check && check.status !== 'error' && check.status !== 'skipped' ? check.points : null;
  });
  const errors = student.checks.filter((c) => c.status === 'error').map((c) => c.id);
  const passed = partial ? PARTIAL_PASSED : student.status === 'graded' ? student.passed : null;
  return [student.user, student.status, student.score, student.maxScore, student.percent, student.bonus, passed, ...(credit ? [student.credit] : []), ...points, errors.join(' ')];
}

export function renderCsv(run: RunResult, info?: Pick<RunInfo, 'only'>): string {
  const ids = checkCatalogue(run).map((c) => c.id);
  const credit = run.students.some((s) => s.credit !== undefined);
  const partial = !!info?.only?.length;
  return [csvRow([...FIXED_COLUMNS, ...(credit ? [CREDIT_COLUMN] : []), ...ids, ERRORS_COLUMN]), ...run.students.map((s) => csvRow(studentRow(s, ids, credit, partial)))].join('');
}

export const createCsvReporter = (options: ReporterOptions): Reporter => documentReporter(options, (run, info, write) => write(renderCsv(run, info)));
