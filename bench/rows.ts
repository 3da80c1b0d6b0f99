/** Runs a measured row (bench/row.ts, bench/live-row.ts) in a fresh process and reads its result back. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { packagePath } from '../core/paths.js';
import type { BaselineRun } from './baseline.js';
import type { LiveMeasurement } from './live.js';
import type { Measurement } from './measure.js';
import type { RowOptions, RowResult } from './row.js';

const run = promisify(execFile);

/** The rows run from source, as the benchmark itself does (benchmark code is not part of the package). */
async function lastLineOf(script: string, args: Array<string | number>, nodeFlags: string[] = []): Promise<unknown> {
  const { stdout } = await run(process.execPath, [...nodeFlags, '--import', 'tsx', packagePath('bench', script), ...args.map(String)], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

export async function measureInChild(students: number, latencyMs: number, concurrency: number, opts: RowOptions = {}): Promise<{ measurement: Measurement; baseline?: BaselineRun }> {
  const row = (await lastLineOf('row.ts', [students, latencyMs, concurrency, JSON.stringify(opts)])) as RowResult;
  const b = row.baseline;
  return { measurement: row.measurement, ...(b ? { baseline: { ...b, verdicts: new Map(b.verdicts.map(([u, v]) => [u, new Map(v)])) } } : {}) };
}

/** A live workshop in a fresh process, with a full collection before each round's memory reading. */
export async function measureLiveInChild(students: number, latencyMs: number, concurrency: number, intervalSeconds: number, rounds: number): Promise<LiveMeasurement> {
  return (await lastLineOf('live-row.ts', [students, latencyMs, concurrency, intervalSeconds, rounds], ['--expose-gc'])) as LiveMeasurement;
}
