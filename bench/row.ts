/**
 * One measured run in a fresh process (argv: students latency concurrency, then the row's options as JSON), printed as
 * JSON on the last line: each row's peak RSS is then its own, not the high-water mark of the runs before.
 */
import { runBaseline, type BaselineRun } from './baseline.js';
import { measureClass, type Measurement } from './measure.js';

export interface RowOptions {
  /** How many students the bash baseline grades while the lab runs (0: none). */
  baselineStudents?: number;
  /** The lab-grade script to run (default the compiled tree's). */
  grader?: string;
  /** The grader writes its journal (fsync'd per student), as a real class run does. */
  journal?: boolean;
}

export interface RowResult {
  measurement: Measurement;
  /** Verdicts as [user, [check, status][]] pairs (JSON has no Map). */
  baseline?: Omit<BaselineRun, 'verdicts'> & { verdicts: Array<[string, Array<[string, string]>]> };
}

const [students, latencyMs, concurrency] = process.argv.slice(2, 5).map(Number);
const { baselineStudents = 0, grader, journal = false } = JSON.parse(process.argv[5] ?? '{}') as RowOptions;
let baseline: BaselineRun | undefined;
const measurement = await measureClass({
  students,
  latencyMs,
  concurrency,
  journal,
  ...(grader ? { grader } : {}),
  whileRunning: baselineStudents > 0 ? async (_lab, configFile, users) => void (baseline = await runBaseline(configFile, users.slice(0, baselineStudents))) : undefined,
});
const b = baseline as BaselineRun | undefined;
const row: RowResult = {
  measurement,
  ...(b ? { baseline: { ...b, verdicts: [...b.verdicts].map(([u, v]) => [u, [...v]]) } } : {}),
};
process.stdout.write(`${JSON.stringify(row)}\n`);
