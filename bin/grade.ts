/** The grading command: class config → targets → probes → engine → reporters → exit code. */
import { ALL_CHECKS, CHECK_IDS } from '../checks/index.js';
import { loadClassConfig, targetsFor, type ClassConfig } from '../core/config.js';
import type { EngineOptions } from '../core/engine.js';
import { loadProfile } from '../core/profile.js';
import { gradeClass, type ClassRun } from '../core/run.js';
import { exitCodeFor } from '../core/score.js';
import { selectChecks, validateCatalogue } from '../core/selection.js';
import { createRuntime, type RuntimeOptions } from '../probes/environment.js';
import { openReporters } from './reporter-spec.js';
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
}

export interface GradeOutcome extends ClassRun {
  exitCode: number;
}

/** Grades with an already loaded config (the sandbox passes its own). */
export async function gradeWithConfig(config: ClassConfig, args: GradeArgs, extra: { stdout?: ReporterOutput; runtime?: Partial<RuntimeOptions> } = {}): Promise<GradeOutcome> {
  validateCatalogue(ALL_CHECKS);
  const profile = loadProfile(config.profileFile, CHECK_IDS);
  selectChecks(ALL_CHECKS, args.only); // unknown --only ids fail before anything is contacted
  const targets = targetsFor(config, args.user);
  const out = openReporters(args.reporter, { verbose: targets.length === 1, stdout: extra.stdout });
  const runtime = createRuntime(config, { allowDisruptive: args.allowDisruptive, allowExecCredentials: args.allowExecCredentials, profile, waitMs: args.wait * 1000, ...extra.runtime });
  const engine: EngineOptions = {
    only: args.only,
    waitMs: Math.round(args.wait * 1000),
    allowDisruptive: args.allowDisruptive,
    probeTimeoutMs: config.timeoutsMs,
  };
  try {
    const result = await gradeClass(targets, {
      catalogue: ALL_CHECKS,
      profile,
      openEnvironment: (t) => runtime.openEnvironment(t),
      reporters: out.reporters,
      concurrency: args.concurrency,
      engine,
    });
    return { ...result, exitCode: exitCodeFor(result.run.students) };
  } finally {
    out.close();
    await runtime.close();
  }
}

export async function gradeCommand(args: GradeArgs): Promise<number> {
  const config = loadClassConfig(args.config);
  return (await gradeWithConfig(config, args)).exitCode;
}
