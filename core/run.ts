/**
 * Grading a set of students: a bounded pool, each student with its own deadline and its own probes;
 * one student's hang, crash or unreachable environment never delays or breaks another's. Reporter
 * hooks are called as students start and finish.
 */
import type { CheckDef } from './check.js';
import { gradeStudent, type EngineOptions, type StudentEnvironment } from './engine.js';
import { errorMessage } from './errors.js';
import type { ProbeCallStats } from './memo.js';
import type { CheckResult, RunResult, StudentResult } from './model.js';
import { runPool } from './pool.js';
import type { LabProfile } from './profile.js';
import { redactText } from './redact.js';
import { pointsFor, scoreStudent } from './score.js';
import { selectChecks } from './selection.js';
import type { Target } from './target.js';
import { withTimeout } from './timeout.js';
import { VERSION } from './version.js';

const CLOSE_TIMEOUT_MS = 5_000;
import type { Reporter } from '../reporters/types.js';

export interface OpenedEnvironment extends StudentEnvironment {
  close(): Promise<void>;
}

export interface ClassRunOptions {
  catalogue: readonly CheckDef[];
  profile: LabProfile;
  /** Builds a student's probes; may throw (the student's checks then become `error`). */
  openEnvironment(target: Target): Promise<OpenedEnvironment>;
  reporters: Reporter[];
  concurrency: number;
  engine: EngineOptions;
  /** Results known already (a resumed journal): reported in their place, neither graded nor journaled. */
  settled?: ReadonlyMap<string, StudentResult>;
  /** Students the pre-flight could not reach, with why: not contacted again, every check `error`. */
  unreachable?: ReadonlyMap<string, string>;
  /** Each freshly graded student, before any reporter sees it (the journal: durable first). */
  onGraded?(student: StudentResult): void;
}

export interface ClassRun {
  run: RunResult;
  stats: Map<string, ProbeCallStats>;
}

export async function gradeClass(targets: readonly Target[], opts: ClassRunOptions): Promise<ClassRun> {
  const startedAt = new Date();
  const selection = selectChecks(opts.catalogue, opts.engine.only);
  const checkIds = selection.run.map((c) => c.id).filter((id) => selection.report.has(id));
  await emit(opts.reporters, (r) =>
    r.onRunStart?.({ lab: opts.profile.lab, title: opts.profile.title, users: targets.map((t) => t.user), passMark: opts.profile.passMark, startedAt, checkIds }),
  );
  const students: StudentResult[] = new Array(targets.length);
  const stats = new Map<string, ProbeCallStats>();

  const pending: Array<{ target: Target; i: number }> = [];
  for (const [i, target] of targets.entries()) {
    const known = opts.settled?.get(target.user);
    if (!known) {
      pending.push({ target, i });
      continue;
    }
    students[i] = known;
    await emit(opts.reporters, (r) => r.onStudentStart?.(target.user));
    for (const c of known.checks) await emit(opts.reporters, (r) => r.onCheckResult?.(target.user, c));
    await emit(opts.reporters, (r) => r.onStudentEnd?.(known));
  }

  await runPool(pending, opts.concurrency, async ({ target, i }) => {
    await emit(opts.reporters, (r) => r.onStudentStart?.(target.user));
    const t0 = Date.now();
    let env: OpenedEnvironment | undefined;
    const unreachable = opts.unreachable?.get(target.user);
    try {
      if (unreachable !== undefined) throw new Error(unreachable);
      env = await opts.openEnvironment(target);
      const grade = await gradeStudent(target, opts.catalogue, env, opts.profile, {
        ...opts.engine,
        onCheckResult: (c) => emit(opts.reporters, (r) => r.onCheckResult?.(target.user, c)),
      });
      students[i] = grade.result;
      stats.set(target.user, grade.stats);
    } catch (err) {
      students[i] = allErrors(target.user, opts, `could not grade this student: ${errorMessage(err)}`, Date.now() - t0);
    } finally {
      // Closing must not hold the pool: a probe that cannot close promptly is left to the process.
      await withTimeout(env?.close() ?? Promise.resolve(), CLOSE_TIMEOUT_MS, `closing ${target.user}'s probes`).catch(() => undefined);
    }
    try {
      opts.onGraded?.(students[i]);
    } catch (err) {
      process.stderr.write(`lab-grade: ${target.user} was graded but not journaled: ${redactText(errorMessage(err))}\n`);
    }
    await emit(opts.reporters, (r) => r.onStudentEnd?.(students[i]));
  });

  const run: RunResult = { lab: opts.profile.lab, generatedAt: new Date().toISOString(), grader: { version: VERSION }, students };
  await emit(opts.reporters, (r) => r.onRunEnd?.(run));
  return { run, stats };
}

/** A student that could not be set up at all: every reported check is `error` (incomplete, not 0). */
function allErrors(user: string, opts: ClassRunOptions, message: string, durationMs: number): StudentResult {
  const selection = selectChecks(opts.catalogue, opts.engine.only);
  const checks: CheckResult[] = selection.run
    .filter((c) => selection.report.has(c.id))
    .map((c) => ({ id: c.id, exercise: c.exercise, title: c.title, status: 'error', ...pointsFor(c.id, 'error', opts.profile), message: redactText(message), evidence: {}, durationMs }));
  return scoreStudent(user, checks, opts.profile, durationMs);
}

/** Calls a hook on every reporter; a reporter's failure is reported on stderr and stops nothing. */
async function emit(reporters: Reporter[], call: (r: Reporter) => unknown): Promise<void> {
  for (const r of reporters) {
    try {
      await call(r);
    } catch (err) {
      process.stderr.write(`lab-grade: a reporter failed: ${redactText(errorMessage(err))}\n`);
    }
  }
}
