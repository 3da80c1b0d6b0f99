/** The grading command: class config → targets → probes → engine → reporters → exit code. */
import { ALL_CHECKS, CHECK_IDS } from '../checks/index.js';
import { loadClassConfig, type ClassConfig } from '../core/config.js';
import type { EngineOptions } from '../core/engine.js';
import { loadProfile } from '../core/profile.js';
import { gradeClass, type ClassRun } from '../core/run.js';
import { exitCodeFor } from '../core/score.js';
import { selectChecks, validateCatalogue } from '../core/selection.js';
import { createRuntime, type RuntimeOptions } from '../probes/environment.js';
import { openReporters, stdoutOutput } from './reporter-spec.js';
import { planClassRun, runPreflight } from './class-run.js';
import type { JournalWriter } from '../core/journal.js';
import { VERSION } from '../core/version.js';
import { createProgressReporter } from '../reporters/progress.js';
import type { ReporterOutput } from '../reporters/types.js';

export interface GradeArgs {
  config: string;
  user: string[];
  only: string[];
  wait: number;
  concurrency: number;
  reporter: string[];
  allowDisruptive: boolean;
  allowExecCredentials: boolean;
  // Class runs (README "Grading a class"). Optional: programmatic callers get none of it unless asked.
  /** --student-timeout: seconds for one student, all checks included (default: the engine's 300). */
  studentTimeout?: number;
  /** Reachability pre-flight before grading more than one student (the CLI's default: on). */
  preflight?: boolean;
  /** false: progress, the pre-flight table and the journal's name on stderr (the CLI's default). */
  quiet?: boolean;
  /** --journal FILE: one line per finished student. */
  journal?: string;
  /** No --journal and no --no-journal: a class run journals to .lab-grade/journal-<time>.jsonl. */
  autoJournal?: boolean;
  /** --resume FILE / --rerun-incomplete FILE: a journal to continue. */
  resume?: string;
  rerunIncomplete?: string;
  /** --shard I/N */
  shard?: string;
}

export interface GradeOutcome extends ClassRun {
  exitCode: number;
}

/** Grades with an already loaded config (the sandbox passes its own). */
export async function gradeWithConfig(config: ClassConfig, args: GradeArgs, extra: { stdout?: ReporterOutput; runtime?: Partial<RuntimeOptions> } = {}): Promise<GradeOutcome> {
  validateCatalogue(ALL_CHECKS);
  const profile = loadProfile(config.profileFile, CHECK_IDS);
  selectChecks(ALL_CHECKS, args.only); // unknown --only ids fail before anything is contacted
  const classRun = planClassRun(config, args, profile.lab);
  const { targets, settled } = classRun;
  const out = openReporters(args.reporter, { verbose: targets.length === 1, stdout: extra.stdout });
  const runtime = createRuntime(config, { allowDisruptive: args.allowDisruptive, allowExecCredentials: args.allowExecCredentials, profile, waitMs: args.wait * 1000, ...extra.runtime });
  const engine: EngineOptions = {
    only: args.only,
    waitMs: Math.round(args.wait * 1000),
    allowDisruptive: args.allowDisruptive,
    probeTimeoutMs: config.timeoutsMs,
    ...(args.studentTimeout ? { studentDeadlineMs: args.studentTimeout * 1000 } : {}),
  };
  let journal: JournalWriter | undefined;
  try {
    journal = classRun.openJournal({ lab: profile.lab, profile: config.profileFile ?? 'built-in', version: VERSION, startedAt: new Date().toISOString() });
    const toGrade = targets.filter((t) => !settled.has(t.user));
    const unreachable = args.preflight && toGrade.length > 1 ? await runPreflight(toGrade, runtime, args, classRun.say, journal?.file) : undefined;
    const progress = args.quiet === false && targets.length > 1 ? [createProgressReporter(stdoutOutput(process.stderr), settled.size)] : [];
    const result = await gradeClass(targets, {
      catalogue: ALL_CHECKS,
      profile,
      openEnvironment: (t) => runtime.openEnvironment(t),
      reporters: [...progress, ...out.reporters],
      concurrency: args.concurrency,
      engine,
      settled,
      unreachable,
      onGraded: journal && ((s) => journal!.append(s)),
    });
    return { ...result, exitCode: exitCodeFor(result.run.students) };
  } finally {
    journal?.close();
    out.close();
    await runtime.close();
  }
}

export async function gradeCommand(args: GradeArgs): Promise<number> {
  const config = loadClassConfig(args.config);
  return (await gradeWithConfig(config, args)).exitCode;
}
