/**
 * The class-run options of the grading command, resolved before anything is contacted: which students
 * (`--user`, `--shard`, `--resume`/`--rerun-incomplete`), which journal, what is said on stderr, and
 * the pre-flight that runs before grading.
 */
import { targetsFor, type ClassConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { defaultJournalPath, openJournal, planResume, type JournalHeader, type JournalWriter } from '../core/journal.js';
import type { StudentResult } from '../core/model.js';
import { preflight, preflightTable } from '../core/preflight.js';
import { inShard, parseShard } from '../core/shard.js';
import type { Target } from '../core/target.js';
import { ARM_SCOPE, type Runtime } from '../probes/environment.js';
import type { Argv } from 'yargs';
import type { GradeArgs } from './grade.js';

export interface ClassRunPlan {
  targets: Target[];
  settled: Map<string, StudentResult>;
  /** Writes to stderr unless quiet (programmatic callers are quiet unless they pass quiet: false). */
  say(text: string): void;
  /** The journal for this run, or undefined when none is wanted. */
  openJournal(header: Omit<JournalHeader, 'type'>): JournalWriter | undefined;
}

export function planClassRun(config: ClassConfig, args: GradeArgs, lab: string): ClassRunPlan {
  const say = (text: string) => void (args.quiet === false && process.stderr.write(text));
  const warn = (text: string) => void process.stderr.write(`lab-grade: warning: ${text}\n`);
  if (args.resume && args.rerunIncomplete) throw new ConfigError('use one of --resume and --rerun-incomplete', undefined, '--resume');
  const resumeFile = args.resume ?? args.rerunIncomplete;
  if (resumeFile && args.journal && args.journal !== resumeFile) throw new ConfigError('--resume and --rerun-incomplete append to their own journal: drop --journal', undefined, '--journal');

  let targets = inShard(targetsFor(config, args.user), args.shard ? parseShard(args.shard) : undefined);
  let settled = new Map<string, StudentResult>();
  if (resumeFile) {
    const plan = planResume(resumeFile, targets, { lab, onlyJournaled: !!args.rerunIncomplete });
    plan.warnings.forEach(warn);
    targets = [...plan.targets];
    settled = plan.settled;
  }
  const explicit = resumeFile ?? args.journal;
  const file = explicit ?? (args.autoJournal && targets.length > 1 ? defaultJournalPath() : undefined);

  return {
    targets,
    settled,
    say,
    openJournal(header) {
      if (!file) return undefined;
      try {
        const journal = openJournal(file, header);
        if (!resumeFile) say(`Journal: ${file} (if this run stops: lab-grade … --resume ${file})\n`);
        return journal;
      } catch (err) {
        // A default journal must not stop grading (a read-only folder in a container): warn instead.
        if (explicit) throw err;
        warn(`${(err as Error).message}: grading without a journal`);
        return undefined;
      }
    },
  };
}

/** The pre-flight through the runtime's own probes and network policy; prints its table; who is out. */
export async function runPreflight(targets: readonly Target[], runtime: Runtime, args: GradeArgs, say: (text: string) => void, journal?: string): Promise<Map<string, string>> {
  const report = await preflight(targets, {
    openEnvironment: (t) => runtime.openEnvironment(t),
    connect: (host, port, ms) => runtime.policy.socket(host, port, ms),
    credential: runtime.credential,
    armScope: ARM_SCOPE,
    concurrency: args.concurrency,
  });
  say(preflightTable(report, journal));
  return report.unreachable;
}

/** The class-run options of the grading commands (the default one and `demo`). */
export function classOptions<T>(y: Argv<T>) {
  return y
    .option('student-timeout', { type: 'number', describe: 'Seconds one student may take, all checks included, before the rest are `error` (default 300)' })
    .option('preflight', { type: 'boolean', default: true, describe: 'Before grading a class, check who is reachable (Azure identity and resource groups, SSH ports); --no-preflight skips it' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Nothing on stderr but errors: no progress, no pre-flight table' })
    .option('journal', { type: 'string', describe: 'Append each finished student to FILE (JSON lines); a class run journals to .lab-grade/journal-<time>.jsonl unless --no-journal' })
    .option('resume', { type: 'string', describe: 'Continue the run of this journal: skip its graded students, grade the rest, append to it' })
    .option('rerun-incomplete', { type: 'string', describe: 'Grade again only the incomplete students of this journal, appending to it' })
    .option('shard', { type: 'string', describe: 'I/N: grade only the I-th of N stable slices of the roster (by a hash of the user name)' });
}

export function classArgs(a: Record<string, unknown>): Partial<GradeArgs> {
  const timeout = a.studentTimeout === undefined ? undefined : Number(a.studentTimeout);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new ConfigError(`expected a number of seconds > 0, got ${JSON.stringify(a.studentTimeout)}`, undefined, '--student-timeout');
  const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
  if (typeof a.shard === 'string') parseShard(a.shard); // a usage error before anything starts (demo's sandbox)
  return {
    studentTimeout: timeout,
    preflight: a.preflight !== false,
    quiet: !!a.quiet,
    journal: str('journal'),
    autoJournal: a.journal !== false,
    resume: str('resume'),
    rerunIncomplete: str('rerunIncomplete'),
    shard: str('shard'),
  };
}
