/**
 * The command line's options and their conversion into the grading application's typed requests.
 * Every value is checked here, with the flag and the value as given in the error.
 */
import type { Options } from 'yargs';
import type { ClassRunRequest } from '../app/class-plan.js';
import type { DefaultCommandRequest } from '../app/default-command.js';
import type { CreditMode, LiveCommandRequest } from '../app/live.js';
import type { ReportSpec } from '../app/reports.js';
import type { SelfCheckRequest } from '../app/selfcheck/selfcheck.js';
import { ConfigError } from '../core/errors.js';
import { parseShard } from '../core/shard.js';
import { didYouMean } from '../core/suggest.js';
import { isReportFormat, REPORT_FORMATS } from '../reporters/formats.js';

/** Node's timers fire at once beyond 2^31 ms; a day is more than any lab needs. */
const MAX_SECONDS = 86_400;

type Args = Record<string, unknown>;

/** A number as typed (yargs keeps what is not a number as text, so the error can show it). */
function numberOption(a: Args, key: string, flag: string, o: { min: number; max: number; integer?: boolean; minText?: string }): number | undefined {
  const raw = a[key];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'number' ? raw : Number.NaN;
  const kind = o.integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || n < o.min || n > o.max) {
    throw new ConfigError(`expected ${kind} from ${o.minText ?? o.min} to ${o.max}, got ${JSON.stringify(Array.isArray(raw) ? raw.at(-1) : raw)}`, undefined, flag);
  }
  return n;
}

/** `NAME[=FILE]` of --reporter. */
export function reportSpecs(values: readonly unknown[]): ReportSpec[] {
  return values.map(String).map((spec) => {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const file = eq < 0 ? undefined : spec.slice(eq + 1);
    if (!isReportFormat(name)) throw new ConfigError(`unknown reporter ${JSON.stringify(name)}${didYouMean(name, REPORT_FORMATS)}; available: ${REPORT_FORMATS.join(', ')}`, undefined, '--reporter');
    if (file === '') throw new ConfigError(`expected NAME=FILE, got ${JSON.stringify(spec)}`, undefined, '--reporter');
    return file === undefined ? { format: name } : { format: name, file };
  });
}

const REPORTER_OPTION = {
  alias: 'r',
  type: 'string',
  array: true,
  default: [] as string[],
  describe: `NAME[=FILE]: ${REPORT_FORMATS.join(', ')}; repeatable; no FILE: stdout (one report at most)`,
} as const;

export const GRADING_OPTIONS = {
  user: { alias: 'u', type: 'string', array: true, default: [] as string[], describe: 'Grade this student (repeatable); omitted: the whole roster' },
  only: { type: 'string', array: true, default: [] as string[], describe: 'Only these checks: an exercise (ex6), a prefix or an id (ex6.app.e2e); repeatable' },
  wait: { requiresArg: true, default: 0, describe: 'Poll failing checks for up to SECONDS (e.g. while pods start); 0 grades one snapshot' },
  concurrency: { alias: 'j', requiresArg: true, default: 16, describe: 'Students graded at once (16: grading waits on the network, not the CPU; lower it if Azure throttles)' },
  reporter: REPORTER_OPTION,
  'allow-disruptive': { type: 'boolean', default: false, describe: 'Allow ex6.selfheal to delete the myapi pod (the only write)' },
  'allow-exec-credentials': { type: 'boolean', default: false, describe: 'Allow kubeconfigs that run a credential plugin (a kubeconfig is code)' },
  'student-timeout': { requiresArg: true, describe: 'Seconds one student may take, all checks included, before the rest are `error` (default 300)' },
  preflight: { type: 'boolean', default: true, describe: 'Before grading a class, check who is reachable (Azure identity and resource groups, SSH ports); --no-preflight skips it' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Nothing on stderr but errors: no progress, no pre-flight table' },
  journal: { type: 'string', describe: 'Append each finished student to FILE (JSON lines); a class run journals to .lab-grade/journal-<time>.jsonl unless --no-journal' },
  resume: { type: 'string', describe: 'Continue the run of this journal: skip its graded students, grade the rest, append to it' },
  'rerun-incomplete': { type: 'string', describe: 'Grade again only the incomplete students of this journal, appending to it' },
  regrade: { type: 'boolean', default: false, describe: "With --resume/--rerun-incomplete: reuse none of the journal's results (needed when it was graded with another --only or lab profile)" },
  shard: { type: 'string', describe: 'I/N: grade only the I-th of N stable slices of the roster (by a hash of the user name)' },
} as const satisfies Record<string, Options>;

export const SELF_CHECK_OPTIONS = {
  watch: { type: 'boolean', default: false, describe: 'Self-check: check again every --interval seconds or on Enter, showing what changed' },
  interval: { requiresArg: true, default: 5, describe: 'Self-check --watch: seconds between checks' },
  local: { type: 'boolean', describe: 'Self-check on your VM: grade Exercises 1–2 on this machine (default when ~/greetings exists, outside Cloud Shell)' },
  kubeconfig: { type: 'string', describe: 'Self-check: the kubeconfig to use (default $KUBECONFIG or ~/.kube/config)' },
  context: { type: 'string', describe: 'Self-check: the kubeconfig context (default its current context)' },
  subscription: { type: 'string', describe: 'Self-check: your Azure subscription id (default $AZURE_SUBSCRIPTION_ID, the az CLI default, or your only one)' },
  'resource-group': { type: 'string', describe: 'Self-check: your resource group (default: your only one)' },
  'user-name': { type: 'string', describe: 'Self-check: your lab user name (default $USER)' },
  sandbox: { type: 'string', describe: 'Self-check against the simulated lab: the folder `lab-grade sandbox` wrote (with --user-name)' },
} as const satisfies Record<string, Options>;

/** How a class graded more than once is scored (the class config's `credit`). */
export const CREDIT_CHOICES = ['earned', 'final'] as const satisfies readonly CreditMode[];

export const LIVE_OPTIONS = {
  config: { alias: 'c', type: 'string', describe: 'Class config file (default ./lab-grade.yaml; with --follow: only if given, for the roster, the profile and the credit; no credential is read)' },
  interval: { requiresArg: true, describe: 'Seconds from the start of one round to the start of the next (default 120); a round that takes longer delays the next' },
  ledger: { type: 'string', describe: 'Append every graded student to FILE (default .lab-grade/live-<time>.jsonl); an existing ledger is continued' },
  rounds: { requiresArg: true, describe: 'Stop after N rounds (default: until Ctrl-C)' },
  port: { requiresArg: true, describe: "The dashboard's port (default 8080; 0 picks a free one)" },
  host: { type: 'string', describe: "The dashboard's address (default 127.0.0.1; any other requires the token printed in the URL)" },
  'stuck-after': { requiresArg: true, describe: 'Minutes without a newly passing check before a student shows as stuck (default 15)' },
  credit: { type: 'string', choices: CREDIT_CHOICES, describe: "earned: a check that passed at any round counts; final: the latest round only (default: the config's credit, else earned)" },
  follow: { type: 'string', describe: "Serve the dashboard from the ledgers matching PATTERN ('results/*.jsonl'), as they grow, grading nothing" },
} as const satisfies Record<string, Options>;

/** Only a grading workshop uses these: with --follow they are a usage error. */
const GRADING_ONLY_LIVE = ['interval', 'ledger', 'rounds', 'shard', 'studentTimeout'] as const;

const strings = (v: unknown) => ((v as unknown[] | undefined) ?? []).map(String);
const text = (a: Args, k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);

/** The options every grading command shares (the default command, `demo`, `live`). */
export function gradingRequest(a: Args) {
  return {
    users: strings(a.user),
    only: strings(a.only),
    waitSeconds: numberOption(a, 'wait', '--wait', { min: 0, max: MAX_SECONDS }) ?? 0,
    concurrency: numberOption(a, 'concurrency', '--concurrency', { min: 1, max: 1000, integer: true }) ?? 16,
    studentTimeoutSeconds: numberOption(a, 'studentTimeout', '--student-timeout', { min: 1, max: MAX_SECONDS }),
    allowDisruptive: !!a.allowDisruptive,
    allowExecCredentials: !!a.allowExecCredentials,
    reports: reportSpecs(strings(a.reporter)),
  };
}

export function classRunRequest(a: Args): ClassRunRequest {
  const resume = text(a, 'resume');
  const rerun = text(a, 'rerunIncomplete');
  if (resume && rerun) throw new ConfigError('use one of --resume and --rerun-incomplete', undefined, '--resume');
  return {
    preflight: a.preflight !== false,
    progress: !a.quiet,
    journal: { file: text(a, 'journal'), auto: a.journal !== false },
    ...(resume ? { resume: { file: resume, only: 'unfinished' as const } } : rerun ? { resume: { file: rerun, only: 'incomplete' as const } } : {}),
    ...(a.regrade ? { regrade: true } : {}),
    ...(text(a, 'shard') ? { shard: parseShard(text(a, 'shard')!) } : {}),
  };
}

const SELF_CHECK_ONLY = ['watch', 'local', 'kubeconfig', 'context', 'subscription', 'resourceGroup', 'userName', 'sandbox'] as const;
const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The default command as the application decides between a self-check and a class run (app/default-command.ts). */
export function defaultCommandRequest(a: Args): DefaultCommandRequest {
  return {
    classNamed: a.config !== undefined || strings(a.user).length > 0,
    selfCheckFlags: SELF_CHECK_ONLY.filter((k) => a[k] !== undefined && a[k] !== false).map(flag),
  };
}

export function selfCheckRequest(a: Args): SelfCheckRequest {
  const g = gradingRequest(a);
  return {
    only: g.only,
    waitSeconds: g.waitSeconds,
    reports: g.reports,
    allowDisruptive: g.allowDisruptive,
    allowExecCredentials: g.allowExecCredentials,
    watch: !!a.watch,
    intervalSeconds: numberOption(a, 'interval', '--interval', { min: 1, max: MAX_SECONDS }) ?? 5,
    local: a.local === undefined ? undefined : !!a.local,
    kubeconfig: text(a, 'kubeconfig'),
    context: text(a, 'context'),
    subscription: text(a, 'subscription'),
    resourceGroup: text(a, 'resourceGroup'),
    userName: text(a, 'userName'),
    sandbox: text(a, 'sandbox'),
  };
}

export function historyRequest(a: Args) {
  return {
    format: a.reporter === 'json' ? ('json' as const) : ('console' as const),
    userName: text(a, 'userName'),
    limit: numberOption(a, 'limit', '--limit', { min: 0, max: 1_000_000, integer: true }) ?? 20,
  };
}

export function liveRequest(a: Args, invocation: readonly string[]): LiveCommandRequest {
  const dashboard = {
    host: text(a, 'host') ?? '127.0.0.1',
    port: numberOption(a, 'port', '--port', { min: 0, max: 65535, integer: true }) ?? 8080,
    stuckAfterMinutes: numberOption(a, 'stuckAfter', '--stuck-after', { min: 1, max: 24 * 60 }) ?? 15,
    ...(text(a, 'credit') ? { credit: text(a, 'credit') as CreditMode } : {}),
  };
  if (dashboard.host.trim() === '') throw new ConfigError('expected an address to listen on, got ""', undefined, '--host');
  const configFile = text(a, 'config');
  const follow = text(a, 'follow');
  if (follow !== undefined) {
    const used = GRADING_ONLY_LIVE.find((k) => a[k] !== undefined);
    if (used) throw new ConfigError('grades; --follow only serves the dashboard from ledgers that others write', undefined, flag(used));
    if (follow.trim() === '') throw new ConfigError("expected a file pattern such as 'results/*.jsonl'", undefined, '--follow');
    return { follow: { ...dashboard, pattern: follow }, ...(configFile !== undefined ? { configFile } : {}) };
  }
  if (text(a, 'ledger')?.trim() === '') throw new ConfigError('expected a file name, got ""', undefined, '--ledger');
  const g = gradingRequest(a);
  const run = classRunRequest(a);
  return {
    configFile: configFile ?? 'lab-grade.yaml',
    grade: {
      ...dashboard,
      intervalSeconds: numberOption(a, 'interval', '--interval', { min: 1, max: MAX_SECONDS }) ?? 120,
      rounds: numberOption(a, 'rounds', '--rounds', { min: 1, max: 1_000_000, integer: true }),
      ...(text(a, 'ledger') !== undefined ? { ledger: text(a, 'ledger') } : {}),
      ...(run.shard ? { shard: run.shard } : {}),
      concurrency: g.concurrency,
      studentTimeoutSeconds: g.studentTimeoutSeconds,
      preflight: run.preflight,
      allowExecCredentials: g.allowExecCredentials,
      invocation,
    },
  };
}
