/**
 * The self-check: detect what this student can reach, grade it through the grading application (a
 * one-student class config built in memory), show the checklist and what changed since the last
 * check, and record the run in the local history. With `watch`, do that every few seconds.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ConfigError, errorMessage } from '../../core/errors.js';
import { appendHistory, blockedByOf, changesBetween, changesSince, historyEntry, historyFile, lastEntry, readHistory, type HistoryEntry } from '../../core/history.js';
import type { StudentResult } from '../../core/model.js';
import { onPath } from '../../core/paths.js';
import { checklistMessages, TOOL } from '../../reporters/checklist.messages.js';
import { shellQuote } from '../resume-command.js';
import type { ChecklistView } from '../../reporters/checklist.js';
import { bufferOutput } from '../../reporters/replay.js';
import type { ReporterOutput } from '../../reporters/types.js';
import { grade, profileFor } from '../grading.js';
import type { Notices } from '../io.js';
import { openReports, type ReportSpec } from '../reports.js';
import { absentReasonCodes } from '../reasons.js';
import { detectSelfCheck, type SelfCheck, type SelfCheckSettings } from './detect.js';
import { sandboxSettings } from './sandbox-link.js';
import { watch } from './watch.js';

export interface SelfCheckRequest {
  only: readonly string[];
  waitSeconds: number;
  /** Reports besides (or instead of) the checklist; empty: the checklist on stdout. */
  reports: readonly ReportSpec[];
  allowDisruptive: boolean;
  allowExecCredentials: boolean;
  watch: boolean;
  intervalSeconds: number;
  local?: boolean;
  kubeconfig?: string;
  context?: string;
  subscription?: string;
  resourceGroup?: string;
  userName?: string;
  /** The folder `lab-grade sandbox` wrote: check as one of the simulated lab's students. */
  sandbox?: string;
  /** How the user started lab-grade (`invokedCommand`): the commands printed say it so. Default `node lab-grade.mjs`, as students run it. */
  program?: string;
}

export interface SelfCheckIo {
  stdout: ReporterOutput;
  notices: Notices;
  stdin?: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  home: string;
  /** Tests inject a credential; the command line signs in through the az CLI (or the simulated lab's token). */
  login?: () => Promise<TokenCredential | undefined>;
  /** Tests stop `watch` without a signal. */
  signal?: AbortSignal;
}

/**
 * The command this self-check repeats in what it prints ("Every check with its details: …"): the
 * command as the student started it (`node lab-grade.mjs`, or `lab-grade`) with the options that said
 * where to look, so it checks the same things again (with two resource groups, say, a bare
 * `node lab-grade.mjs` is a usage error).
 */
export function selfCheckCommand(
  r: Pick<SelfCheckRequest, 'program' | 'sandbox' | 'userName' | 'local' | 'subscription' | 'resourceGroup' | 'kubeconfig' | 'context' | 'allowExecCredentials'>,
): string {
  const valued: Array<[string, string | undefined]> = [
    ['--sandbox', r.sandbox],
    ['--user-name', r.userName],
    ['--subscription', r.subscription],
    ['--resource-group', r.resourceGroup],
    ['--kubeconfig', r.kubeconfig],
    ['--context', r.context],
  ];
  const options = valued.flatMap(([flag, value]) => (value === undefined ? [] : [flag, shellQuote(value)]));
  return [r.program ?? TOOL, ...options, ...(r.local === undefined ? [] : [r.local ? '--local' : '--no-local']), ...(r.allowExecCredentials ? ['--allow-exec-credentials'] : [])].join(' ');
}

/** A report failed to be written (exit 4 after the others were written). */
const EXIT_REPORT_FAILED = 4;
/** Nothing could be graded (exit 3, as for a student who could not be graded): nothing was reachable from here. */
const EXIT_NOT_GRADED = 3;

export async function selfCheck(request: SelfCheckRequest, io: SelfCheckIo): Promise<number> {
  const reports: readonly ReportSpec[] = request.reports.length ? request.reports : [{ format: 'checklist' }];
  if (request.watch && reports.some((r) => r.format !== 'checklist' || r.file !== undefined)) throw new ConfigError('--watch shows the checklist only: drop --reporter', undefined, '--reporter');
  if (request.watch && request.waitSeconds > 0) throw new ConfigError('--watch takes one snapshot every --interval seconds: drop --wait', undefined, '--wait');

  const profile = profileFor({});
  const detected = await detectSelfCheck(settingsFrom(request, io, profile.expect.repoDir));
  const only = request.only.length ? request.only : undefined;
  const history = new History(historyFile(io.env), detected.user, profile.lab, io.notices, only);

  /** One grading into the reports; `stdout` is where unnamed reports (the checklist) go. */
  const gradeOnce = async (stdout: ReporterOutput, since: (student: StudentResult) => ChecklistView['since'], footer?: string) => {
    const opened = openReports(reports, { verbose: true, stdout, checklist: { reached: detected.reached, since, footer, command: selfCheckCommand(request) } });
    try {
      const outcome = await grade(gradeRequest(request, detected, profile), { reporters: opened.reporters, notices: io.notices });
      const failures = opened.finish();
      failures.forEach((f) => io.notices.warn(f));
      const student = outcome.run.students[0];
      // Nothing checked is no grade: not "below the pass mark".
      const nothingGraded = student.checks.every((c) => c.status === 'skipped');
      return { student, exitCode: failures.length ? EXIT_REPORT_FAILED : nothingGraded ? EXIT_NOT_GRADED : outcome.exitCode };
    } catch (err) {
      opened.abandon();
      throw err;
    }
  };

  if (!request.watch) {
    const before = history.last();
    const since = (s: StudentResult) => before && { at: new Date(before.at), changes: changesSince(before, s, { partial: !!only }) };
    const { student, exitCode } = await gradeOnce(io.stdout, since);
    history.record(student, true);
    return exitCode;
  }

  // The latest change stays on screen until a newer one: a student who looks away still sees it.
  const recorded = history.last();
  let baseline: (Pick<HistoryEntry, 'checks' | 'blockedBy'> & { at: Date }) | undefined = recorded && { at: new Date(recorded.at), checks: recorded.checks, blockedBy: recorded.blockedBy };
  let shown: ChecklistView['since'];
  return watch({
    intervalMs: request.intervalSeconds * 1000,
    output: io.stdout,
    input: io.stdin?.isTTY ? io.stdin : undefined,
    signal: io.signal,
    run: async () => {
      const frame = bufferOutput({ color: io.stdout.color, isTTY: io.stdout.isTTY, columns: io.stdout.columns });
      const since = (s: StudentResult) => {
        const changes = baseline ? changesSince(baseline, s, { partial: !!only }) : [];
        if (baseline && (changes.length || !shown)) shown = { at: baseline.at, changes };
        baseline = { at: new Date(), checks: checksOf(s), blockedBy: blockedByOf(s) };
        return shown;
      };
      const { student } = await gradeOnce(frame, since, checklistMessages.watching(request.intervalSeconds));
      // A watch records a run when something changed: every few seconds would fill the history with copies.
      history.record(student, false);
      return frame.text();
    },
  });
}

function gradeRequest(request: SelfCheckRequest, detected: SelfCheck, profile: ReturnType<typeof profileFor>) {
  return {
    config: detected.config,
    profile,
    users: [detected.user],
    only: request.only,
    waitSeconds: request.waitSeconds,
    concurrency: 1,
    allowDisruptive: request.allowDisruptive,
    allowExecCredentials: request.allowExecCredentials,
    runtime: { credential: detected.credential, unavailable: detected.unavailable },
  };
}

const checksOf = (student: StudentResult) => Object.fromEntries(student.checks.map((c) => [c.id, c.status]));

/**
 * The local history of this student's self-checks; a history that cannot be written never fails a check.
 * A partial run (`--only`) is recorded as one, and a whole check compares with the last whole check.
 */
class History {
  private latest?: HistoryEntry;
  private readonly absent = absentReasonCodes();

  constructor(
    private readonly file: string,
    private readonly user: string,
    private readonly lab: string,
    private readonly notices: Notices,
    private readonly only?: readonly string[],
  ) {
    this.latest = lastEntry(readHistory(file), user, lab, { whole: !only });
  }

  last(): HistoryEntry | undefined {
    return this.latest;
  }

  record(student: StudentResult, always: boolean): void {
    const entry = historyEntry(student, this.lab, { absent: this.absent, only: this.only });
    if (!always && this.latest && changesBetween(this.latest.checks, entry.checks).length === 0) return;
    try {
      appendHistory(this.file, entry);
      this.latest = entry;
    } catch (err) {
      this.notices.warn(`the history was not saved (${this.file}: ${errorMessage(err)})`);
    }
  }
}

function settingsFrom(r: SelfCheckRequest, io: SelfCheckIo, repoDir: string): SelfCheckSettings {
  // The simulated lab's folder gives what a student's machine would have; options given still win.
  const lab = r.sandbox ? sandboxSettings(r.sandbox, r.userName) : undefined;
  const given = { userName: r.userName, kubeconfig: r.kubeconfig, subscription: r.subscription, resourceGroup: r.resourceGroup };
  return {
    ...lab,
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    home: io.home,
    env: io.env,
    local: r.local,
    repoDir,
    context: r.context,
    login: io.login ?? lab?.login ?? (() => azureLogin(io.env)),
  };
}

/**
 * The Azure login: the az CLI's (Cloud Shell is signed in already). Without `az` (the lab's VM) nobody is
 * signed in, and @azure/identity is never loaded; with it, loaded when a self-check signs in.
 */
async function azureLogin(env: NodeJS.ProcessEnv): Promise<TokenCredential | undefined> {
  if (!onPath(process.platform === 'win32' ? 'az.cmd' : 'az', env.PATH ?? '')) return undefined;
  return new (await import('@azure/identity')).AzureCliCredential();
}
