/**
 * Start-up: how long a whole `node` process takes for lab-grade's quick commands, from the built
 * package (dist/) and from the one-file bundle, against `node -e 0`. Runs are interleaved (one of
 * each command in turn) so a busy moment of the machine spreads over all of them; the median is kept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../core/paths.js';

export interface StartupCommand {
  label: string;
  /** Arguments to node. */
  args: string[];
}

export interface StartupRow {
  label: string;
  medianMs: number;
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeOnce(command: StartupCommand, cwd: string): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, command.args, { cwd, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${command.label} exited with ${r.status ?? r.signal}`);
  return ms;
}

/** One unmeasured run of each (file cache), then `runs` measured rounds. */
export function measureStartup(commands: StartupCommand[], runs: number): StartupRow[] {
  const cwd = mkdtempSync(join(tmpdir(), 'lab-grade-startup-'));
  try {
    for (const c of commands) timeOnce(c, cwd);
    const times = commands.map(() => [] as number[]);
    for (let i = 0; i < runs; i++) commands.forEach((c, j) => times[j].push(timeOnce(c, cwd)));
    return commands.map((c, j) => ({ label: c.label, medianMs: median(times[j]) }));
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The goal: a quick command takes at most this many times `node -e 0`. */
export const STARTUP_GOAL_RATIO = 3;

/** Each row against the first (`node -e 0`): how much longer, how many times as long, and whether within the goal. */
export function startupVerdicts(rows: StartupRow[]): { label: string; medianMs: number; overMs: number; ratio: number; met: boolean }[] {
  const [alone] = rows;
  return rows.slice(1).map((r) => {
    const ratio = r.medianMs / alone.medianMs;
    return { label: r.label, medianMs: r.medianMs, overMs: r.medianMs - alone.medianMs, ratio, met: ratio <= STARTUP_GOAL_RATIO };
  });
}

export const BUNDLE = packagePath('dist', 'lab-grade.mjs');
const DIST_BIN = packagePath('dist', 'bin', 'lab-grade.js');

/** The bundle as built from the same sources as dist/: built again (npm run bundle) when older. */
export function freshBundle(say: (line: string) => void): { file: string; bytes: number } {
  if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < statSync(DIST_BIN).mtimeMs) {
    say('building the bundle: npm run bundle');
    const r = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: packagePath(), stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('npm run bundle failed');
  }
  return { file: BUNDLE, bytes: statSync(BUNDLE).size };
}

/** `node -e 0`, then each quick command from dist/ and from the bundle. */
export function startupCommands(bundle: string): StartupCommand[] {
  const quick = [['--help'], ['--version'], ['checks']];
  return [
    { label: 'node -e 0', args: ['-e', '0'] },
    ...quick.flatMap((args) => [
      { label: `lab-grade ${args.join(' ')} (dist/)`, args: [DIST_BIN, ...args] },
      { label: `lab-grade ${args.join(' ')} (bundle)`, args: [bundle, ...args] },
    ]),
  ];
}
