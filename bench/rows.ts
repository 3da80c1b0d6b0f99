/** Runs bench/row.ts in a fresh process and reads its result back. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { packagePath } from '../core/paths.js';
import type { BaselineRun } from './baseline.js';
import type { Measurement } from './measure.js';
import type { RowResult } from './row.js';

const run = promisify(execFile);

export async function measureInChild(students: number, latencyMs: number, concurrency: number, baselineStudents = 0): Promise<{ measurement: Measurement; baseline?: BaselineRun }> {
  const { stdout } = await run(process.execPath, [packagePath('dist', 'bench', 'row.js'), String(students), String(latencyMs), String(concurrency), String(baselineStudents)], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const row = JSON.parse(stdout.trim().split('\n').pop()!) as RowResult;
  const b = row.baseline;
  return { measurement: row.measurement, ...(b ? { baseline: { ...b, verdicts: new Map(b.verdicts.map(([u, v]) => [u, new Map(v)])) } } : {}) };
}
