/**
 * One measured run: a generated class in the simulated lab (its own process), every server answering
 * after `latencyMs`, graded by the built command line as a user runs it (`node dist/bin/lab-grade.js -c
 * lab-grade.yaml`, in a process of its own), timed, with the grader's peak memory and CPU time (getrusage)
 * and each student's requests as the servers counted them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckResult, RunResult } from '../core/model.js';
import { packagePath } from '../core/paths.js';
import { writeClass } from '../test/support/class.js';
import { startLabProcess, type LabProcess, type TrafficReport } from './lab-process.js';

export interface RunOptions {
  students: number;
  latencyMs: number;
  concurrency: number;
  /** The lab-grade script node runs (default the compiled tree, dist/bin/lab-grade.js; the benchmark runs the installed command, the bundle). */
  grader?: string;
  /** Write a CPU profile of the grader and of the lab (`node --cpu-prof`) under DIR/grader and DIR/lab. */
  cpuProfileDir?: string;
  /** The grader writes its journal (fsync'd per student) as a real class run does; off, it does not. */
  journal?: boolean;
  /** Called with the running lab after grading, before it stops (the bash baseline runs here). */
  whileRunning?(lab: LabProcess, configFile: string, users: string[]): Promise<void>;
}

export interface StudentMeasure {
  user: string;
  /** The built-in scenario it was cloned from (its "kind"). */
  template: string;
  checks: Pick<CheckResult, 'id' | 'status' | 'durationMs'>[];
  durationMs: number;
}

export interface Measurement {
  options: Omit<RunOptions, 'whileRunning'>;
  wallMs: number;
  /** Peak resident memory of the grader's process (MB). */
  peakRssMb: number;
  /** CPU time (ms): the grader's whole process and the simulated lab's while it graded. */
  cpuMs: { grader: number; lab: number };
  students: StudentMeasure[];
  traffic: TrafficReport;
  /** The journal the grader wrote (with `journal: true`): its size and its lines (a header, then one per student). */
  journal?: { bytes: number; lines: number };
}

/** The grader's exit codes that are grades (all passed, some below the mark, some incomplete). */
const GRADED = new Set([0, 1, 3]);

/** `node grader -c configFile` without pre-flight or progress, its JSON report to `report`; its journal to `journal`, or none. */
async function runGrader(grader: string, configFile: string, report: string, concurrency: number, usageFile: string, journal: string | undefined, nodeFlags: string[]): Promise<void> {
  const args = [...nodeFlags, '--import', pathToFileURL(packagePath('bench', 'usage-at-exit.mjs')).href, grader];
  args.push('-c', configFile, '--concurrency', String(concurrency), '--no-preflight', ...(journal ? ['--journal', journal] : ['--no-journal']), '--quiet', '-r', `json=${report}`);
  const child = spawn(process.execPath, args, { env: { ...process.env, LAB_GRADE_USAGE_FILE: usageFile, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code === null || !GRADED.has(code)) throw new Error(`lab-grade exited with ${code}: ${stderr}`);
}

const profileFlags = (dir: string | undefined, who: 'grader' | 'lab') => (dir ? ['--cpu-prof', '--cpu-prof-dir', join(dir, who)] : []);

function journalSize(file: string): { bytes: number; lines: number } {
  const text = readFileSync(file, 'utf8');
  return { bytes: Buffer.byteLength(text), lines: text.split('\n').filter(Boolean).length };
}

export async function measureClass(opts: RunOptions): Promise<Measurement> {
  const work = mkdtempSync(join(tmpdir(), 'lab-grade-bench-'));
  const cls = writeClass(opts.students, { dir: join(work, 'class'), faults: { latencyMs: opts.latencyMs } });
  const lab = await startLabProcess(cls.dir, join(work, 'lab'), profileFlags(opts.cpuProfileDir, 'lab'));
  try {
    const report = join(work, 'grades.json');
    const usageFile = join(work, 'usage.json');
    const journalFile = opts.journal ? join(work, 'journal.jsonl') : undefined;
    const labCpu0 = (await lab.traffic()).cpuMs;
    const t0 = performance.now();
    await runGrader(opts.grader ?? packagePath('dist', 'bin', 'lab-grade.js'), lab.configFile, report, opts.concurrency, usageFile, journalFile, profileFlags(opts.cpuProfileDir, 'grader'));
    const wallMs = performance.now() - t0;
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKb: number; cpuMs: number };
    const peakRssMb = usage.maxRssKb / 1024;
    const traffic = await lab.traffic();
    const cpuMs = { grader: usage.cpuMs, lab: traffic.cpuMs - labCpu0 };
    const run = JSON.parse(readFileSync(report, 'utf8')) as RunResult;
    const students = run.students.map((s) => ({
      user: s.user,
      template: cls.templateOf.get(s.user) ?? s.user,
      durationMs: s.durationMs,
      checks: s.checks.map((c) => ({ id: c.id, status: c.status, durationMs: c.durationMs })),
    }));
    const journal = journalFile ? journalSize(journalFile) : undefined;
    await opts.whileRunning?.(lab, lab.configFile, cls.users);
    return {
      options: { students: opts.students, latencyMs: opts.latencyMs, concurrency: opts.concurrency, journal: !!opts.journal },
      wallMs,
      peakRssMb,
      cpuMs,
      students,
      traffic,
      ...(journal ? { journal } : {}),
    };
  } finally {
    await lab.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
