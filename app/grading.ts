/**
 * The grading application: one typed request in, results out. The command line, the self-check, the
 * demo, the live workshop and the benchmark all grade through `grade()`: the class config and the
 * profile become targets, a check selection (computed once), probes, the engine's results, and the
 * reporters' calls; the journal and the pre-flight for a class run.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ALL_CHECKS } from '../checks/index.js';
import type { CheckDef } from '../core/check.js';
import { gradeClass, type ClassRunListener } from '../core/class-run.js';
import type { ClassConfig } from '../core/config.js';
import type { EngineOptions } from '../core/engine.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { openJournal, type JournalWriter } from '../core/journal.js';
import type { RunResult, StudentResult } from '../core/model.js';
import { preflight, preflightTable } from '../core/preflight.js';
import type { ProbeCallStats } from '../core/probe-session.js';
import { loadProfile, type LabProfile } from '../core/profile.js';
import { exitCodeFor } from '../core/score.js';
import { selectChecks } from '../core/selection.js';
import { VERSION } from '../core/version.js';
import type { Unavailable } from '../probes/types.js';
import { ProgressReporter } from '../reporters/progress.js';
import type { Reporter, RunInfo } from '../reporters/types.js';
import { checksInForce } from './catalogue.js';
import { planClass, type ClassRunRequest } from './class-plan.js';
import type { Notices } from './io.js';
import { reasonCatalogue } from './reasons.js';
import { rerunCommand, resumeCommand } from './resume-command.js';
import { besideProgress } from './status-line.js';
import { WaitNotice } from './wait-notice.js';

export type { ClassRunRequest } from './class-plan.js';

/** How the probes are built, when the caller knows better than the class config. */
export interface RuntimeOverrides {
  /** A credential instead of the config's (tests, the simulated lab, a self-check's login). */
  credential?: TokenCredential;
  /** The line that would make a probe reachable (a self-check names `az login`). */
  unavailable?: Unavailable;
  /** Even a snapshot retries a starting app this long (tests of large simulated classes shorten it). */
  minHttpRetryMs?: number;
}

export interface GradeRequest {
  config: ClassConfig;
  /** Default: the config's profile file, else the built-in one. */
  profile?: LabProfile;
  /** Default: every check of the lab. */
  catalogue?: readonly CheckDef[];
  /** --user: these students only; default the whole roster. */
  users?: readonly string[];
  /** --only: an exercise, a prefix or a check id. */
  only?: readonly string[];
  /** --wait: poll failing checks for up to this many seconds. */
  waitSeconds?: number;
  /** Students graded at once (default 16). */
  concurrency?: number;
  /** Seconds one student may take, all checks included. */
  studentTimeoutSeconds?: number;
  allowDisruptive?: boolean;
  allowExecCredentials?: boolean;
  /** A class run's journal, resume, shard, pre-flight and progress; absent: none of them. */
  classRun?: ClassRunRequest;
  runtime?: RuntimeOverrides;
  /** The command line as typed (without the program): the run's messages print the command that resumes it. */
  invocation?: readonly string[];
  /** Engine bounds beyond the command line's (tests). */
  engine?: Pick<EngineOptions, 'pollIntervalMs' | 'checkTimeoutMs' | 'nonce'>;
}

export interface GradeIo {
  reporters: readonly Reporter[];
  notices: Notices;
  /** The run journals to this file (told before any student is graded). */
  onJournal?(file: string): void;
}

export interface GradeOutcome {
  run: RunResult;
  profile: LabProfile;
  stats: Map<string, ProbeCallStats>;
  exitCode: number;
  /** The journal this run wrote to. */
  journal?: string;
}

/** The lab profile of a config: its own file, else the built-in one, with the catalogue's default points. */
export function profileFor(config: Pick<ClassConfig, 'profileFile'>, catalogue: readonly CheckDef[] = ALL_CHECKS): LabProfile {
  return loadProfile(config.profileFile, catalogue);
}

export async function grade(request: GradeRequest, io: GradeIo): Promise<GradeOutcome> {
  const full = request.catalogue ?? ALL_CHECKS;
  const profile = request.profile ?? profileFor(request.config, full);
  // Checks the profile switched off are not run, reported or scored.
  const catalogue = checksInForce(profile, full);
  // Computed once: unknown --only ids fail here, before anything is contacted.
  const selection = selectChecks(catalogue, request.only);
  const plan = planClass(request.config, request.users ?? [], profile.lab, request.classRun);
  plan.warnings.forEach((w) => io.notices.warn(w));
  const { createRuntime } = await import('../probes/environment.js');
  const waitMs = Math.round((request.waitSeconds ?? 0) * 1000);
  const runtime = createRuntime(request.config, {
    profile,
    allowDisruptive: !!request.allowDisruptive,
    allowExecCredentials: !!request.allowExecCredentials,
    waitMs,
    ...request.runtime,
  });
  const progress = request.classRun?.progress && plan.targets.length > 1 ? new ProgressReporter({ output: io.notices.status, replayed: plan.settled.size }) : undefined;
  // The progress line is cleared before anything else reaches the terminal, and drawn again after.
  const shown = besideProgress(progress, io.reporters, io.notices);
  const notices = shown.notices;
  const waiting = waitMs > 0 ? new WaitNotice(notices, { intervalMs: request.engine?.pollIntervalMs ?? 2_000, budgetMs: waitMs, students: plan.targets.length }) : undefined;
  const engine: EngineOptions = {
    waitMs,
    allowDisruptive: !!request.allowDisruptive,
    probeTimeoutMs: request.config.timeoutsMs,
    ...(request.studentTimeoutSeconds ? { studentDeadlineMs: request.studentTimeoutSeconds * 1000 } : {}),
    ...(waiting ? { onWaiting: (user: string, id: string, message: string) => waiting.polling(user, id, message) } : {}),
    ...request.engine,
  };

  let journal: JournalWriter | undefined;
  try {
    journal = startJournal(plan, profile, request, notices);
    if (journal) io.onJournal?.(journal.file);
    const invocation = request.invocation;
    const rerun = invocation && ((users: readonly string[]) => rerunCommand(invocation, journal?.file, users));
    const toGrade = plan.targets.filter((t) => !plan.settled.has(t.user));
    let unreachable: Map<string, string> | undefined;
    if (request.classRun?.preflight && toGrade.length > 1) {
      const report = await preflight(toGrade, {
        openEnvironment: (t) => runtime.openEnvironment(t),
        connect: (host, port, ms) => runtime.policy.socket(host, port, ms),
        credential: runtime.credential,
        armScope: runtime.armScope,
        concurrency: request.concurrency ?? 16,
      });
      notices.status.write(preflightTable(report, rerun));
      unreachable = report.unreachable;
    }
    const reporters = [...(progress ? [progress] : []), ...shown.reporters];
    const only = request.only?.length ? [...request.only] : undefined;
    const info: RunInfo = {
      lab: profile.lab,
      title: profile.title,
      users: plan.targets.map((t) => t.user),
      passMark: profile.passMark,
      ...(Number.isFinite(profile.bonusCap) ? { bonusCap: profile.bonusCap } : {}),
      startedAt: new Date(),
      checkIds: selection.run.map((c) => c.id).filter((id) => selection.report.has(id)),
      ...(only ? { only } : {}),
      reasons: reasonCatalogue(catalogue),
      ...(rerun ? { rerun: { ...(journal ? { journal: journal.file } : {}), command: rerun } } : {}),
    };
    await each(reporters, notices, (r) => r.onRunStart?.(info));
    const listener = fanOut(reporters, notices);
    const graded = await gradeClass(plan.targets, {
      selection,
      profile,
      openEnvironment: (t) => runtime.openEnvironment(t),
      listener: waiting ? waiting.hearing(listener) : listener,
      concurrency: request.concurrency ?? 16,
      engine,
      settled: plan.settled,
      unreachable,
      onGraded: journal && ((s) => journal!.append(s)),
      onProblem: (text) => notices.warn(text),
    });
    waiting?.stop();
    const run: RunResult = { lab: profile.lab, generatedAt: new Date().toISOString(), grader: { version: VERSION }, students: graded.students };
    await each(reporters, notices, (r) => r.onRunEnd?.(run));
    const exitCode = only ? partialExitCode(run.students) : exitCodeFor(run.students);
    return { run, profile, stats: graded.stats, exitCode, ...(journal ? { journal: journal.file } : {}) };
  } finally {
    waiting?.stop();
    journal?.close();
    await runtime.close();
  }
}

/**
 * A partial run (`--only`) says nothing about the pass mark: it fails (1) only when a selected required
 * check failed or is blocked, and is incomplete (3) when one could not be graded.
 */
export function partialExitCode(students: readonly StudentResult[]): 0 | 1 | 3 {
  const checks = students.flatMap((s) => s.checks);
  if (checks.some((c) => c.status === 'error')) return 3;
  return checks.some((c) => (c.status === 'fail' || c.status === 'blocked') && !c.bonus && c.maxPoints > 0) ? 1 : 0;
}

/** The run's journal, opened, and named on the notices. A default journal that cannot be written only warns. */
function startJournal(plan: ReturnType<typeof planClass>, profile: LabProfile, request: GradeRequest, notices: Notices): JournalWriter | undefined {
  if (!plan.journal) return undefined;
  const { file, chosen, resumed } = plan.journal;
  try {
    const journal = openJournal(file, { lab: profile.lab, profile: request.config.profileFile ?? 'built-in', version: VERSION, startedAt: new Date().toISOString() });
    if (!resumed) notices.status.write(`Journal: ${file} (if this run stops: ${resumeCommand(request.invocation ?? [], file)})\n`);
    return journal;
  } catch (err) {
    // A default journal must not stop grading (a read-only folder in a container): warn instead.
    if (chosen || !(err instanceof ConfigError)) throw err;
    notices.warn(`${errorMessage(err)}: grading without a journal`);
    return undefined;
  }
}

/** One listener for every reporter: each hears every event; one that fails stops nobody. */
function fanOut(reporters: readonly Reporter[], notices: Notices): ClassRunListener {
  return {
    onStudentStart: (user) => each(reporters, notices, (r) => r.onStudentStart?.(user)),
    onCheckResult: (user, result) => each(reporters, notices, (r) => r.onCheckResult?.(user, result)),
    onStudentEnd: (student) => each(reporters, notices, (r) => r.onStudentEnd?.(student)),
  };
}

async function each(reporters: readonly Reporter[], notices: Notices, call: (r: Reporter) => unknown): Promise<void> {
  for (const r of reporters) {
    try {
      await call(r);
    } catch (err) {
      notices.warn(`a reporter failed: ${errorMessage(err)}`);
    }
  }
}
