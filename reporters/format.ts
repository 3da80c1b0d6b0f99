/**
 * What every reporter says the same way: status symbols and words, the per-student verdict, the score
 * text, what to print under a non-passing check, class statistics, durations and text sanitising.
 * Presentation-neutral: a `tone` names the meaning, each reporter maps it to ANSI, CSS or nothing.
 */
import { STATUSES, type CheckResult, type RunResult, type Status, type StudentResult } from '../core/model.js';

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

/** A student's overall state. `incomplete` wins over the score: an error is never the student's fault. */
export type StudentVerdict = 'passed' | 'not-passed' | 'incomplete';

export const VERDICT_STYLE: Readonly<Record<StudentVerdict, StatusStyle>> = {
  passed: { symbol: '✓', word: 'PASSED', emoji: '✅', tone: 'good' },
  'not-passed': { symbol: '✗', word: 'NOT PASSED', emoji: '❌', tone: 'bad' },
  incomplete: { symbol: '‼', word: 'INCOMPLETE', emoji: '⚠️', tone: 'alert' },
};

/** Prefix of an `error` line, so nobody reads it as the student's failure. */
export const ERROR_PREFIX = 'could not grade: ';

export function studentVerdict(student: StudentResult): StudentVerdict {
  if (student.status === 'incomplete') return 'incomplete';
  return student.passed ? 'passed' : 'not-passed';
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** `PASSED`, `NOT PASSED`, or `INCOMPLETE (2 errors: re-run)`. */
export function verdictText(student: StudentResult): string {
  const verdict = studentVerdict(student);
  const word = VERDICT_STYLE[verdict].word;
  if (verdict !== 'incomplete') return word;
  return `${word} (${plural(countStatuses(student.checks).error, 'error')}: re-run)`;
}

/** Points as people read them: integers bare, fractions with at most two decimals. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

export function formatPercent(percent: number): string {
  return `${percent.toFixed(1)}%`;
}

/** `27/34 (79.4%) +2 bonus`; an incomplete student's percent is marked `so far`. */
export function scoreText(student: StudentResult): string {
  const so = student.status === 'incomplete' ? ' so far' : '';
  const bonus = student.bonus > 0 ? ` +${formatNumber(student.bonus)} bonus` : '';
  return `${formatNumber(student.score)}/${formatNumber(student.maxScore)} (${formatPercent(student.percent)}${so})${bonus}`;
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

export function countStatuses(checks: readonly CheckResult[]): Record<Status, number> {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

/** `24 pass, 3 fail, 1 blocked, 1 error` (zero counts left out), in the order of STATUSES. */
export function countsText(checks: readonly CheckResult[]): string {
  const counts = countStatuses(checks);
  return STATUSES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

/**
 * The lines to show under a check: for `fail` what was found and `hint:` what to do; for `blocked`
 * only the root cause (the root cause's own line carries the fix, so it is said once); for `error` why
 * it could not be graded. Empty for a pass, whose message is detail for verbose output only.
 */
export function detailLines(check: CheckResult): string[] {
  switch (check.status) {
    case 'fail':
      return [check.message, check.hint ? `hint: ${check.hint}` : ''].filter(Boolean);
    case 'blocked':
      return [check.blockedBy ? `blocked by ${check.blockedBy}` : check.message].filter(Boolean);
    case 'error':
      return [check.message.startsWith(ERROR_PREFIX) ? check.message : ERROR_PREFIX + check.message];
    case 'skipped':
      return [check.message].filter(Boolean);
    case 'pass':
      return [];
  }
}

export interface FailingCheck {
  id: string;
  title: string;
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
  /** Checks that failed (not blocked, not errored) most often, most first, ties in lab order. */
  topFailing: FailingCheck[];
  /** Users to grade again. */
  rerun: string[];
}

export function classSummary(run: RunResult, top = 5): ClassSummary {
  const graded = run.students.filter((s) => s.status === 'graded');
  const failing = new Map<string, FailingCheck & { order: number }>();
  for (const student of run.students) {
    student.checks.forEach((check, order) => {
      // Bonus and informational checks cost no points: listing them would bury what students lose points on.
      if (check.status !== 'fail' || check.bonus || check.maxPoints === 0) return;
      const entry = failing.get(check.id) ?? { id: check.id, title: check.title, count: 0, order };
      entry.count += 1;
      failing.set(check.id, entry);
    });
  }
  // Checks come in lab order, so a check's position breaks ties the way the rubric reads.
  const topFailing = [...failing.values()]
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .slice(0, top)
    .map(({ id, title, count }) => ({ id, title, count }));
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

/**
 * Student-controlled text (file contents, object names, HTTP bodies) must not drive a terminal:
 * drop C0/C1 control characters (ESC sequences, CSI, BEL, CR) but keep newline and tab.
 */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '');
}

/** Characters XML 1.0 forbids anywhere, even escaped (most C0 controls, lone surrogates, U+FFFE/F). */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // In attributes a raw newline or tab is normalised to a space by parsers; keep them as references.
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/**
 * Escapes text for XML (or HTML) element content, or with `attribute` for a quoted attribute value.
 * Escaping `>` too keeps a student's `]]>` inert. Quotes stay readable in content (evidence JSON).
 */
export function escapeXml(text: string, attribute = false): string {
  const pattern = attribute ? /[&<>"'\n\r\t]/g : /[&<>]/g;
  return text.replace(XML_ILLEGAL, '').replace(pattern, (ch) => XML_ENTITIES[ch]);
}
