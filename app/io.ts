/**
 * What the grading application writes besides reports: one sink for notices on stderr (progress, the
 * pre-flight table, the journal's name: quiet with --quiet) and warnings (always shown).
 */
import type { ReporterOutput } from '../reporters/types.js';

export interface Notices {
  /** Progress and what the run is doing: silenced by --quiet. */
  readonly status: ReporterOutput;
  /** Something the instructor must know; never silenced. */
  warn(text: string): void;
}

const closedStreams = new WeakSet<NodeJS.WriteStream>();

/** Columns of a terminal that does not say its size: `$COLUMNS`, else 80. */
const DEFAULT_COLUMNS = 80;

/**
 * A terminal's width. A terminal with no size set (`script` without one, some CI ptys) reports 0
 * columns, which is no width to wrap at: `$COLUMNS` says it then, else 80.
 */
function terminalColumns(reported: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (reported !== undefined && reported > 0) return reported;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_COLUMNS;
}

/**
 * A terminal stream as a reporter output. A reader that went away (`| head`, quitting `less`) closes
 * it: later writes are dropped quietly and the run goes on for its files, journal and exit code.
 */
export function streamOutput(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ReporterOutput {
  if (!stream.listeners('error').some((l) => (l as { labGrade?: boolean }).labGrade)) {
    const onError = Object.assign(() => void closedStreams.add(stream), { labGrade: true });
    stream.on('error', onError);
  }
  const isTTY = !!stream.isTTY;
  return {
    write: (t) => {
      if (!closedStreams.has(stream) && !stream.destroyed) stream.write(t);
    },
    isTTY,
    color: isTTY && !process.env.NO_COLOR,
    get columns() {
      return isTTY ? terminalColumns(stream.columns, env) : undefined;
    },
  };
}

/** A warning as stderr shows it. */
export const warningLine = (text: string) => `lab-grade: warning: ${text}\n`;

const SILENT: ReporterOutput = { write: () => undefined, isTTY: false, color: false };

/** Notices on the process's stderr. */
export function stderrNotices(quiet: boolean): Notices {
  // Warnings go through the guarded stream too: a closed stderr must not crash a quiet run.
  const stderr = streamOutput(process.stderr);
  return {
    status: quiet ? SILENT : stderr,
    warn: (text) => stderr.write(warningLine(text)),
  };
}

/** Nothing at all (a caller that only wants the results). */
export const NO_NOTICES: Notices = { status: SILENT, warn: () => undefined };
