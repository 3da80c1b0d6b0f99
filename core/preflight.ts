/**
 * The class pre-flight (`lab-grade` on more than one student; `--no-preflight` skips it): before any
 * check runs, find out whom the grader can reach at all — the Azure identity gets an ARM token, each
 * student's resource group can be read through that student's own Azure probe, each VM's SSH port
 * accepts a TCP connection. Whoever is partly unreachable is listed; a student with nothing reachable
 * is graded as `incomplete` (every check `error`) without waiting out the timeouts: never a 0,
 * re-queued by --rerun-incomplete.
 */
import type { TokenCredential } from '@azure/core-auth';
import { errorMessage } from './errors.js';
import { runPool } from './pool.js';
import type { OpenedEnvironment } from './class-run.js';
import { redactText } from './redact.js';
import { excerpt, joinLines } from './student-text.js';
import type { Target } from './target.js';

export interface PreflightDeps {
  openEnvironment(target: Target): Promise<OpenedEnvironment>;
  /** A TCP connect through the network policy; resolves once connected (the socket is then closed). */
  connect(host: string, port: number, timeoutMs: number): Promise<{ destroy(): void }>;
  credential?: TokenCredential;
  armScope: string;
  concurrency: number;
  /** Bound on each step (default 5 s): a pre-flight is a quick look, not a grading. */
  timeoutMs?: number;
  /** The identity step's outcome when it was checked already (`identityProblem`). */
  knownIdentity?: { outcome: StepOutcome };
}

/** undefined: fine; a string: what went wrong; null: not applicable (no Azure or no VM configured). */
export type StepOutcome = string | undefined | null;

export interface PreflightRow {
  user: string;
  azure: StepOutcome;
  vm: StepOutcome;
}

export interface PreflightReport {
  /** The credential's token request failed: every student's Azure step carries this. */
  identity: StepOutcome;
  rows: PreflightRow[];
  /** user -> why they will not be graded now. */
  unreachable: Map<string, string>;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const failure = (err: unknown) => redactText(errorMessage(err));

/** How much of the credential's failure is quoted: its first sources, enough to tell which login is missing. */
const IDENTITY_PROBLEM_CHARS = 400;

/**
 * Why the grader's own Azure identity cannot get an ARM token, on one bounded line, or undefined when
 * it can. A chain of credentials fails with a line per credential tried; the stop it causes is one line.
 */
export function identityProblem(credential: TokenCredential, armScope: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string | undefined> {
  return bounded(credential.getToken(armScope), timeoutMs, 'the Azure identity').then(
    (t) => (t ? undefined : 'the credential gave no token'),
    (err: unknown) => excerpt(joinLines(failure(err)), IDENTITY_PROBLEM_CHARS),
  );
}

export async function preflight(targets: readonly Target[], deps: PreflightDeps): Promise<PreflightReport> {
  const ms = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let identity: StepOutcome = null;
  if (deps.knownIdentity) identity = deps.knownIdentity.outcome;
  else if (deps.credential) {
    const problem = await identityProblem(deps.credential, deps.armScope, ms);
    identity = problem === undefined ? undefined : `the Azure identity cannot get a token: ${problem}`;
  }

  const rows: PreflightRow[] = new Array(targets.length);
  await runPool(targets, deps.concurrency, async (target, i) => {
    const [azure, vm] = await Promise.all([azureStep(target, deps, identity, ms), vmStep(target, deps, ms)]);
    rows[i] = { user: target.user, azure, vm };
  });

  // Only a student with nothing reachable is left ungraded: one with Azure but no VM (or the reverse)
  // is graded, and the part that cannot be reached ends in `error` (incomplete) on its own.
  const unreachable = new Map<string, string>();
  for (const r of rows) {
    const applicable = [r.azure, r.vm].filter((o) => o !== null);
    if (applicable.length === 0 || applicable.some((o) => o === undefined)) continue;
    const why = [r.azure && `Azure: ${r.azure}`, r.vm && `VM: ${r.vm}`].filter(Boolean).join('; ');
    unreachable.set(r.user, `not reachable in the pre-flight (${why}); re-run with --rerun-incomplete once it is`);
  }
  return { identity, rows, unreachable };
}

async function azureStep(target: Target, deps: PreflightDeps, identity: StepOutcome, ms: number): Promise<StepOutcome> {
  if (identity === null) return null;
  if (identity) return identity;
  let env: OpenedEnvironment | undefined;
  try {
    env = await deps.openEnvironment(target);
    if (!env.probes.azure) return null;
    // The student's own probe: the same client, rate limit and error mapping the checks will use.
    await bounded(env.probes.azure.resourceGroup(), ms, `resource group ${target.resourceGroup}`);
    return undefined; // a missing group is the student's to fix, and a gradeable `fail`
  } catch (err) {
    return failure(err);
  } finally {
    await env?.close().catch(() => undefined);
  }
}

async function vmStep(target: Target, deps: PreflightDeps, ms: number): Promise<StepOutcome> {
  if (!target.vm) return null;
  try {
    const socket = await deps.connect(target.vm.host, target.vm.port, ms);
    socket.destroy();
    return undefined;
  } catch (err) {
    return `SSH port ${target.vm.host}:${target.vm.port}: ${failure(err)}`;
  }
}

/**
 * The table for stderr: a count, then one row per student who cannot be graded now, with why, and the
 * command that grades them again (`rerun`, given the users) when the caller can build one, and what
 * that command does not do (`note`).
 */
export function preflightTable(report: PreflightReport, rerun?: (users: string[]) => string | undefined, note?: string): string {
  const failed = (o: StepOutcome) => typeof o === 'string';
  const bad = report.rows.filter((r) => failed(r.azure) || failed(r.vm));
  const lines = [`Pre-flight: ${report.rows.length - bad.length} of ${report.rows.length} students fully reachable${report.identity === undefined ? ' (Azure identity OK)' : ''}`];
  if (report.identity) lines.push(`  ${report.identity}`);
  if (bad.length) {
    const cell = (o: StepOutcome) => (o === null ? 'n/a' : o === undefined ? 'ok' : 'FAIL');
    const w = Math.max(4, ...bad.map((r) => r.user.length));
    lines.push(`  ${'user'.padEnd(w)}  azure  vm    graded  why`);
    for (const r of bad) {
      const why = [r.azure && !report.identity ? r.azure : undefined, r.vm].filter(Boolean).join('; ');
      const graded = report.unreachable.has(r.user) ? 'no' : 'partly';
      lines.push(`  ${r.user.padEnd(w)}  ${cell(r.azure).padEnd(5)}  ${cell(r.vm).padEnd(4)}  ${graded.padEnd(6)}  ${why}`);
    }
    const command = rerun?.(bad.map((r) => r.user));
    lines.push(`  what cannot be reached ends in error: these students are incomplete (not 0)${command ? `; once they are reachable: ${command}` : ': grade them again once they are reachable'}`);
    if (command && note) lines.push(`  (${note})`);
  }
  return `${lines.join('\n')}\n`;
}
