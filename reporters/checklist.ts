/**
 * The student's checklist (the self-check's default view): the exercises in lab order, each `done`,
 * `next`, `failing` or `not checked` with its points, what to do next (the first failing check's
 * message and its hint, which names the lab step), the points so far, and what changed since the
 * previous check. Also the history table of `lab-grade history`. Written for a student, not an
 * instructor: no evidence, no check grid.
 */
import { progressOf, type ExerciseProgress, type HistoryEntry, type StatusChange } from '../core/history.js';
import type { StudentResult } from '../core/model.js';
import type { Reporter, ReporterOptions } from './types.js';
import { ERROR_PREFIX, formatNumber, stripControl, type Tone } from './format.js';
import { painter, type Paint } from './paint.js';
import { EXERCISE_TITLES, STATE_WORDS, checklistMessages as M } from './checklist.messages.js';

/** Where a self-check reached an area of the lab from, or the line that would make it reachable. */
export interface ReachedArea {
  area: 'VM' | 'Azure' | 'Cluster';
  ok: boolean;
  /** What is checked and from where, or the line that would make it reachable. */
  text: string;
}

export interface ChecklistView {
  student: StudentResult;
  checkedAt: Date;
  /** Where each area was checked from (self-check detection). */
  reached?: readonly ReachedArea[];
  /** What changed since an earlier run (the previous watch run, or the last recorded self-check). */
  since?: { at: Date; changes: readonly StatusChange[] };
  footer?: string;
}

const STATE_TONE: Record<ExerciseProgress['state'], Tone> = { done: 'good', next: 'warn', failing: 'bad', 'not checked': 'muted' };
const MAX_CHANGES = 10;


export function renderChecklist(view: ChecklistView, opts: { color: boolean }): string {
  const paint = painter(opts.color);
  const { student } = view;
  const progress = progressOf(student);
  const lines: string[] = [paint('bold', M.heading(stripControl(student.user), clock(view.checkedAt, view.checkedAt))), ''];

  const reached = (view.reached ?? []).filter((r) => r.ok);
  if (reached.length) {
    for (const r of reached) lines.push(`  ${paint('muted', `${M.checking} ${r.area}:`.padEnd(18))}${stripControl(r.text)}`);
    lines.push('');
  }

  const titleWidth = Math.max(...progress.exercises.map((e) => title(e.exercise).length));
  for (const e of progress.exercises) lines.push(exerciseLine(e, titleWidth, paint));
  lines.push('');

  const notChecked = groupReasons(progress.exercises.filter((e) => e.state === 'not checked'));
  if (notChecked.length) {
    lines.push(paint('bold', `${M.notChecked}:`));
    for (const [reason, list] of notChecked) lines.push(`  ${M.exercises(list)}: ${stripControl(reason)}`);
    lines.push('');
  }

  const first = progress.firstFailing;
  if (first) {
    const heading = first.status === 'error' ? M.couldNotCheck(first.title, first.id) : M.nextStep(first.title, first.id);
    lines.push(paint('bold', stripControl(heading)));
    const message = first.status === 'error' && !first.message.startsWith(ERROR_PREFIX) ? ERROR_PREFIX + first.message : first.message;
    lines.push(...indent(message), ...(first.hint ? indent(first.hint).map((l) => paint('warn', l)) : []));
    lines.push('');
  }

  const bonus = student.bonus > 0 ? M.bonus(formatNumber(student.bonus)) : '';
  const where = progress.next ? M.next(progress.next.exercise) : M.allDone;
  lines.push(paint('bold', `${M.points(formatNumber(student.score), formatNumber(student.maxScore), bonus)}; ${where}`));

  if (view.since) lines.push(...changeLines(view.since, view.checkedAt, paint));
  if (view.footer) lines.push('', paint('muted', view.footer));
  return lines.join('\n') + '\n';
}

const title = (n: number) => `${M.exercise(n)}  ${EXERCISE_TITLES[n] ?? ''}`.trimEnd();

function exerciseLine(e: ExerciseProgress, titleWidth: number, paint: Paint): string {
  const words = STATE_WORDS[e.state];
  const word = (e.optional && words.optionalWord) || words.word;
  const earned = e.state === 'not checked' ? '–' : formatNumber(e.optional ? e.bonus : e.points);
  const points = e.optional ? `+${earned}/${formatNumber(e.maxBonus)}` : `${earned}/${formatNumber(e.maxPoints)}`;
  const extra = !e.optional && e.bonus > 0 ? ` ${M.bonus(formatNumber(e.bonus)).trim()}` : '';
  const tone = STATE_TONE[e.state];
  return `  ${paint(tone, words.symbol)} ${title(e.exercise).padEnd(titleWidth)}  ${points.padStart(6)}   ${paint(tone, word)}${extra}`;
}

/** One line per reason ("Exercises 3, 4: run `az login`…"), in lab order. */
function groupReasons(list: readonly ExerciseProgress[]): Array<[string, number[]]> {
  const byReason = new Map<string, number[]>();
  for (const e of list) {
    const reason = e.reason ?? '';
    byReason.set(reason, [...(byReason.get(reason) ?? []), e.exercise]);
  }
  return [...byReason];
}

const indent = (text: string) => stripControl(text).split('\n').map((l) => `  ${l}`);

function changeLines(since: NonNullable<ChecklistView['since']>, now: Date, paint: Paint): string[] {
  const when = clock(since.at, now);
  if (since.changes.length === 0) return [paint('muted', M.unchangedSince(when))];
  const shown = since.changes.slice(0, MAX_CHANGES).map((c) => `  ${c.id}: ${c.from} → ${paint(c.to === 'pass' ? 'good' : c.from === 'pass' ? 'bad' : 'warn', c.to)}`);
  const more = since.changes.length > MAX_CHANGES ? [`  ${M.moreChanges(since.changes.length - MAX_CHANGES)}`] : [];
  return [M.changedSince(when), ...shown, ...more];
}

/** `14:03:05` today, `2024-05-01 14:03` on another day (local time: the student's clock). */
function clock(at: Date, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return at.toDateString() === now.toDateString() ? time : `${dateOf(at)} ${time.slice(0, 5)}`;
}

const dateOf = (at: Date) => `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;

const HISTORY_MARK: Record<string, string> = { done: '✓', next: '✗', failing: '✗', 'not checked': '–' };

/** `lab-grade history`: time, points and a ✓/✗/– per exercise, oldest first; a user column when several. */
export function renderHistory(entries: readonly HistoryEntry[], opts: { color: boolean; file: string }): string {
  if (entries.length === 0) return M.historyEmpty(opts.file) + '\n';
  const paint = painter(opts.color);
  const exercises = [...new Set(entries.flatMap((e) => Object.keys(e.exercises)))].sort((a, b) => Number(a) - Number(b));
  const users = new Set(entries.map((e) => e.user)).size > 1;
  const rows = entries.map((e) => {
    const at = new Date(e.at);
    const points = `${formatNumber(e.score)}/${formatNumber(e.maxScore)}${e.bonus > 0 ? ` +${formatNumber(e.bonus)}` : ''}`;
    return { time: `${dateOf(at)} ${clock(at, at)}`, user: stripControl(e.user), points, marks: exercises.map((x) => HISTORY_MARK[e.exercises[x]] ?? ' ') };
  });
  const userWidth = Math.max(4, ...rows.map((r) => r.user.length));
  const pointsWidth = Math.max(6, ...rows.map((r) => r.points.length));
  const head = ['Time'.padEnd(19), ...(users ? ['User'.padEnd(userWidth)] : []), 'Points'.padEnd(pointsWidth), exercises.map((x) => x.padEnd(1)).join(' ')];
  const tone: Record<string, Tone> = { '✓': 'good', '✗': 'bad', '–': 'muted' };
  const body = rows.map((r) =>
    [r.time, ...(users ? [r.user.padEnd(userWidth)] : []), r.points.padEnd(pointsWidth), r.marks.map((m) => (tone[m] ? paint(tone[m], m) : m)).join(' ')].join('  ').trimEnd(),
  );
  return [paint('bold', head.join('  ')), ...body, paint('muted', `Exercises: ✓ done, ✗ failing, – not checked (${opts.file})`)].join('\n') + '\n';
}

export interface ChecklistOptions extends ReporterOptions {
  /** Where each area was checked from (a self-check's detection). */
  reached?: readonly ReachedArea[];
  /** What changed since an earlier run, given the student's result. */
  since?(student: StudentResult): ChecklistView['since'];
  footer?: string;
  now?: () => Date;
}

/** The checklist of each student as they finish (a self-check has one). */
export const createChecklistReporter = (options: ChecklistOptions): Reporter => ({
  onStudentEnd(student) {
    const view: ChecklistView = { student, checkedAt: options.now?.() ?? new Date(), reached: options.reached, since: options.since?.(student), footer: options.footer };
    options.output.write(renderChecklist(view, { color: options.output.color }));
  },
});
