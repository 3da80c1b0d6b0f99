/**
 * The default reporter, for people at a terminal. For one student (a self-check) check lines stream as
 * checks finish, passing ones included; for a class each student's block is printed whole when the
 * student is done (students are graded in parallel, so streaming would interleave them) and only
 * non-passing checks are shown. A class summary closes a run of more than one student.
 */
import type { CheckResult, RunResult, StudentResult } from '../core/model.js';
import {
  STATUS_STYLE,
  VERDICT_STYLE,
  classSummary,
  countsText,
  detailLines,
  formatDuration,
  formatPercent,
  plural,
  pointsText,
  scoreText,
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

export class ConsoleReporter implements Reporter {
  private info?: RunInfo;
  /** Users whose header and check lines were already printed as checks finished. */
  private readonly streamed = new Map<string, Set<string>>();
  /** Finished checks waiting for the ones before them in lab order. */
  private readonly waiting = new Map<string, Map<string, CheckResult>>();
  private readonly printed = new Set<string>();

  private readonly paint: Paint;

  constructor(private readonly options: ReporterOptions) {
    this.paint = painter(options.output.color);
  }

  onRunStart(info: RunInfo): void {
    this.info = info;
    const who = plural(info.users.length, 'student');
    this.write(this.paint('bold', `${stripControl(info.title)} (${info.lab})`) + ` — ${who}, pass mark ${info.passMark}%`);
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
      seen.add(result.id);
      this.printCheck(result);
      return;
    }
    // Checks finish in parallel; print each as soon as every check before it in lab order is printed.
    const waiting = this.waiting.get(user) ?? new Map<string, CheckResult>();
    this.waiting.set(user, waiting);
    waiting.set(result.id, result);
    for (const id of order) {
      if (seen.has(id)) continue;
      const next = waiting.get(id);
      if (!next) break;
      waiting.delete(id);
      seen.add(id);
      this.printCheck(next);
    }
  }

  onStudentEnd(student: StudentResult): void {
    const seen = this.streamed.get(student.user);
    if (!seen) this.write(this.header(student.user));
    // Checks the engine did not stream (a replay, a check decided without running) still show.
    for (const check of student.checks) if (!seen?.has(check.id)) this.printCheck(check);
    this.write(this.summaryLine(student));
    this.write('');
    this.printed.add(student.user);
  }

  onRunEnd(run: RunResult): void {
    // A saved RunResult rendered again arrives here only: print whoever was not printed yet.
    for (const student of run.students) if (!this.printed.has(student.user)) this.onStudentEnd(student);
    if (run.students.length > 1) this.printClassSummary(run);
  }

  /** Streaming check lines is for one student: parallel students would interleave. */
  private streaming(): boolean {
    return this.info?.users.length === 1;
  }

  private verbose(): boolean {
    return this.options.verbose ?? (this.info ? this.info.users.length <= 1 : false);
  }

  private header(user: string): string {
    return this.paint('bold', stripControl(user));
  }

  private printCheck(check: CheckResult): void {
    if (check.status === 'pass' && !this.verbose()) return;
    const style = STATUS_STYLE[check.status];
    const status = check.status === 'pass' ? '' : '  ' + this.paint(style.tone, style.word);
    const line = [
      INDENT + this.paint(style.tone, style.symbol),
      check.id.padEnd(ID_WIDTH),
      pointsText(check).padEnd(POINTS_WIDTH),
      stripControl(check.title) + status,
    ].join(' ');
    this.write(line);
    for (const detail of detailLines(check)) {
      const text = stripControl(detail).replace(/\n/g, '\n' + DETAIL_INDENT);
      this.write(DETAIL_INDENT + (detail.startsWith('hint: ') ? this.paint('muted', text) : text));
    }
  }

  private summaryLine(student: StudentResult): string {
    const tone = VERDICT_STYLE[studentVerdict(student)].tone;
    // The pass mark explains PASSED / NOT PASSED; an incomplete student has no verdict yet.
    const mark = this.info && student.status === 'graded' ? ` (pass mark ${this.info.passMark}%)` : '';
    return (
      INDENT +
      `${this.paint('bold', stripControl(student.user))}  ${scoreText(student)}  ${this.paint(tone, verdictText(student))}` +
      this.paint('muted', `${mark}  ${countsText(student.checks)}  ${formatDuration(student.durationMs)}`)
    );
  }

  private printClassSummary(run: RunResult): void {
    const sum = classSummary(run, TOP_FAILING);
    const mean = sum.meanPercent === null ? 'n/a' : formatPercent(sum.meanPercent);
    this.write(this.paint('bold', `Class: ${plural(sum.students, 'student')}`));
    this.write(
      `${INDENT}graded ${sum.graded}, incomplete ${sum.incomplete}, passed ${sum.passed}/${sum.graded}, mean ${mean} (graded students only)`,
    );
    if (sum.topFailing.length) {
      this.write(`${INDENT}most common failing checks:`);
      const width = Math.max(...sum.topFailing.map((f) => String(f.count).length));
      for (const f of sum.topFailing) {
        this.write(`${INDENT}${INDENT}${String(f.count).padStart(width)}× ${f.id.padEnd(ID_WIDTH)} ${stripControl(f.title)}`);
      }
    }
    if (sum.rerun.length) {
      this.write(this.paint('alert', `${INDENT}re-run (could not be graded): ${sum.rerun.map(stripControl).join(', ')}`));
    }
  }


  private write(line: string): void {
    this.options.output.write(line + '\n');
  }
}

export const createConsoleReporter = (options: ReporterOptions): Reporter => new ConsoleReporter(options);
