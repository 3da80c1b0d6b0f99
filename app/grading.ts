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
import { DEFAULT_STUDENT_DEADLINE_MS, timeoutBeyondDeadline, type EngineOptions } from '../core/engine.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { formatMs } from '../core/timeout.js';
import { judgementOf, openJournal, profileHash, type JournalGrading, type JournalWriter } from '../core/journal.js';
import type { RunResult, StudentResult } from '../core/model.js';
import { identityProblem, preflight, preflightTable } from '../core/preflight.js';
import type { ProbeCallStats } from '../core/probe-session.js';
import { loadProfile, type LabProfile } from '../core/profile.js';
import { ResultSpool } from '../core/result-spool.js';
import { exitCodeFor } from '../core/score.js';
import { selectChecks, type Selection } from '../core/selection.js';
import type { Target } from '../core/target.js';
import { VERSION } from '../core/version.js';
import type { Unavailable } from '../probes/types.js';
import { createReporter } from '../reporters/index.js';
import type { Reporter, RunInfo } from '../reporters/types.js';
import { checksInForce } from './catalogue.js';
import { planClass, resumeFrom, type ClassPlan, type ClassRunRequest } from './class-plan.js';
import type { Notices } from './io.js';
import { reasonCatalogue } from './reasons.js';
import { rerunCommand, rerunNote, resumeCommand } from './resume-command.js';
import { besideStatusLine } from './status-line.js';
import { creditTitle } from '../live/credit.js';
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
  /** Why nothing was graded (`--rerun-incomplete` with nobody incomplete): no report is written. */
  nothingToGrade?: string;
}

/** The lab profile of a config: its own file, else the built-in one, with the catalogue's default points. */
export function profileFor(config: Pick<ClassConfig, 'profileFile'>, catalogue: readonly CheckDef[] = ALL_CHECKS): LabProfile {
  return loadProfile(config.profileFile, catalogue);
}

/**
 * The rules a run grades under: the checks of the profile in force, those `only` selects, and what a
 * journal or ledger header records of them (so a run continuing it under other rules is refused).
 */
export function gradingRules(profile: LabProfile, only: readonly string[] | undefined, allowDisruptive: boolean, full: readonly CheckDef[] = ALL_CHECKS) {
  // Checks the profile switched off are not run, reported or scored.
  const catalogue = checksInForce(profile, full);
  // Computed once: unknown --only ids fail here, before anything is contacted.
  const selection = selectChecks(catalogue, only);
  const checkIds = selection.run.map((c) => c.id).filter((id) => selection.report.has(id));
  // --allow-disruptive changes a grade only when a check that needs it is graded.
  const disruptive = allowDisruptive && selection.run.some((c) => c.disruptive);
  const grading: JournalGrading = { only: [...(only ?? [])], checks: [...checkIds].sort(), profileHash: profileHash(profile), allowDisruptive: disruptive };
  return { catalogue, selection, checkIds, grading };
}

export async function grade(request: GradeRequest, io: GradeIo): Promise<GradeOutcome> {
  const full = request.catalogue ?? ALL_CHECKS;
  const profile = request.profile ?? profileFor(request.config, full);
  const { catalogue, selection, checkIds, grading } = gradingRules(profile, request.only, !!request.allowDisruptive, full);
  refuseUnreachableTimeouts(request);
  const plan = planClass(request.config, request.users ?? [], request.classRun);
  // Locked and read before anything else: a second run on it stops here, having changed nothing.
  const journal = openRunJournal(plan, profile, grading, request, io.notices);
  try {
    journal?.contents.warnings.forEach((w) => io.notices.warn(w));
    const { targets, settled } = resumeFrom(plan, journal?.contents);
    const toGrade = targets.filter((t) => !settled.has(t.user));
    if (plan.journal?.resume?.only === 'incomplete' && toGrade.length === 0) {
      return { run: runResult(profile, [], request), profile, stats: new Map(), exitCode: 0, nothingToGrade: 'the journal has no incomplete student: nothing to re-grade' };
    }
    return await gradeTargets({ request, io, profile, catalogue, selection, checkIds, targets, settled, toGrade, journal });
  } finally {
    journal?.close();
  }
}

/**
 * A probe timeout the student's deadline always cuts first is refused before anyone is graded: it could
 * never take effect, and a hung app would make the student incomplete instead of failing the check.
 */
function refuseUnreachableTimeouts({ config, studentTimeoutSeconds, waitSeconds }: GradeRequest): void {
  const deadlineMs = studentTimeoutSeconds ? studentTimeoutSeconds * 1000 : DEFAULT_STUDENT_DEADLINE_MS;
  const beyond = timeoutBeyondDeadline(config.timeoutsMs, deadlineMs, Math.round((waitSeconds ?? 0) * 1000));
  if (!beyond) return;
  const stopped = `each student is stopped after ${formatMs(deadlineMs)} (--student-timeout${waitSeconds ? ` plus --wait ${waitSeconds} s` : ''})`;
  // The shortest deadline that lets this timeout act, and the longest timeout this deadline lets act (none under 1 s).
  const leastDeadlineS = Math.ceil((beyond.ms - beyond.maxMs + deadlineMs) / 1000);
  const mostTimeoutS = beyond.maxMs >= 1000 ? Math.floor(beyond.maxMs / 1000) : undefined;
  if (beyond.configured) {
    throw new ConfigError(
      `${beyond.ms / 1000} s can never take effect: ${stopped}, before a ${beyond.kind} call can time out, which would end the student incomplete; ${mostTimeoutS !== undefined ? `use at most ${mostTimeoutS}, or raise --student-timeout` : `raise --student-timeout to at least ${leastDeadlineS}`}`,
      config.file,
      `timeouts.${beyond.kind}`,
    );
  }
  const shorter = mostTimeoutS !== undefined ? `, or set timeouts.${beyond.kind} to at most ${mostTimeoutS}` : '';
  throw new ConfigError(
    `${formatMs(deadlineMs)} stops each student before a ${beyond.kind} call can time out (${formatMs(beyond.ms)} unless the class config's timeouts.${beyond.kind} says): use at least ${leastDeadlineS}${shorter}`,
    undefined,
    '--student-timeout',
  );
}

interface GradingPlan {
  request: GradeRequest;
  io: GradeIo;
  profile: LabProfile;
  catalogue: readonly CheckDef[];
  selection: Selection;
  checkIds: string[];
  targets: readonly Target[];
  settled: Map<string, StudentResult>;
  toGrade: readonly Target[];
  journal?: JournalWriter;
}

async function gradeTargets({ request, io, profile, catalogue, selection, checkIds, targets, settled, toGrade, journal }: GradingPlan): Promise<GradeOutcome> {
  const { createRuntime } = await import('../probes/environment.js');
  const waitMs = Math.round((request.waitSeconds ?? 0) * 1000);
  const runtime = createRuntime(request.config, {
    profile,
    allowDisruptive: !!request.allowDisruptive,
    allowExecCredentials: !!request.allowExecCredentials,
    waitMs,
    ...request.runtime,
  });
  const progress = request.classRun?.progress && targets.length > 1 ? createReporter('progress', { output: io.notices.status, replayed: settled.size }) : undefined;
  // The progress line is cleared before anything else reaches the terminal, and drawn again after.
  const besideProgress = besideStatusLine(progress, io.reporters, io.notices);
  // --wait's line is drawn in place on a terminal the progress line does not hold, and steps aside the same way.
  const inPlace = !progress && io.notices.status.isTTY;
  const waiting = waitMs > 0 ? new WaitNotice(besideProgress.notices, { intervalMs: request.engine?.pollIntervalMs ?? 2_000, budgetMs: waitMs, students: targets.length, inPlace }) : undefined;
  const shown = besideStatusLine(inPlace ? waiting : undefined, besideProgress.reporters, besideProgress.notices);
  const notices = shown.notices;
  const engine: EngineOptions = {
    waitMs,
    allowDisruptive: !!request.allowDisruptive,
    probeTimeoutMs: request.config.timeoutsMs,
    ...(request.studentTimeoutSeconds ? { studentDeadlineMs: request.studentTimeoutSeconds * 1000 } : {}),
    ...(waiting ? { onWaiting: (user: string, id: string, message: string) => waiting.polling(user, id, message) } : {}),
    ...request.engine,
  };
  try {
    const preflightRun = !!request.classRun?.preflight && toGrade.length > 1;
    if (preflightRun && runtime.credential) {
      // The grader's own login comes first: without it every student would end incomplete.
      const problem = await identityProblem(runtime.credential, runtime.armScope);
      if (problem !== undefined) throw new IdentityError(problem, loginHint(request.config));
    }
    if (journal) {
      journal.start();
      io.onJournal?.(journal.file);
      if (!request.classRun?.resume) notices.status.write(`Journal: ${journal.file} (if this run stops: ${resumeCommand(request.invocation ?? [], journal.file)})\n`);
    }
    const invocation = request.invocation;
    const rerun = invocation && ((users: readonly string[]) => rerunCommand(invocation, journal?.file, users));
    const rerunNoteText = invocation && rerunNote(invocation, journal?.file);
    let unreachable: Map<string, string> | undefined;
    if (preflightRun) {
      const report = await preflight(toGrade, {
        openEnvironment: (t) => runtime.openEnvironment(t),
        connect: (host, port, ms) => runtime.policy.socket(host, port, ms),
        credential: runtime.credential,
        armScope: runtime.armScope,
        concurrency: request.concurrency ?? 16,
        ...(runtime.credential ? { knownIdentity: { outcome: undefined } } : {}),
      });
      notices.status.write(preflightTable(report, rerun, rerunNoteText));
      unreachable = report.unreachable;
    }
    const reporters = [...(progress ? [progress] : []), ...shown.reporters];
    const only = request.only?.length ? [...request.only] : undefined;
    const credit = request.config.credit;
    const info: RunInfo = {
      lab: profile.lab,
      // The class config's credit, named: one grading scores earned credit as it scores final.
      title: credit ? creditTitle(profile.title, credit, { gradings: 'one' }) : profile.title,
      users: targets.map((t) => t.user),
      passMark: profile.passMark,
      ...(Number.isFinite(profile.bonusCap) ? { bonusCap: profile.bonusCap } : {}),
      startedAt: new Date(),
      checkIds,
      ...(only ? { only } : {}),
      reasons: reasonCatalogue(profile.expect, catalogue),
      ...(rerun ? { rerun: { ...(journal ? { journal: journal.file } : {}), command: rerun, ...(rerunNoteText ? { note: rerunNoteText } : {}) } } : {}),
    };
    await each(reporters, notices, (r) => r.onRunStart?.(info));
    const listener = fanOut(reporters, notices);
    // A class is held without its evidence: each student's goes to a file that reports read back.
    const spool = targets.length > 1 ? ResultSpool.open((text) => notices.warn(text)) : undefined;
    const graded = await gradeClass(targets, {
      selection,
      profile,
      openEnvironment: (t) => runtime.openEnvironment(t),
      listener: waiting ? waiting.hearing(listener) : listener,
      concurrency: request.concurrency ?? 16,
      engine,
      settled,
      unreachable,
      onGraded: journal && ((s) => journal.append(s)),
      onProblem: (text) => notices.warn(text),
      spool,
    });
    waiting?.stop();
    const held = runResult(profile, graded.students, request);
    const run = spool ? spool.attachTo(held) : held;
    await each(reporters, notices, (r) => r.onRunEnd?.(run));
    const exitCode = runExitCode(run.students, only);
    return { run, profile, stats: graded.stats, exitCode, ...(journal ? { journal: journal.file } : {}) };
  } finally {
    waiting?.stop();
  }
}

/** How to give the grader a working Azure identity, for the kind of credential the class config names. */
export function loginHint(config: ClassConfig): string {
  switch (config.azure?.credential) {
    case 'servicePrincipal':
      return `check azure.tenant, azure.clientId and azure.clientSecret in ${config.file} (a secret that expired or was reset is refused too)`;
    case 'token':
      return `replace azure.token in ${config.file}: ARM tokens expire after about an hour (az account get-access-token prints a new one)`;
    default:
      return 'run `az login` (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET)';
  }
}

/** The fix first (a chain of credentials' failure is long), then the cause, on one line. */
const identityText = (problem: string, hint: string, next = '') => `the Azure identity could not get a token: ${hint}${next} (${problem})`;

/** The pre-flight found that the grader's own Azure identity gets no token: nobody was graded. */
export class IdentityError extends ConfigError {
  /** What a workshop's round that could not be graded says (the workshop goes on: no "run again"). */
  readonly outage: string;

  constructor(
    readonly problem: string,
    readonly hint: string,
  ) {
    super(identityText(problem, hint, ', then run again'));
    this.name = 'IdentityError';
    this.outage = identityText(problem, hint);
  }
}

function runResult(profile: LabProfile, students: StudentResult[], request: GradeRequest): RunResult {
  const shard = request.classRun?.shard;
  return { lab: profile.lab, generatedAt: new Date().toISOString(), grader: { version: VERSION }, ...(shard ? { shard: { index: shard.index, count: shard.count } } : {}), students };
}

/** The exit code of a run's students: by the pass mark, or by the selected checks of a partial run (`only`). */
export function runExitCode(students: readonly StudentResult[], only: readonly string[] | undefined): 0 | 1 | 3 {
  return only?.length ? partialExitCode(students) : exitCodeFor(students);
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

/** The run's journal, locked and read. A default journal that cannot be written only warns. */
function openRunJournal(plan: ClassPlan, profile: LabProfile, grading: JournalGrading, request: GradeRequest, notices: Notices): JournalWriter | undefined {
  if (!plan.journal) return undefined;
  const { file, chosen, resume } = plan.journal;
  const header = {
    lab: profile.lab,
    profile: request.config.profileFile ?? 'built-in',
    version: VERSION,
    startedAt: new Date().toISOString(),
    ...grading,
    ...judgementOf(profile),
    ...(request.classRun?.shard ? { shard: request.classRun.shard } : {}),
  };
  try {
    return openJournal(file, header, { ...(resume ? { resume: { regrade: resume.regrade }, inUseHint: 'wait for it to finish' } : {}) });
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
