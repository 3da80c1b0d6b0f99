/**
 * Drive reporters without the engine: render a saved RunResult again (`lab-grade report results.json
 * --reporter junit`) and feed golden tests. Also a ReporterOutput that collects text in memory.
 */
import type { RunResult } from '../core/model.js';
import type { Reporter, ReporterOutput, RunInfo } from './types.js';

export interface BufferOutput extends ReporterOutput {
  text(): string;
}

export function bufferOutput(options: { color?: boolean; isTTY?: boolean; columns?: number } = {}): BufferOutput {
  const chunks: string[] = [];
  return {
    color: options.color ?? false,
    isTTY: options.isTTY ?? false,
    ...(options.columns ? { columns: options.columns } : {}),
    write: (text: string) => void chunks.push(text),
    text: () => chunks.join(''),
  };
}

/**
 * Calls every hook in the order the engine does, students one after another. `info` is optional:
 * a saved result does not record the pass mark or the title, and reporters must cope without them.
 */
export async function replayRun(reporter: Reporter, run: RunResult, info?: RunInfo): Promise<void> {
  if (info) await reporter.onRunStart?.(info);
  for (const student of run.students) {
    await reporter.onStudentStart?.(student.user);
    for (const check of student.checks) await reporter.onCheckResult?.(student.user, check);
    await reporter.onStudentEnd?.(student);
  }
  await reporter.onRunEnd?.(run);
}

/** The RunInfo an engine would have sent for this result. */
export function runInfoFor(run: RunResult, extra: Pick<RunInfo, 'title' | 'passMark'> & Partial<Pick<RunInfo, 'bonusCap' | 'reasons' | 'only' | 'rerun'>>): RunInfo {
  return {
    lab: run.lab,
    users: run.students.map((s) => s.user),
    startedAt: new Date(run.generatedAt),
    ...extra,
  };
}
