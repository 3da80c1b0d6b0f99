/**
 * One measured run: a generated class in the simulated lab (its own process), every server answering
 * after `latencyMs`, graded through the real path (the class config file → the grading application), timed,
 * with the grader's peak memory and each student's requests as the servers counted them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_NOTICES } from '../app/io.js';
import { gradeAndReport } from '../app/report-run.js';
import { loadClassConfig } from '../core/config.js';
import type { CheckResult, RunResult } from '../core/model.js';
import { writeClass } from '../test/support/class.js';
import { startLabProcess, type LabProcess, type TrafficReport } from './lab-process.js';

export interface RunOptions {
  students: number;
  latencyMs: number;
  concurrency: number;
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
  /** Peak resident memory of this process while grading, sampled (MB). */
  peakRssMb: number;
  /** CPU time spent while grading (ms): this process (the grader) and the simulated lab's. */
  cpuMs: { grader: number; lab: number };
  students: StudentMeasure[];
  traffic: TrafficReport;
}

/** Samples RSS often enough to catch the peak of a run that lasts seconds. */
function rssSampler(everyMs = 20): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024;
    },
  };
}

export async function measureClass(opts: RunOptions): Promise<Measurement> {
  const work = mkdtempSync(join(tmpdir(), 'lab-grade-bench-'));
  const cls = writeClass(opts.students, { dir: join(work, 'class'), faults: { latencyMs: opts.latencyMs } });
  const lab = await startLabProcess(cls.dir, join(work, 'lab'));
  try {
    const config = loadClassConfig(lab.configFile);
    const report = join(work, 'grades.json');
    const labCpu0 = (await lab.traffic()).cpuMs;
    const rss = rssSampler();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await gradeAndReport(
      config,
      { concurrency: opts.concurrency, reports: [{ format: 'json', file: report }] },
      { stdout: { write: () => undefined, isTTY: false, color: false }, notices: NO_NOTICES },
    );
    const wallMs = performance.now() - t0;
    const peakRssMb = rss.stop();
    const cpu = process.cpuUsage(cpu0);
    const traffic = await lab.traffic();
    const cpuMs = { grader: (cpu.user + cpu.system) / 1000, lab: traffic.cpuMs - labCpu0 };
    const run = JSON.parse(readFileSync(report, 'utf8')) as RunResult;
    const students = run.students.map((s) => ({
      user: s.user,
      template: cls.templateOf.get(s.user) ?? s.user,
      durationMs: s.durationMs,
      checks: s.checks.map((c) => ({ id: c.id, status: c.status, durationMs: c.durationMs })),
    }));
    await opts.whileRunning?.(lab, lab.configFile, cls.users);
    return { options: { students: opts.students, latencyMs: opts.latencyMs, concurrency: opts.concurrency }, wallMs, peakRssMb, cpuMs, students, traffic };
  } finally {
    await lab.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
