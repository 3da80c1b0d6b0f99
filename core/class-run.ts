/**
 * Grading a set of students: a bounded pool, each student with its own deadline and its own probes;
 * one student's hang, crash or unreachable environment never delays or breaks another's. A listener
 * hears each student start, each check and each student finish, in the order they happen.
 */
import { gradeStudent, type EngineOptions, type StudentEnvironment } from './engine.js';
import { errorMessage } from './errors.js';
import type { CheckResult, StudentResult } from './model.js';
import { runPool } from './pool.js';
import type { ProbeCallStats } from './probe-session.js';
import type { LabProfile } from './profile.js';
import { ENGINE_REASONS } from './reasons.js';
import type { ResultSpool } from './result-spool.js';
import { redactText } from './redact.js';
import { pointsFor, scoreStudent } from './score.js';
import type { Selection } from './selection.js';
import type { Target } from './target.js';
import { withTimeout } from './timeout.js';

const CLOSE_TIMEOUT_MS = 5_000;

export interface OpenedEnvironment extends StudentEnvironment {
  close(): Promise<void>;
}

/** What happens during a class run, as it happens. A listener that throws stops nothing. */
export interface ClassRunListener {
  onStudentStart?(user: string): void | Promise<void>;
  onCheckResult?(user: string, result: CheckResult): void | Promise<void>;
  onStudentEnd?(student: StudentResult): void | Promise<void>;
}

export interface ClassRunOptions {
  selection: Selection;
  profile: LabProfile;
  /** Builds a student's probes; may throw (the student's checks then become `error`). */
  openEnvironment(target: Target): Promise<OpenedEnvironment>;
  listener: ClassRunListener;
  concurrency: number;
  engine: EngineOptions;
  /** Results known already (a resumed journal): reported in their place, neither graded nor journaled. */
  settled?: ReadonlyMap<string, StudentResult>;
  /** Students the pre-flight could not reach, with why: not contacted again, every check `error`. */
  unreachable?: ReadonlyMap<string, string>;
  /** Each freshly graded student, before any listener hears of it (the journal: durable first). */
  onGraded?(student: StudentResult): void;
  /** Something went wrong that stops nothing (a listener failed, a student was not journaled). */
  onProblem?(text: string): void;
  /** Where each student goes once every listener heard of it: the run then holds it without evidence. */
  spool?: ResultSpool;
}

export interface ClassRun {
  students: StudentResult[];
  stats: Map<string, ProbeCallStats>;
}

export async function gradeClass(targets: readonly Target[], opts: ClassRunOptions): Promise<ClassRun> {
  const students: StudentResult[] = new Array(targets.length);
  const stats = new Map<string, ProbeCallStats>();
  const problem = (text: string) => opts.onProblem?.(redactText(text));
  const tell = async (call: (l: ClassRunListener) => unknown) => {
    try {
      await call(opts.listener);
    } catch (err) {
      problem(`a reporter failed: ${errorMessage(err)}`);
    }
  };

  const pending: Array<{ target: Target; i: number }> = [];
  for (const [i, target] of targets.entries()) {
    const known = opts.settled?.get(target.user);
    if (!known) {
      pending.push({ target, i });
      continue;
    }
    students[i] = known;
    await tell((l) => l.onStudentStart?.(target.user));
    for (const c of known.checks) await tell((l) => l.onCheckResult?.(target.user, c));
    await tell((l) => l.onStudentEnd?.(known));
    if (opts.spool) students[i] = opts.spool.keep(known);
  }

  await runPool(pending, opts.concurrency, async ({ target, i }) => {
    await tell((l) => l.onStudentStart?.(target.user));
    const t0 = Date.now();
    let env: OpenedEnvironment | undefined;
    const unreachable = opts.unreachable?.get(target.user);
    try {
      if (unreachable !== undefined) {
        students[i] = allErrors(target.user, opts, ENGINE_REASONS.unreachable.code, `could not grade this student: ${unreachable}`, Date.now() - t0);
      } else {
        env = await opts.openEnvironment(target);
        const grade = await gradeStudent(target, opts.selection, env, opts.profile, {
          ...opts.engine,
          onCheckResult: (c) => tell((l) => l.onCheckResult?.(target.user, c)),
        });
        students[i] = grade.result;
        stats.set(target.user, grade.stats);
      }
    } catch (err) {
      students[i] = allErrors(target.user, opts, ENGINE_REASONS.notOpened.code, `could not grade this student: ${errorMessage(err)}`, Date.now() - t0);
    } finally {
      // Closing must not hold the pool: a probe that cannot close promptly is left to the process.
      await withTimeout(env?.close() ?? Promise.resolve(), CLOSE_TIMEOUT_MS, `closing ${target.user}'s probes`).catch(() => undefined);
    }
    try {
      opts.onGraded?.(students[i]);
    } catch (err) {
      problem(`${target.user} was graded but not journaled: ${errorMessage(err)}`);
    }
    await tell((l) => l.onStudentEnd?.(students[i]));
    if (opts.spool) students[i] = opts.spool.keep(students[i]);
  });

  return { students, stats };
}

/** A student that could not be graded at all: every reported check is `error` (incomplete, not 0). */
function allErrors(user: string, opts: ClassRunOptions, code: string, message: string, durationMs: number): StudentResult {
  const checks: CheckResult[] = opts.selection.run
    .filter((c) => opts.selection.report.has(c.id))
    .map((c) => ({
      id: c.id,
      exercise: c.exercise,
      title: c.title(opts.profile),
      status: 'error',
      ...pointsFor(c.id, 'error', opts.profile),
      code,
      message: redactText(message),
      evidence: {},
      durationMs,
    }));
  return scoreStudent(user, checks, opts.profile, durationMs);
}
