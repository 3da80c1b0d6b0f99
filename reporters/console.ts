/**
 * The default reporter, for people at a terminal. For one student (a self-check) check lines stream as
 * checks finish, passing ones included; for a class each student's block is printed whole, in roster
 * order: when the student and every student before it are done (students are graded in parallel, so
 * streaming would interleave them, and finishing order changes from run to run). A class shows only
 * what costs points (a bonus not earned or an informational check is counted, not listed). A class
 * summary closes a run of more than one student.
 */
import type { CheckResult, RunResult, StudentResult } from '../core/model.js';
import { wholeStudent } from '../core/result-spool.js';
import {
  SHOWN_STYLE,
  VERDICT_STYLE,
  checkKind,
  classSummary,
  countsText,
  detailLines,
  formatDuration,
  formatPercent,
  oneLine,
  plural,
  pointsText,
  scoreText,
  shownStatus,
  stripControl,
  studentVerdict,
  verdictText,
} from './format.js';
import { painter, type Paint } from './paint.js';
import type { Reporter, ReporterOptions, RunInfo } from './types.js';

/** Widths chosen for the rubric's ids (at most 20 characters) and points like `+2/2`. */
const ID_WIDTH = 21;
const POINTS_WIDTH = 5;
const INDENT = '  ';
const DETAIL_INDENT = '      ';
const TOP_FAILING = 5;

class ConsoleReporter implements Reporter {
  private info?: RunInfo;
  /** Users whose header and check lines were already printed as checks finished. */
  private readonly streamed = new Map<string, Set<string>>();
  /** Finished checks waiting for the ones before them in lab order. */
  private readonly waiting = new Map<string, Map<string, CheckResult>>();
  /** Finished students waiting for the ones before them in the roster. */
  private readonly finished = new Map<string, StudentResult>();
  private readonly printed = new Set<string>();
  private nextInRoster = 0;

  private readonly paint: Paint;

  constructor(private readonly options: ReporterOptions) {
    this.paint = painter(options.output.color);
  }

  onRunStart(info: RunInfo): void {
    this.info = info;
    const who = plural(info.users.length, 'student');
    const scope = info.only?.length ? `only ${oneLine(info.only.join(' '))} (a partial run: no pass-mark verdict)` : `pass mark ${info.passMark}%`;
    this.write(this.paint('bold', `${oneLine(info.title)} (${oneLine(info.lab)})`) + ` — ${who}, ${scope}`);
    this.write('');
  }

  onStudentStart(user: string): void {
    if (!this.streaming()) return;
    this.streamed.set(user, new Set());
    this.write(this.header(user));
  }

  onCheckResult(user: string, result: CheckResult): void {
    const seen = this.streamed.get(user);
    if (!seen) return;
    const order = this.info?.checkIds;
    if (!order) {
      if (heldBack(result)) return;
      seen.add(result.id);
      this.printCheck(result, []);
      return;
    }
    // Checks finish in parallel; print each as soon as every check before it in lab order is printed.
    const waiting = this.waiting.get(user) ?? new Map<string, CheckResult>();
    this.waiting.set(user, waiting);
    waiting.set(result.id, result);
    for (const id of order) {
      if (seen.has(id)) continue;
      const next = waiting.get(id);
      if (!next || heldBack(next)) break;
      waiting.delete(id);
      seen.add(id);
      this.printCheck(next, []);
    }
  }

  onStudentEnd(student: StudentResult): void {
    this.finished.set(student.user, student);
    const roster = this.info?.users ?? [];
    if (!roster.includes(student.user)) return this.printStudent(student);
    while (this.nextInRoster < roster.length) {
      const next = this.finished.get(roster[this.nextInRoster]);
      if (!next) break;
      // Printed students are not held: a class's results stay with the run, without their evidence.
      this.finished.delete(next.user);
      this.nextInRoster++;
      this.printStudent(next);
    }
  }

  onRunEnd(run: RunResult): void {
    // A saved RunResult rendered again arrives here only; a student the run never finished is printed too.
    for (const student of run.students) if (!this.printed.has(student.user)) this.printStudent(wholeStudent(run, student));
    if (run.students.length > 1) this.printClassSummary(run);
  }

  /** Streaming check lines is for one student: parallel students would interleave. */
  private streaming(): boolean {
    return this.info?.users.length === 1;
  }

  private verbose(): boolean {
    return this.options.verbose ?? (this.info ? this.info.users.length <= 1 : false);
  }

  private partial(): boolean {
    return !!this.info?.only?.length;
  }

  private header(user: string): string {
    return this.paint('bold', oneLine(user));
  }

  private printStudent(student: StudentResult): void {
    if (this.printed.has(student.user)) return;
    this.printed.add(student.user);
    const seen = this.streamed.get(student.user);
    if (!seen) this.write(this.header(student.user));
    // Checks the engine did not stream (a replay, a check decided without running) still show.
    for (const check of student.checks) if (!seen?.has(check.id)) this.printCheck(check, student.checks);
    this.write(this.summaryLine(student));
    this.write('');
  }

  private printCheck(check: CheckResult, siblings: readonly CheckResult[]): void {
    const shown = shownStatus(check, siblings);
    if ((shown === 'pass' || shown === 'not-earned' || shown === 'info') && !this.verbose()) return;
    const style = SHOWN_STYLE[shown];
    const status = shown === 'pass' ? '' : '  ' + this.paint(style.tone, style.word);
    const line = [INDENT + this.paint(style.tone, style.symbol), check.id.padEnd(ID_WIDTH), pointsText(check).padEnd(POINTS_WIDTH), oneLine(check.title) + status].join(' ');
    this.write(line);
    for (const detail of detailLines(check)) {
      const text = stripControl(detail).replace(/\n/g, '\n' + DETAIL_INDENT);
      this.write(DETAIL_INDENT + (detail.startsWith('hint: ') || shown === 'not-earned' || shown === 'info' ? this.paint('muted', text) : text));
    }
  }

  private summaryLine(student: StudentResult): string {
    const partial = this.partial();
    const tone = VERDICT_STYLE[studentVerdict(student, partial)].tone;
    // The pass mark explains PASSED / NOT PASSED; an incomplete student has no verdict yet.
    const mark = this.info && student.status === 'graded' && !partial ? ` (pass mark ${this.info.passMark}%)` : '';
    return (
      INDENT +
      `${this.paint('bold', oneLine(student.user))}  ${scoreText(student, partial)}  ${this.paint(tone, verdictText(student, this.info?.only))}` +
      this.paint('muted', `${mark}  ${countsText(student.checks)}  ${formatDuration(student.durationMs)}`)
    );
  }

  private printClassSummary(run: RunResult): void {
    const sum = classSummary(run, TOP_FAILING, this.info?.reasons);
    const mean = sum.meanPercent === null ? 'n/a' : formatPercent(sum.meanPercent);
    this.write(this.paint('bold', `Class: ${plural(sum.students, 'student')}`));
    const passed = this.partial() ? 'no pass-mark verdict (a partial run)' : `passed ${sum.passed}/${sum.graded}, mean ${mean} (graded students only)`;
    this.write(`${INDENT}graded ${sum.graded}, incomplete ${sum.incomplete}, ${passed}`);
    if (sum.topFailing.length) {
      this.write(`${INDENT}most common failures (students):`);
      const width = Math.max(...sum.topFailing.map((f) => String(f.count).length));
      for (const f of sum.topFailing) {
        this.write(`${INDENT}${INDENT}${String(f.count).padStart(width)}× ${(f.code ?? f.id).padEnd(7)} ${oneLine(f.summary)} (${f.id})`);
      }
    }
    if (sum.rerun.length) {
      this.write(this.paint('alert', `${INDENT}could not be graded: ${sum.rerun.map(oneLine).join(', ')}`));
      const command = this.info?.rerun?.command(sum.rerun);
      if (command) this.write(this.paint('alert', `${INDENT}grade them again: ${stripControl(command)}`));
      if (command && this.info?.rerun?.note) this.write(this.paint('muted', `${INDENT}(${stripControl(this.info.rerun.note)})`));
    }
  }

  private write(line: string): void {
    this.options.output.write(line + '\n');
  }
}

/**
 * An informational check that did not pass reads as a failure only when required checks are blocked
 * behind it, which is known when the student is done: streaming waits for that.
 */
const heldBack = (check: CheckResult): boolean => checkKind(check) === 'informational' && (check.status === 'fail' || check.status === 'blocked');

export const createConsoleReporter = (options: ReporterOptions): Reporter => new ConsoleReporter(options);
