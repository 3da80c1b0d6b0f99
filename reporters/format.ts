/**
 * What every reporter says the same way: status symbols and words, the per-student verdict, the score
 * text, what to print under a non-passing check, class statistics, durations and text sanitising.
 * Presentation-neutral: a `tone` names the meaning, each reporter maps it to ANSI, CSS or nothing.
 */
import { STATUSES, type CheckResult, type RunResult, type Status, type StudentResult } from '../core/model.js';
import { bounded, oneLine } from './text.js';
import type { ReasonInfo } from './types.js';

export type Tone = 'good' | 'bad' | 'warn' | 'alert' | 'muted';

export interface StatusStyle {
  /** One column wide in a terminal, so check lines align. */
  symbol: string;
  /** Shown beside a non-passing check; upper case where the student has something to do. */
  word: string;
  /** For Markdown and HTML, where colour is not available. */
  emoji: string;
  tone: Tone;
}

export const STATUS_STYLE: Readonly<Record<Status, StatusStyle>> = {
  pass: { symbol: '✓', word: 'pass', emoji: '✅', tone: 'good' },
  fail: { symbol: '✗', word: 'FAIL', emoji: '❌', tone: 'bad' },
  blocked: { symbol: '⊘', word: 'BLOCKED', emoji: '⛔', tone: 'warn' },
  error: { symbol: '‼', word: 'ERROR', emoji: '⚠️', tone: 'alert' },
  skipped: { symbol: '–', word: 'skipped', emoji: '⏭️', tone: 'muted' },
};

/**
 * What a check is worth, from its points in the result: `required` points count towards the pass
 * mark, `bonus` points come on top, and an `informational` check (0 points: a prerequisite, Helm 2's
 * tiller) costs nothing.
 */
export type CheckKind = 'required' | 'bonus' | 'informational';

export const checkKind = (check: Pick<CheckResult, 'bonus' | 'maxPoints'>): CheckKind => (check.bonus ? 'bonus' : check.maxPoints > 0 ? 'required' : 'informational');

/**
 * How a result reads: its status, except that a bonus or informational check that did not pass is
 * not a failure ("bonus not earned", "informational"). An informational prerequisite whose failure
 * blocks required checks (the VM login) still reads as the failure it is: points are lost behind it.
 */
export type Shown = Status | 'not-earned' | 'info';

export const SHOWN_ORDER: readonly Shown[] = ['pass', 'fail', 'blocked', 'error', 'not-earned', 'info', 'skipped'];

export const SHOWN_STYLE: Readonly<Record<Shown, StatusStyle>> = {
  ...STATUS_STYLE,
  'not-earned': { symbol: '○', word: 'bonus not earned', emoji: '➖', tone: 'muted' },
  info: { symbol: 'i', word: 'informational', emoji: 'ℹ️', tone: 'muted' },
};

export function shownStatus(check: CheckResult, siblings: readonly CheckResult[] = []): Shown {
  if (check.status !== 'fail' && check.status !== 'blocked') return check.status;
  const kind = checkKind(check);
  if (kind === 'required') return check.status;
  if (kind === 'bonus') return 'not-earned';
  return siblings.some((c) => c.blockedBy === check.id && checkKind(c) === 'required') ? check.status : 'info';
}

export function countShown(checks: readonly CheckResult[]): Record<Shown, number> {
  const counts = Object.fromEntries(SHOWN_ORDER.map((s) => [s, 0])) as Record<Shown, number>;
  for (const c of checks) counts[shownStatus(c, checks)] += 1;
  return counts;
}

/**
 * A student's overall state. `incomplete` wins over the score: an error is never the student's fault.
 * A `partial` run (`--only`) grades a subset: no pass-mark verdict is drawn from it.
 */
export type StudentVerdict = 'passed' | 'not-passed' | 'incomplete' | 'partial';

export const VERDICT_STYLE: Readonly<Record<StudentVerdict, StatusStyle>> = {
  passed: { symbol: '✓', word: 'PASSED', emoji: '✅', tone: 'good' },
  'not-passed': { symbol: '✗', word: 'NOT PASSED', emoji: '❌', tone: 'bad' },
  incomplete: { symbol: '‼', word: 'INCOMPLETE', emoji: '⚠️', tone: 'alert' },
  partial: { symbol: '◐', word: 'PARTIAL', emoji: '◐', tone: 'warn' },
};

/** Prefix of an `error` line, so nobody reads it as the student's failure. */
export const ERROR_PREFIX = 'could not grade: ';

export function studentVerdict(student: StudentResult, partial = false): StudentVerdict {
  if (student.status === 'incomplete') return 'incomplete';
  if (partial) return 'partial';
  return student.passed ? 'passed' : 'not-passed';
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * `PASSED`, `NOT PASSED`, `INCOMPLETE (2 errors: re-run)`, or for a partial run
 * `PARTIAL (only ex6): no pass-mark verdict` (`2 failing` when some selected check fails).
 */
export function verdictText(student: StudentResult, only?: readonly string[]): string {
  const verdict = studentVerdict(student, !!only?.length);
  const word = VERDICT_STYLE[verdict].word;
  if (verdict === 'incomplete') return `${word} (${plural(countStatuses(student.checks).error, 'error')}: re-run)`;
  if (verdict !== 'partial') return word;
  const counts = countShown(student.checks);
  const failing = counts.fail + counts.blocked;
  return `${word} (only ${oneLine(only!.join(' '))}): ${failing ? `${failing} failing` : 'no failure'}, no pass-mark verdict`;
}

/** Points as people read them: integers bare, fractions with at most two decimals. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

export function formatPercent(percent: number): string {
  return `${percent.toFixed(1)}%`;
}

/**
 * `27/34 (79.4%) +2 bonus`; an incomplete student's percent is marked `so far`; a partial run's points
 * are those of the selected checks, without a percent that would read like a grade.
 */
export function scoreText(student: StudentResult, partial = false): string {
  const bonus = student.bonus > 0 ? ` +${formatNumber(student.bonus)} bonus` : '';
  const points = `${formatNumber(student.score)}/${formatNumber(student.maxScore)}`;
  if (partial) return `${points} points of the selected checks${bonus}`;
  const so = student.status === 'incomplete' ? ' so far' : '';
  return `${points} (${formatPercent(student.percent)}${so})${bonus}`;
}

/**
 * A check's points: `2/2`, `+1/1` for a bonus check, `?/3` when the grader could not find out (an error
 * is not a zero), `n/a` when the check does not apply in this mode.
 */
export function pointsText(check: CheckResult): string {
  if (check.status === 'skipped') return 'n/a';
  const earned = check.status === 'error' ? '?' : formatNumber(check.points);
  return `${check.bonus ? '+' : ''}${earned}/${formatNumber(check.maxPoints)}`;
}

function countStatuses(checks: readonly CheckResult[]): Record<Status, number> {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

/** `24 pass, 3 fail, 1 blocked, 1 error, 2 bonus not earned` (zero counts left out), bonus and informational apart. */
export function countsText(checks: readonly CheckResult[]): string {
  const counts = countShown(checks);
  return SHOWN_ORDER.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s === 'not-earned' || s === 'info' ? SHOWN_STYLE[s].word : s}`)
    .join(', ');
}

/**
 * The lines to show under a check: for `fail` what was found and `hint:` what to do; for `blocked`
 * only the root cause (the root cause's own line carries the fix, so it is said once); for `error` why
 * it could not be graded. Empty for a pass, whose message is detail for verbose output only.
 */
export function detailLines(check: CheckResult): string[] {
  const message = bounded(check.message);
  switch (check.status) {
    case 'fail':
      return [message, check.hint ? `hint: ${bounded(check.hint)}` : ''].filter(Boolean);
    case 'blocked':
      return [check.blockedBy ? `blocked by ${check.blockedBy}` : message].filter(Boolean);
    case 'error':
      return [message.startsWith(ERROR_PREFIX) ? message : ERROR_PREFIX + message];
    case 'skipped':
      return [message].filter(Boolean);
    case 'pass':
      return [];
  }
}

/** A reason students lost points on: a reason code (or, for results without codes, a check) and how many students. */
export interface FailingReason {
  /** `LG-605`; absent for a result written before checks had codes. */
  code?: string;
  /** The check that reports it. */
  id: string;
  /** `Deployment myapp has replicas unavailable`, or the check's title when the code is not known. */
  summary: string;
  /** Students with this failure. */
  count: number;
}

export interface ClassSummary {
  students: number;
  graded: number;
  incomplete: number;
  /** Graded students at or above the pass mark; an incomplete student's pass is not final. */
  passed: number;
  /** Mean percent of graded students only (incomplete ones would drag it down for the grader's fault); null if none. */
  meanPercent: number | null;
  /** Reasons of required checks that failed (not blocked, not errored) most often, most first, ties in lab order. */
  topFailing: FailingReason[];
  /** Users to grade again. */
  rerun: string[];
}

export function classSummary(run: RunResult, top = 5, reasons: Readonly<Record<string, ReasonInfo>> = {}): ClassSummary {
  const graded = run.students.filter((s) => s.status === 'graded');
  const failing = new Map<string, FailingReason & { order: number; users: Set<string> }>();
  for (const student of run.students) {
    student.checks.forEach((check, order) => {
      // Bonus and informational checks cost no points: listing them would bury what students lose points on.
      if (check.status !== 'fail' || checkKind(check) !== 'required') return;
      const key = check.code ?? check.id;
      const summary = (check.code && reasons[check.code]?.summary) || check.title;
      const entry = failing.get(key) ?? { ...(check.code ? { code: check.code } : {}), id: check.id, summary, count: 0, order, users: new Set<string>() };
      entry.users.add(student.user);
      entry.count = entry.users.size;
      failing.set(key, entry);
    });
  }
  // Checks come in lab order, so a check's position breaks ties the way the rubric reads.
  const topFailing = [...failing.values()]
    .sort((a, b) => b.count - a.count || a.order - b.order || (a.code ?? '').localeCompare(b.code ?? ''))
    .slice(0, top)
    .map(({ order: _order, users: _users, ...entry }) => entry);
  const mean = graded.length ? graded.reduce((sum, s) => sum + s.percent, 0) / graded.length : null;
  return {
    students: run.students.length,
    graded: graded.length,
    incomplete: run.students.length - graded.length,
    passed: graded.filter((s) => s.passed).length,
    meanPercent: mean === null ? null : Math.round(mean * 10) / 10,
    topFailing,
    rerun: run.students.filter((s) => s.status === 'incomplete').map((s) => s.user),
  };
}

/** `850ms`, `4.2s`, `2m 03s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
}

/** Seconds with millisecond precision, as JUnit's `time` attribute wants. */
export function formatSeconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export { bounded, codeSpans, escapeXml, oneLine, safeText, stripControl } from './text.js';
