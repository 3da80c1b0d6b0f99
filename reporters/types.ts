/**
 * One interface of optional lifecycle hooks (in the spirit of Vitest's reporters): a reporter
 * implements only what it needs. Streaming reporters (console) print as students finish; document
 * reporters (json, junit, markdown, csv, html) write once in onRunEnd.
 */
import type { CheckResult, RunResult, StudentResult } from '../core/model.js';

export interface RunInfo {
  lab: string;
  title: string;
  users: string[];
  passMark: number;
  startedAt: Date;
  /** The reported checks in lab order: streaming reporters print in this order. */
  checkIds?: string[];
}

export interface Reporter {
  onRunStart?(info: RunInfo): void | Promise<void>;
  onStudentStart?(user: string): void | Promise<void>;
  onCheckResult?(user: string, result: CheckResult): void | Promise<void>;
  onStudentEnd?(student: StudentResult): void | Promise<void>;
  onRunEnd?(run: RunResult): void | Promise<void>;
}

/** Where a reporter writes: stdout (a TTY or not) or a file opened by the CLI. */
export interface ReporterOutput {
  write(text: string): void;
  /** Colour and in-place redraw are allowed (a TTY, NO_COLOR unset). */
  readonly color: boolean;
  readonly isTTY: boolean;
}

export interface ReporterOptions {
  output: ReporterOutput;
  /** Show passing checks too (console); default true for one student, false for a class. */
  verbose?: boolean;
}


