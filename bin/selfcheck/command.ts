/**
 * The self-check: detect what this student can reach, grade it through the normal engine (a
 * one-student class config built in memory), show the checklist and what changed since the last
 * check, and record the run in the local history. With --watch, do that every few seconds.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { TokenCredential } from '@azure/core-auth';
import { AzureCliCredential } from '@azure/identity';
import { CHECK_IDS } from '../../checks/index.js';
import { ConfigError, errorMessage } from '../../core/errors.js';
import { appendHistory, changesBetween, historyEntry, historyFile, lastEntry, readHistory, type HistoryEntry } from '../../core/history.js';
import type { StudentResult } from '../../core/model.js';
import { loadProfile, type LabProfile } from '../../core/profile.js';
import { Secret } from '../../core/secret.js';
import { detectSelfCheck, type SelfCheckSettings } from '../../core/selfcheck.js';
import { staticTokenCredential } from '../../probes/azure/credential.js';
import { renderChecklist, type ChecklistView } from '../../reporters/checklist.js';
import { checklistMessages } from '../../reporters/checklist.messages.js';
import type { ReporterOutput } from '../../reporters/types.js';
import { gradeWithConfig, type GradeArgs, type GradeOutcome } from '../grade.js';
import { stdoutOutput } from '../reporter-spec.js';
import type { SelfCheckArgs } from './options.js';
import { watch } from './watch.js';

export interface SelfCheckIo {
  stdout: ReporterOutput;
  stdin?: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  home: string;
  /** Tests inject a credential; the CLI signs in through the az CLI (or the simulated lab's token file). */
  login?: () => TokenCredential | undefined;
  /** Tests stop --watch without a signal. */
  signal?: AbortSignal;
}

const CHECKLIST = 'checklist';
const SILENT: ReporterOutput = { write: () => undefined, color: false, isTTY: false };

export async function selfCheckCommand(args: GradeArgs, sc: SelfCheckArgs, io: SelfCheckIo = processIo()): Promise<number> {
  const specs = args.reporter.length ? args.reporter : [CHECKLIST];
  const others = specs.filter((s) => s !== CHECKLIST);
  const checklist = others.length < specs.length;
  if (sc.watch && others.length) throw new ConfigError('--watch shows the checklist only: drop --reporter', undefined, '--reporter');
  if (sc.watch && args.wait > 0) throw new ConfigError('--watch takes one snapshot every --interval seconds: drop --wait', undefined, '--wait');

  const profile = loadProfile(undefined, CHECK_IDS);
  const detected = await detectSelfCheck({ ...settingsFrom(sc, io, profile), ...simulatedLab(io.env) });
  const history = new History(historyFile(io.env), detected.user, profile.lab);
  const grade = async (): Promise<{ student: StudentResult; outcome: GradeOutcome }> => {
    const outcome = await gradeWithConfig(
      detected.config,
      // The base options only: class-run options (journal, shards, pre-flight) do not apply to one student.
      { config: detected.config.file, user: [detected.user], only: args.only, wait: args.wait, concurrency: 1, reporter: others, allowDisruptive: args.allowDisruptive, allowExecCredentials: args.allowExecCredentials },
      { stdout: others.length ? io.stdout : SILENT, runtime: { credential: detected.credential, unavailable: detected.unavailable } },
    );
    return { student: outcome.run.students[0], outcome };
  };
  const frame = (student: StudentResult, since: ChecklistView['since'], footer?: string) =>
    renderChecklist({ student, checkedAt: new Date(), reached: detected.reached, since, footer }, { color: io.stdout.color });

  if (!sc.watch) {
    const before = history.last();
    const { student, outcome } = await grade();
    history.record(student, true);
    if (checklist) io.stdout.write(frame(student, before && { at: new Date(before.at), changes: changesBetween(before.checks, checksOf(student)) }));
    return outcome.exitCode;
  }

  // The latest change stays on screen until a newer one: a student who looks away still sees it.
  const recorded = history.last();
  let baseline = recorded && { at: new Date(recorded.at), checks: recorded.checks };
  let shown: ChecklistView['since'];
  return watch({
    intervalMs: sc.intervalSeconds * 1000,
    output: io.stdout,
    input: io.stdin?.isTTY ? io.stdin : undefined,
    signal: io.signal,
    run: async () => {
      const { student } = await grade();
      // A watch records a run when something changed: every few seconds would fill the history with copies.
      history.record(student, false);
      const checks = checksOf(student);
      const changes = baseline ? changesBetween(baseline.checks, checks) : [];
      if (baseline && (changes.length || !shown)) shown = { at: baseline.at, changes };
      baseline = { at: new Date(), checks };
      return frame(student, shown, checklistMessages.watching(sc.intervalSeconds));
    },
  });
}

const checksOf = (student: StudentResult) => Object.fromEntries(student.checks.map((c) => [c.id, c.status]));

/** The local history of this student's self-checks; a history that cannot be written never fails a check. */
class History {
  private latest?: HistoryEntry;

  constructor(
    private readonly file: string,
    private readonly user: string,
    private readonly lab: string,
  ) {
    this.latest = lastEntry(readHistory(file), user, lab);
  }

  last(): HistoryEntry | undefined {
    return this.latest;
  }

  record(student: StudentResult, always: boolean): void {
    const entry = historyEntry(student, this.lab);
    if (!always && this.latest && changesBetween(this.latest.checks, entry.checks).length === 0) return;
    try {
      appendHistory(this.file, entry);
      this.latest = entry;
    } catch (err) {
      process.stderr.write(`lab-grade: the history was not saved (${this.file}: ${errorMessage(err)})\n`);
    }
  }
}

function settingsFrom(sc: SelfCheckArgs, io: SelfCheckIo, profile: LabProfile): SelfCheckSettings {
  return {
    home: io.home,
    env: io.env,
    userName: sc.userName,
    local: sc.local,
    repoDir: profile.expect.repoDir,
    kubeconfig: sc.kubeconfig,
    context: sc.context,
    subscription: sc.subscription,
    resourceGroup: sc.resourceGroup,
    login: io.login ?? azureLogin(io.env),
  };
}

/**
 * The Azure login: the az CLI's (Cloud Shell is signed in already). For the simulated lab and tests,
 * LAB_GRADE_AZURE_TOKEN_FILE names a file holding a bearer token instead; no such file: not signed in.
 */
function azureLogin(env: NodeJS.ProcessEnv): () => TokenCredential | undefined {
  const tokenFile = env.LAB_GRADE_AZURE_TOKEN_FILE;
  if (tokenFile === undefined) return () => new AzureCliCredential();
  return () => {
    const token = readOptional(tokenFile)?.trim();
    return token ? staticTokenCredential(new Secret(token, 'Azure token')) : undefined;
  };
}

/**
 * Hidden settings that point a self-check at the simulated lab (`lab-grade sandbox`): its ARM
 * endpoint, its CA, and where its public addresses really listen (which makes the run loopback-only).
 */
function simulatedLab(env: NodeJS.ProcessEnv): Partial<SelfCheckSettings> {
  const out: Partial<SelfCheckSettings> = {};
  if (env.LAB_GRADE_ARM_ENDPOINT) out.armEndpoint = env.LAB_GRADE_ARM_ENDPOINT;
  if (env.LAB_GRADE_CA_FILE) {
    out.caPem = readOptional(env.LAB_GRADE_CA_FILE);
    if (!out.caPem) throw new ConfigError(`cannot read ${env.LAB_GRADE_CA_FILE}`, undefined, 'LAB_GRADE_CA_FILE');
  }
  if (env.LAB_GRADE_CONNECT_TO) {
    try {
      out.connectTo = JSON.parse(env.LAB_GRADE_CONNECT_TO) as Record<string, string>;
    } catch {
      throw new ConfigError('expected a JSON object {"host:port": "host:port"}', undefined, 'LAB_GRADE_CONNECT_TO');
    }
    out.loopbackOnly = true;
  }
  return out;
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function processIo(): SelfCheckIo {
  return { stdout: stdoutOutput(), stdin: process.stdin, env: process.env, home: process.env.HOME || homedir() };
}
