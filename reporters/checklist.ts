/**
 * The student's checklist (the self-check's default view): the exercises in lab order, each with its
 * state in the words every report uses (reporters/exercise-states.ts) and its points, what to do next (every failing
 * check of the next exercise with its message and its hint, which names the lab step), the points so
 * far, and what changed since the previous check (losing access apart from real regressions). Also the
 * history table of `lab-grade history`. Written for a student, not an instructor: no evidence, no check
 * grid; commands in hints are wrapped to the terminal without breaking them.
 */
import { progressOf, type HistoryEntry, type StatusChange } from '../core/history.js';
import type { CheckResult, Status, StudentResult } from '../core/model.js';
import { absentIn, exerciseMark, type AbsentCode, type ExerciseMark, type ExerciseStanding } from '../core/progress.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import type { Reporter, ReporterOptions } from './types.js';
import { ERROR_PREFIX, formatNumber, oneLine, safeText, type Tone } from './format.js';
import { painter, type Paint } from './paint.js';
import { wrap } from './text.js';
import { EXERCISE_TITLES, TOOL, checklistMessages as M } from './checklist.messages.js';
import { EXERCISE_LOOK, exerciseLegend, exerciseWord } from './exercise-states.js';

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
  /** How this self-check was run, with the options that say where (`node lab-grade.mjs --resource-group rg1`): the commands printed repeat it. */
  command?: string;
  /** `--only`: the checks graded are a selection, not the lab. */
  only?: readonly string[];
  /** Reason codes meaning "not there at all": an exercise with only those is `not started`. */
  absent?: AbsentCode;
}

const MAX_CHANGES = 10;
const DEFAULT_COLUMNS = 80;

export function renderChecklist(view: ChecklistView, opts: { color: boolean; columns?: number }): string {
  const paint = painter(opts.color);
  // 0 columns is a terminal that did not say its width, not one to wrap at 20.
  const width = opts.columns || DEFAULT_COLUMNS;
  const { student } = view;
  const command = view.command ?? TOOL;
  const progress = progressOf(student, view.absent);
  // A partial run (--only) names no exercise to work on: the whole check may well say another.
  const partial = !!view.only?.length;
  const markOf = (e: ExerciseStanding) => exerciseMark(e, !partial && e === progress.next);
  const lines: string[] = [paint('bold', M.heading(oneLine(student.user), clock(view.checkedAt, view.checkedAt))), ''];

  const reached = (view.reached ?? []).filter((r) => r.ok);
  if (reached.length) {
    for (const r of reached) lines.push(`  ${paint('muted', `${M.checking} ${r.area}:`.padEnd(18))}${oneLine(r.text)}`);
    lines.push('');
  }

  const titleWidth = Math.max(...progress.exercises.map((e) => title(e.exercise).length));
  for (const e of progress.exercises) lines.push(exerciseLine(e, markOf(e), titleWidth, paint));
  lines.push('');

  const notChecked = groupReasons(progress.exercises.filter(unchecked));
  if (notChecked.length) {
    lines.push(paint('bold', `${M.notChecked}:`));
    for (const [reason, list] of notChecked) lines.push(...wrap(`${M.exercises(list)}: ${safeText(reason)}`, width, '  '));
    lines.push('');
  }

  if (progress.next && progress.failures.length) {
    lines.push(paint('bold', (partial ? M.toFixSelected : M.nextStep)(progress.next.exercise, progress.failures.length)));
    for (const check of progress.failures) lines.push(...failureLines(check, width, paint, command));
    lines.push(...wrap(M.seeAll(command), width).map((l) => paint('muted', l)), '');
  }

  const bonus = student.bonus > 0 ? M.bonus(formatNumber(student.bonus)) : '';
  const score = formatNumber(student.score);
  const max = formatNumber(student.maxScore);
  const credit = student.credit ? M.credit(student.credit) : '';
  const points = (partial ? M.partialPoints(score, max, oneLine(view.only!.join(' '))) + bonus : M.points(score, max, bonus)) + credit;
  const nothing = progress.exercises.every(unchecked);
  const notHere = progress.exercises.filter(unchecked).map((e) => e.exercise);
  const done = progress.exercises.filter((e) => e.state === 'done').map((e) => e.exercise);
  // "Every exercise is done" only when every one was checked: what could not be checked is not done.
  const settled = notHere.length ? M.doneButNotChecked(done, notHere) : M.allDone;
  const where = partial ? M.partialNext(command) : progress.next ? M.next(progress.next.exercise) : nothing ? M.nothingChecked : settled;
  lines.push(paint('bold', `${points}; ${where}`));
  const first = progress.exercises.find((e) => unchecked(e) && e.reason);
  if (nothing && first) lines.push(...wrap(M.startWith(first.exercise, safeText(reasonOf(first))), width));

  if (view.since) lines.push(...changeLines(view.since, view.checkedAt, student.checks, paint));
  if (view.footer) lines.push('', paint('muted', view.footer));
  return lines.join('\n') + '\n';
}

const title = (n: number) => `${M.exercise(n)}  ${EXERCISE_TITLES[n] ?? ''}`.trimEnd();

/** Nothing of it could be checked here, or the grader could not find out: a reason says which. */
const unchecked = (e: ExerciseStanding) => e.state === 'not checked' || e.state === 'not gradable';

const reasonOf = (e: ExerciseStanding) => (e.state === 'not gradable' ? M.couldNotCheckExercise(e.reason ?? '') : (e.reason ?? ''));

function exerciseLine(e: ExerciseStanding, mark: ExerciseMark, titleWidth: number, paint: Paint): string {
  const look = EXERCISE_LOOK[mark];
  const earned = unchecked(e) ? '–' : formatNumber(e.optional ? e.bonus : e.points);
  const points = e.optional ? `+${earned}/${formatNumber(e.maxBonus)}` : `${earned}/${formatNumber(e.maxPoints)}`;
  const extra = !e.optional && e.bonus > 0 ? ` ${M.bonus(formatNumber(e.bonus)).trim()}` : '';
  return `  ${paint(look.tone, look.symbol)} ${title(e.exercise).padEnd(titleWidth)}  ${points.padStart(6)}   ${paint(look.tone, exerciseWord(mark, e.waitingOn))}${extra}`;
}

/** A check to fix: its title and id, what was found, and the hint that names the lab step, wrapped. */
function failureLines(check: CheckResult, width: number, paint: Paint, command: string): string[] {
  const errored = check.status === 'error';
  const head = `  ${paint(errored ? 'alert' : 'bad', errored ? '‼' : '✗')} ${oneLine(check.title)} (${check.id})`;
  const message = errored && !check.message.startsWith(ERROR_PREFIX) ? ERROR_PREFIX + check.message : check.message;
  const body = wrap(safeText(message), width, '    ');
  const hint = errored ? wrap(M.couldNotCheck(command), width, '    ') : check.hint ? wrap(safeText(check.hint), width, '    ') : [];
  return [head, ...body, ...hint.map((l) => paint('warn', l))];
}

/** One line per reason ("Exercises 3, 4: run `az login`…"), in lab order. */
function groupReasons(list: readonly ExerciseStanding[]): Array<[string, number[]]> {
  const byReason = new Map<string, number[]>();
  for (const e of list) {
    const reason = reasonOf(e);
    byReason.set(reason, [...(byReason.get(reason) ?? []), e.exercise]);
  }
  return [...byReason];
}

/**
 * A check that now ends in error or is skipped for want of access (or is blocked behind one) could not
 * be checked: an expired login or another kubeconfig, not the student undoing their work.
 */
function lostAccess(change: StatusChange, checks: readonly CheckResult[]): boolean {
  const unreachable = (c: CheckResult | undefined) => c?.status === 'error' || (c?.status === 'skipped' && c.code === ENGINE_REASONS.unavailable.code);
  const check = checks.find((c) => c.id === change.id);
  if (change.to !== 'blocked') return unreachable(check);
  return unreachable(checks.find((c) => c.id === check?.blockedBy));
}

/** A check's status in a change, in the checklist's words where they differ: what could not be checked reads so. */
const changeWord = (status: Status): string => (status === 'skipped' ? EXERCISE_LOOK['not checked'].word : status === 'error' ? EXERCISE_LOOK['not gradable'].word : status);

/** Could not be checked before, is checked now: access came back (a login renewed), not a change of the work. */
const regained = (change: StatusChange): boolean => change.from === 'skipped' || change.from === 'error';

function changeLines(since: NonNullable<ChecklistView['since']>, now: Date, checks: readonly CheckResult[], paint: Paint): string[] {
  const when = clock(since.at, now);
  if (since.changes.length === 0) return [paint('muted', M.unchangedSince(when))];
  const list = (changes: readonly StatusChange[], tone: (c: StatusChange) => Tone) => {
    const shown = changes.slice(0, MAX_CHANGES).map((c) => `  ${c.id}: ${changeWord(c.from)} → ${paint(tone(c), changeWord(c.to))}`);
    return changes.length > MAX_CHANGES ? [...shown, `  ${M.moreChanges(changes.length - MAX_CHANGES)}`] : shown;
  };
  const lost = since.changes.filter((c) => lostAccess(c, checks));
  const back = since.changes.filter((c) => !lost.includes(c) && regained(c));
  const real = since.changes.filter((c) => !lost.includes(c) && !back.includes(c));
  const tone = (c: StatusChange): Tone => (c.to === 'pass' ? 'good' : c.from === 'pass' ? 'bad' : 'warn');
  const out: string[] = [];
  if (real.length) out.push(M.changedSince(when), ...list(real, tone));
  if (back.length) out.push(M.checkedAgainSince(when), ...list(back, tone));
  if (lost.length) out.push(paint('muted', M.lostSince(when)), ...list(lost, () => 'muted'));
  return out;
}

/** `14:03:05` today, `2024-05-01 14:03` on another day (local time: the student's clock). */
function clock(at: Date, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return at.toDateString() === now.toDateString() ? time : `${dateOf(at)} ${time.slice(0, 5)}`;
}

const dateOf = (at: Date) => `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;

/** A mark recorded by this or an earlier version (unknown ones are left blank). */
const lookOf = (mark: string) => (Object.hasOwn(EXERCISE_LOOK, mark) ? EXERCISE_LOOK[mark as ExerciseMark] : undefined);

/** `lab-grade history`: time, points and each exercise's symbol, oldest first; a user column when several. */
export function renderHistory(entries: readonly HistoryEntry[], opts: { color: boolean; file: string; user?: string; recordedUsers?: readonly string[] }): string {
  // Asked for a user the file does not hold while it holds others: say so, not "nothing recorded yet".
  if (entries.length === 0 && opts.user && opts.recordedUsers?.length) return M.historyNoneOf(oneLine(opts.user), opts.recordedUsers.map(oneLine), opts.file) + '\n';
  if (entries.length === 0) return M.historyEmpty(opts.file) + '\n';
  const paint = painter(opts.color);
  const exercises = [...new Set(entries.flatMap((e) => Object.keys(e.exercises)))].sort((a, b) => Number(a) - Number(b));
  const users = new Set(entries.map((e) => e.user)).size > 1;
  const rows = entries.map((e) => {
    const at = new Date(e.at);
    // A partial run's points are those of its selection: shown as such, never as the lab's total.
    const points = e.only?.length ? 'partial' : `${formatNumber(e.score)}/${formatNumber(e.maxScore)}${e.bonus > 0 ? ` +${formatNumber(e.bonus)}` : ''}`;
    return { time: `${dateOf(at)} ${clock(at, at)}`, user: oneLine(e.user), points, marks: exercises.map((x) => lookOf(e.exercises[x])) };
  });
  const userWidth = Math.max(4, ...rows.map((r) => r.user.length));
  const pointsWidth = Math.max(6, ...rows.map((r) => r.points.length));
  const head = ['Time'.padEnd(19), ...(users ? ['User'.padEnd(userWidth)] : []), 'Points'.padEnd(pointsWidth), exercises.map((x) => x.padEnd(1)).join(' ')];
  const body = rows.map((r) =>
    [r.time, ...(users ? [r.user.padEnd(userWidth)] : []), r.points.padEnd(pointsWidth), r.marks.map((m) => (m ? paint(m.tone, m.symbol) : ' ')).join(' ')].join('  ').trimEnd(),
  );
  const legend = exerciseLegend({ next: true })
    .map((m) => `${EXERCISE_LOOK[m].symbol} ${EXERCISE_LOOK[m].word}`)
    .join(', ');
  return [paint('bold', head.join('  ')), ...body, paint('muted', M.historyLegend(legend, opts.file))].join('\n') + '\n';
}

export interface ChecklistOptions extends ReporterOptions {
  /** Where each area was checked from (a self-check's detection). */
  reached?: readonly ReachedArea[];
  /** What changed since an earlier run, given the student's result. */
  since?(student: StudentResult): ChecklistView['since'];
  footer?: string;
  /** How the self-check was run (ChecklistView.command). */
  command?: string;
  now?: () => Date;
}

/** The checklist of each student as they finish (a self-check has one). */
export function createChecklistReporter(options: ChecklistOptions): Reporter {
  let only: readonly string[] | undefined;
  let absent: AbsentCode | undefined;
  return {
    onRunStart(info) {
      only = info.only;
      absent = absentIn(info.reasons ?? {});
    },
    onStudentEnd(student) {
      const view: ChecklistView = {
        student,
        checkedAt: options.now?.() ?? new Date(),
        reached: options.reached,
        since: options.since?.(student),
        footer: options.footer,
        command: options.command,
        only,
        absent,
      };
      options.output.write(renderChecklist(view, { color: options.output.color, columns: options.output.columns }));
    },
  };
}
