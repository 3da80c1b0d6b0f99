/**
 * One interface of optional lifecycle hooks (in the spirit of Vitest's reporters): a reporter
 * implements only what it needs. Streaming reporters (console) print as students finish; document
 * reporters (json, junit, markdown, csv, html) write once in onRunEnd.
 */
import type { CheckResult, RunResult, StudentResult } from '../core/model.js';

export interface RunInfo {
  lab: string;
  title: string;
  /** The students in roster order: every report lists them in this order. */
  users: string[];
  passMark: number;
  /** Bonus points counted at most (the profile's; absent: no cap). */
  bonusCap?: number;
  startedAt: Date;
  /** The reported checks in lab order: streaming reporters print in this order. */
  checkIds?: string[];
  /** `--only`: the run graded these checks only, so no pass-mark verdict is drawn from it. */
  only?: readonly string[];
  /** The catalogue's reasons by code: the class summary counts failures by them. */
  reasons?: Readonly<Record<string, ReasonInfo>>;
  /** How the students who could not be graded are graded again. */
  rerun?: RerunHint;
}

export interface ReasonInfo {
  /** One line: `Deployment myapp has replicas unavailable`. */
  summary: string;
  /** The check that reports it (none for the engine's own reasons). */
  check?: string;
  /** The thing the exercise builds is not there at all (not created yet, rather than wrong). */
  absent?: boolean;
}

export interface RerunHint {
  /** The run's journal, when it has one. */
  journal?: string;
  /** The command that grades these students again, as the user can type it. */
  command(users: readonly string[]): string;
  /** What the command does not do, shown beside it (without a journal: it leaves the class's report files alone). */
  note?: string;
}

export interface Reporter {
  onRunStart?(info: RunInfo): void | Promise<void>;
  onStudentStart?(user: string): void | Promise<void>;
  onCheckResult?(user: string, result: CheckResult): void | Promise<void>;
  onStudentEnd?(student: StudentResult): void | Promise<void>;
  onRunEnd?(run: RunResult): void | Promise<void>;
}

/**
 * A line redrawn in place on a terminal (the progress line): it steps aside while anything else is
 * written to that terminal, so no report line is glued to it.
 */
export interface StatusLine {
  /** Clears the line before something else is written to the terminal. */
  suspend(): void;
  /** Draws it again once that is written. */
  resume(): void;
}

/** Where a reporter writes: stdout (a TTY or not) or a file opened by the CLI. */
export interface ReporterOutput {
  write(text: string): void;
  /** Colour and in-place redraw are allowed (a TTY, NO_COLOR unset). */
  readonly color: boolean;
  readonly isTTY: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

export interface ReporterOptions {
  output: ReporterOutput;
  /** Show passing checks too (console); default true for one student, false for a class. */
  verbose?: boolean;
}
