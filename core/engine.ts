/**
 * The engine: runs one student's checks as a dependency graph. Independent checks run in parallel;
 * a check whose dependency did not pass is `blocked`, naming the root cause once; a check that throws
 * becomes `error` without stopping the others; every check and probe call is bounded in time; under
 * `--wait` a failing check is polled (sharing fresh reads between checks polling in the same round).
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { CheckContext, CheckDef, Facts, ProbesFor, Verdict } from './check.js';
import { checkContext } from './check-context.js';
import { errorMessage } from './errors.js';
import { eventually } from './eventually.js';
import { DEFAULT_PROBE_TIMEOUT_MS, ProbeSession, type ProbeCallStats } from './probe-session.js';
import { PROBE_KINDS, type CheckResult, type Evidence, type ProbeKind, type StudentResult } from './model.js';
import type { LabProfile } from './profile.js';
import { ENGINE_REASONS, probeReason } from './reasons.js';
import { redact, redactText } from './redact.js';
import { pointsFor, scoreStudent } from './score.js';
import { factProviders, type Selection } from './selection.js';
import { boundResultText, reportableMessage } from './student-text.js';
import type { Target } from './target.js';
import { formatMs, TimeoutError, withTimeout } from './timeout.js';
import { MissingRightError, ProbeError, type Probes, type Unavailable } from '../probes/types.js';

export interface EngineOptions {
  /** --wait budget in ms; 0 grades a single snapshot. */
  waitMs?: number;
  pollIntervalMs?: number;
  allowDisruptive?: boolean;
  /** Bound on one check attempt (its probe calls included). */
  checkTimeoutMs?: number;
  /** Bound on the whole student. */
  studentDeadlineMs?: number;
  probeTimeoutMs?: Partial<Record<ProbeKind, number>>;
  nonce?: string;
  onCheckResult?(result: CheckResult): void | Promise<void>;
  /** Under --wait: a check failed in a way waiting can change and is polled again. */
  onWaiting?(user: string, checkId: string, message: string): void;
}

export interface StudentEnvironment {
  probes: Probes;
  /** Probes this student has not got, with the line that would make them reachable. */
  unavailable?: Unavailable;
}

export interface StudentGrade {
  result: StudentResult;
  stats: ProbeCallStats;
}

const DEFAULTS = {
  waitMs: 0,
  pollIntervalMs: 2_000,
  checkTimeoutMs: 60_000,
  studentDeadlineMs: 300_000,
};

/** The student's deadline when the command line does not set it (`--student-timeout`). */
export const DEFAULT_STUDENT_DEADLINE_MS = DEFAULTS.studentDeadlineMs;

type Decided = Verdict & { blockedBy?: string };

export async function gradeStudent(target: Target, selection: Selection, env: StudentEnvironment, profile: LabProfile, options: EngineOptions = {}): Promise<StudentGrade> {
  const started = Date.now();
  const opts = { ...DEFAULTS, ...options };
  const runIds = new Set(selection.run.map((c) => c.id));
  // Stryker disable next-line ArrayDeclaration: byId is only the title fallback for a root missing from `done`, and every root has finished (and is in `done`) before a check it blocks decides
  const byId = new Map(selection.run.map((c) => [c.id, c]));
  const providers = factProviders(selection.run);

  const deadline = new AbortController();
  // Every concurrent probe call and check listens for the deadline; that is expected, not a leak.
  setMaxListeners(0, deadline.signal);
  const deadlineTimer = setTimeout(() => deadline.abort(new Error(`the student's deadline of ${formatMs(opts.studentDeadlineMs)} was reached`)), opts.studentDeadlineMs + opts.waitMs);
  // Stryker disable next-line OptionalChaining: Node's setTimeout always returns a Timeout with unref
  deadlineTimer.unref?.();
  const session = new ProbeSession(env.probes, opts.probeTimeoutMs ?? {}, deadline.signal);
  const nonce = opts.nonce ?? randomBytes(4).toString('hex');
  const done = new Map<string, CheckResult>();
  const facts: Partial<Facts> = {};
  const pending = new Map<string, Promise<CheckResult>>();

  const contextFor = (def: CheckDef, round: number): CheckContext<ProbeKind> =>
    checkContext(def, {
      target,
      profile,
      // `needs` was checked before the check runs: the probes it declared are there.
      probes: session.view(round) as ProbesFor<ProbeKind>,
      facts,
      options: { allowDisruptive: !!opts.allowDisruptive, waitMs: opts.waitMs, nonce },
      signal: deadline.signal,
    });

  const attempt = async (def: CheckDef, round: number): Promise<Verdict> => {
    try {
      return await withTimeout(
        def.run(contextFor(def, round)),
        checkDeadlineMs(def, opts.checkTimeoutMs, (kind) => session.timeoutOf(kind)),
        `check ${def.id}`,
        deadline.signal,
      );
    } catch (err) {
      return failureVerdict(err, deadline.signal);
    }
  };

  const decide = async (def: CheckDef): Promise<Decided> => {
    // Every dependency is in the run (selectChecks pulls it in), and before this check (the run is ordered).
    const deps = await Promise.all(def.dependsOn.map((d) => pending.get(d)!));
    await Promise.all([...(def.after ?? []), ...(def.uses ?? []).map((f) => providers.get(f)!)].filter((d) => runIds.has(d) && d !== def.id).map((d) => pending.get(d)!));
    // Not asked for is said first: a check that would not run anyway is not blocked by anything.
    if (def.disruptive && !opts.allowDisruptive) {
      return { status: 'skipped', code: ENGINE_REASONS.disruptive.code, message: 'changes your environment: runs only with --allow-disruptive' };
    }
    const bad = deps.find((d) => d.status === 'fail' || d.status === 'error' || d.status === 'blocked');
    if (bad) {
      const root = bad.blockedBy ?? bad.id;
      // Stryker disable next-line OptionalChaining: the root has finished before this check decides, so done.get(root) is always defined and byId is never reached
      const rootTitle = done.get(root)?.title ?? byId.get(root)?.title(profile) ?? root;
      return { status: 'skipped', message: `blocked by ${root} (${rootTitle})`, blockedBy: root };
    }
    const missing = def.needs.find((p) => !env.probes[p]);
    if (missing) {
      return { status: 'skipped', code: ENGINE_REASONS.unavailable.code, message: env.unavailable?.[missing] ?? `no ${missing} access configured for this student` };
    }
    if (opts.waitMs <= 0) return attempt(def, 0);
    const { answer } = await eventually(
      (n) => attempt(def, n === 0 ? 0 : 1 + Math.floor((Date.now() - started) / opts.pollIntervalMs)),
      (v) => {
        const final = v.status !== 'fail' || v.outcome === 'needs-fix';
        if (!final) opts.onWaiting?.(target.user, def.id, reportableMessage(v.message));
        return final;
      },
      { budgetMs: opts.waitMs, intervalMs: opts.pollIntervalMs, signal: deadline.signal },
    );
    return answer;
  };

  /** A failure that follows from another check's: blocked by it when that one did not pass. */
  const followCause = (def: CheckDef, v: Decided): Decided => {
    if (!v.causedBy || v.blockedBy || v.status === 'pass') return v;
    const candidates = typeof v.causedBy === 'string' ? [v.causedBy] : v.causedBy;
    const unordered = candidates.find((id) => ![...def.dependsOn, ...(def.after ?? [])].includes(id));
    if (unordered) {
      return {
        status: 'error',
        code: ENGINE_REASONS.crashed.code,
        message: `could not grade: check ${def.id} names ${unordered} as a cause without depending on it or running after it`,
        evidence: {},
      };
    }
    const cause = candidates.map((id) => done.get(id)).find((c) => c && c.status !== 'pass' && c.status !== 'skipped');
    if (!cause) return v;
    const root = cause.blockedBy ?? cause.id;
    // The check's own finding stays evidence: its message may advise a fix (`check API_BASE_URL`) that is
    // not the student's next step, since the root cause comes first.
    // Stryker disable next-line OptionalChaining: root is a check this one ran after (or its recorded root), so done.get(root) is always defined
    return { status: 'skipped', message: `blocked by ${root} (${done.get(root)?.title ?? root})`, evidence: { ...v.evidence, finding: v.message }, blockedBy: root };
  };

  const record = (def: CheckDef, decided: Decided, durationMs: number): CheckResult => {
    const v = followCause(def, decided);
    const status = v.blockedBy ? 'blocked' : v.status;
    Object.assign(facts, v.facts);
    return boundResultText({
      id: def.id,
      exercise: def.exercise,
      title: def.title(profile),
      status,
      ...pointsFor(def.id, status, profile),
      ...(v.code && !v.blockedBy ? { code: v.code } : {}),
      message: redactText(v.message),
      ...(v.hint ? { hint: redactText(v.hint) } : {}),
      evidence: redact(v.evidence ?? ({} as Evidence)),
      ...(v.found !== undefined ? { found: redactText(v.found) } : {}),
      ...(v.expected !== undefined ? { expected: redactText(v.expected) } : {}),
      ...(status === 'fail' ? { outcome: v.outcome ?? 'not-ready' } : {}),
      ...(v.blockedBy ? { blockedBy: v.blockedBy } : {}),
      durationMs,
    });
  };

  // The run is ordered (OrderedChecks): what a check waits for is in `pending` before the check starts.
  for (const def of selection.run) {
    const t0 = Date.now();
    pending.set(
      def.id,
      decide(def).then(async (v) => {
        const result = record(def, v, Date.now() - t0);
        done.set(def.id, result);
        if (selection.report.has(def.id)) await opts.onCheckResult?.(result);
        return result;
      }),
    );
  }

  try {
    const results = await Promise.all(selection.run.map((c) => pending.get(c.id)!));
    const reported = results.filter((r) => selection.report.has(r.id));
    return { result: scoreStudent(target.user, reported, profile, Date.now() - started), stats: session.stats };
  } finally {
    clearTimeout(deadlineTimer);
  }
}

/** What a check does besides waiting for its probes. */
const CHECK_WORK_MS = 5_000;

/**
 * A check's own deadline leaves room for each probe it needs to time out once: with `timeouts.http`
 * above the check deadline, an app that hangs is the HTTP probe's to report (ex6.app.e2e: fail LG-650),
 * not the check's deadline (error LG-002, the student incomplete).
 */
export function checkDeadlineMs(def: CheckDef, baseMs: number, probeTimeoutMs: (kind: ProbeKind) => number): number {
  const probes = def.needs.reduce((sum, kind) => sum + probeTimeoutMs(kind), 0);
  return probes > 0 ? Math.max(baseMs, probes + CHECK_WORK_MS) : baseMs;
}

/** A probe's bound that the student's deadline always cuts first. */
export interface UnreachableTimeout {
  kind: ProbeKind;
  ms: number;
  /** Set by the class config's `timeouts`, rather than the default. */
  configured: boolean;
  /** The longest bound that can still take effect. */
  maxMs: number;
}

/**
 * The first probe bound that can never take effect: a probe call hanging that long, plus a check's own
 * work, outlasts the student's deadline (with the --wait budget), so a hung app would be the deadline's
 * `error` LG-003, the student incomplete, instead of the probe's verdict (a hung app: fail LG-650).
 */
export function timeoutBeyondDeadline(probeTimeoutMs: Partial<Record<ProbeKind, number>>, studentDeadlineMs = DEFAULTS.studentDeadlineMs, waitMs = 0): UnreachableTimeout | undefined {
  const maxMs = studentDeadlineMs + waitMs - CHECK_WORK_MS;
  for (const kind of PROBE_KINDS) {
    const ms = probeTimeoutMs[kind] ?? DEFAULT_PROBE_TIMEOUT_MS;
    if (ms > maxMs) return { kind, ms, configured: probeTimeoutMs[kind] !== undefined, maxMs };
  }
  return undefined;
}

/** A check that could not finish: the grader could not find out, never the student's fault. */
function failureVerdict(err: unknown, deadline: AbortSignal): Verdict {
  if (err instanceof ProbeError) {
    const reason = err instanceof MissingRightError ? ENGINE_REASONS.graderRight : probeReason(err.probe);
    return { status: 'error', code: reason.code, message: err.message, evidence: { probe: err.probe, ...err.detail } };
  }
  // Stryker disable next-line LogicalOperator: the deadline is always aborted with an Error reason, and withTimeout rejects with that same reason, so reason and err are the same error here
  if (deadline.aborted) return { status: 'error', code: ENGINE_REASONS.deadline.code, message: `could not grade: ${errorMessage(deadline.reason ?? err)}`, evidence: {} };
  if (err instanceof TimeoutError) return { status: 'error', code: ENGINE_REASONS.timeout.code, message: `could not grade: ${err.message}`, evidence: {} };
  return { status: 'error', code: ENGINE_REASONS.crashed.code, message: `could not grade: ${errorMessage(err)}`, evidence: {} };
}
