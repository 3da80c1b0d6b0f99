/**
 * Progress of a class run, on stderr so it never mixes into a report on stdout. On a TTY: one line
 * redrawn in place (done/total, passing, incomplete, ETA); elsewhere (CI logs, a Kubernetes Job): one
 * line per finished student. Results taken from a resumed journal count as done at once and are
 * left out of the ETA, which only knows how fast students are graded now.
 */
import type { StudentResult } from '../core/model.js';
import { formatDuration, oneLine } from './format.js';
import type { Reporter, ReporterOutput, RunInfo, StatusLine } from './types.js';

const BAR_WIDTH = 20;

export interface ProgressOptions {
  output: ReporterOutput;
  now?: () => number;
  /** Redraw the TTY line this often so the ETA moves while students are slow (0: only on events). */
  tickMs?: number;
  /** Students whose results come from a resumed journal: reported first, not graded now. */
  replayed?: number;
}

export class ProgressReporter implements Reporter, StatusLine {
  private total = 0;
  private done = 0;
  private passing = 0;
  private incomplete = 0;
  private startedAt = 0;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;
  /** The line is on the terminal now (drawn, not cleared). */
  private drawn = false;
  /** Something else is being written to the terminal: draw nothing until it is done. */
  private suspended = 0;
  private finished = false;
  /** `--only`: a student's line says no verdict. */
  private partial = false;

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? Date.now;
  }

  onRunStart(info: RunInfo): void {
    this.total = info.users.length;
    this.partial = !!info.only?.length;
    this.startedAt = this.now();
    if (!this.opts.output.isTTY) return;
    this.draw();
    const tick = this.opts.tickMs ?? 1_000;
    if (tick > 0) {
      this.timer = setInterval(() => this.draw(), tick);
      this.timer.unref();
    }
  }

  onStudentEnd(s: StudentResult): void {
    this.done++;
    if (s.status === 'incomplete') this.incomplete++;
    else if (s.passed) this.passing++;
    if (this.opts.output.isTTY) this.draw();
    else this.opts.output.write(`[${this.done}/${this.total}] ${oneLine(s.user)} ${studentLine(s, this.partial)}\n`);
  }

  onRunEnd(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.finished = true;
    if (this.opts.output.isTTY) this.opts.output.write(`\r\x1b[K${this.line()} in ${formatDuration(this.now() - this.startedAt)}\n`);
    this.drawn = false;
  }

  /** Clears the line before something else is written to the terminal (reports, notices). */
  suspend(): void {
    this.suspended++;
    if (this.drawn) this.opts.output.write('\r\x1b[K');
    this.drawn = false;
  }

  /** Draws the line again once that is written. */
  resume(): void {
    this.suspended = Math.max(0, this.suspended - 1);
    if (this.opts.output.isTTY && this.total > 0) this.draw();
  }

  private draw(): void {
    if (this.finished || this.suspended > 0) return; // finished: onRunEnd wrote the last line
    this.opts.output.write(`\r\x1b[K${this.line()}`);
    this.drawn = true;
  }

  private line(): string {
    const filled = this.total ? Math.round((this.done / this.total) * BAR_WIDTH) : 0;
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    const parts = [`${bar} ${this.done}/${this.total} graded`, ...(this.partial ? [] : [`${this.passing} passing`]), `${this.incomplete} incomplete`];
    const eta = this.eta();
    if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
    return parts.join(' · ');
  }

  private eta(): number | undefined {
    const left = this.total - this.done;
    const fresh = this.done - (this.opts.replayed ?? 0);
    if (left === 0 || fresh <= 0) return undefined;
    return ((this.now() - this.startedAt) / fresh) * left;
  }
}

function studentLine(s: StudentResult, partial: boolean): string {
  const verdict = s.status === 'incomplete' ? 'INCOMPLETE' : partial ? 'partial' : s.passed ? 'passed' : 'not passed';
  return `${s.score}/${s.maxScore} (${s.percent}%) ${verdict} ${formatDuration(s.durationMs)}`;
}

export const createProgressReporter = (options: ProgressOptions): Reporter & StatusLine => new ProgressReporter(options);
