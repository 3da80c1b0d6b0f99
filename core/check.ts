/**
 * The check contract. A check is one typed record (kube-bench style): its id and exercise, a title built
 * from the lab profile, its default points, the probes it needs, the checks it depends on, the facts it
 * provides to or uses from other checks, every reason code it can report, and one `run`.
 * Points in the profile override the defaults, so a variant of the lab changes them without code.
 */
import type { Evidence, ProbeKind } from './model.js';
import type { Probes } from '../probes/types.js';
import type { DefaultPoints, LabExpectations, LabProfile } from './profile.js';

export type { DefaultPoints };
import type { Target } from './target.js';

/**
 * What one check finds and others build on (the cluster Exercise 3 chose, the registry of Exercise 4).
 * Check families declare their facts by augmenting this interface, so `ctx.fact('registry')` is typed.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Facts {}
export type FactName = keyof Facts;

/**
 * A reason's one-line summary: text, or built from what the lab expects where it names the lab's own
 * objects (`Deployment myapp not found` reads `Deployment frontend not found` in a variant of the lab).
 */
export type ReasonSummary = string | ((expect: LabExpectations) => string);

/** A stable reason code (reports carry it, tests assert it, the class summary counts by it) and its one-line summary. */
export interface Reason {
  readonly code: string;
  readonly summary: ReasonSummary;
  /** The student has not done this yet (nothing found), as opposed to done wrong: progress views say "not started". */
  readonly absent?: boolean;
}

/** A reason's summary in the words of the lab graded. */
export const reasonSummary = (reason: Reason, expect: LabExpectations): string => (typeof reason.summary === 'string' ? reason.summary : reason.summary(expect));

/**
 * A check family's reasons as a table: `{ missing: ['LG-601', (e) => `Deployment ${e.app.deployment} not found`, 'absent'] }`
 * (the third element marks a reason that means "not done yet").
 */
export function reasons<const T extends Record<string, readonly [code: string, summary: ReasonSummary, kind?: 'absent']>>(table: T): { readonly [K in keyof T]: Reason } {
  return Object.fromEntries(Object.entries(table).map(([k, [code, summary, kind]]) => [k, { code, summary, ...(kind === 'absent' ? { absent: true } : {}) }])) as { [K in keyof T]: Reason };
}

/**
 * Whether waiting can change a failure: `not-ready` (pods starting, an address pending: `--wait` polls
 * it again, and the student is told to re-run) or `needs-fix` (a wrong port, a missing file: only the
 * student can change it).
 */
export type Outcome = 'needs-fix' | 'not-ready';

/** What a check's `run` returns. `blocked` is never returned by a check: the engine decides it. */
export interface Verdict {
  status: 'pass' | 'fail' | 'error' | 'skipped';
  /** The reason code of every verdict but a pass. */
  code?: string;
  /** Student-facing: what was found and, on failure, what the lab wanted. */
  message: string;
  /** On failure: what to do, naming the lab step ("Exercise 2 step 4: ..."). */
  hint?: string;
  /** Observed values the verdict was decided on (shown in reports, secrets redacted). */
  evidence?: Evidence;
  /** The value found and the value the lab wants, as short text (kube-bench's actual/expected). */
  found?: string;
  expected?: string;
  /** For `fail`: whether waiting can change it (default `not-ready`). */
  outcome?: Outcome;
  /** Values for checks that use them; never reported. */
  facts?: Partial<Facts>;
  /**
   * The check whose failure this one follows from (an image that may not be pulled makes pods wait):
   * when that check did not pass, this one is reported `blocked` by it, the root cause named once; its
   * own message is kept as `evidence.finding`, and its hint dropped (the root cause's hint comes first).
   * Several: the first that did not pass. Each must be one this check depends on or runs after.
   */
  causedBy?: string | readonly string[];
}

/** The probes a check sees: those it declared in `needs` are there (the engine skips the check otherwise). */
export type ProbesFor<N extends ProbeKind> = Readonly<Probes> & { readonly [K in N]-?: NonNullable<Probes[K]> };

export interface CheckContext<N extends ProbeKind = never> {
  readonly target: Target;
  readonly profile: LabProfile;
  /** Memoised, time-bounded probes of this student's environment. */
  readonly probes: ProbesFor<N>;
  /** A fact another check provided (declared in this check's `uses`); undefined when it found none or did not run. */
  fact<K extends FactName>(name: K): Facts[K] | undefined;
  readonly options: {
    allowDisruptive: boolean;
    /** The --wait budget in ms (0: single snapshot). */
    waitMs: number;
    /** Unique per student run: the greeting ex6.app.e2e posts. */
    nonce: string;
  };
  readonly signal: AbortSignal;
}

export interface CheckDef<N extends ProbeKind = ProbeKind> {
  /** Stable id from the rubric, e.g. `ex6.app.e2e`. */
  readonly id: string;
  readonly exercise: number;
  /** Built from the profile's expected values ("The cluster has 3 nodes"). */
  title(profile: LabProfile): string;
  /** What it passes on, in one line of Markdown for the built-in lab: the README's table of the checks (`npm run docs`). */
  readonly passes?: string;
  readonly points: DefaultPoints;
  /** Probes that must be available; otherwise the check is `skipped` with the reason. */
  readonly needs: readonly N[];
  /** Checks that must pass (or be skipped) first; if one fails, errors or is blocked, this is `blocked`. */
  readonly dependsOn: readonly string[];
  /** Checks that must have finished first, whatever their status (ordering only). */
  readonly after?: readonly string[];
  /** Facts this check sets in its verdicts. */
  readonly provides?: readonly FactName[];
  /** Facts this check reads: it runs after their provider when the provider is in the run. */
  readonly uses?: readonly FactName[];
  /** Changes the student's environment: runs only with --allow-disruptive. */
  readonly disruptive?: boolean;
  /** Every reason this check can report, for listings and the uniqueness of codes. */
  readonly reasons: Readonly<Record<string, Reason>>;
  run(ctx: CheckContext<N>): Promise<Verdict>;
}

/** Keeps the probe kinds of `needs` in the type of `run`'s context. */
export function defineCheck<const N extends ProbeKind = never>(def: CheckDef<N>): CheckDef<N> {
  return def;
}

export interface PassDetails {
  found?: string;
  expected?: string;
  facts?: Partial<Facts>;
}

export interface FailDetails extends PassDetails {
  evidence?: Evidence;
  outcome?: Outcome;
  /** See Verdict.causedBy. */
  causedBy?: string | readonly string[];
}

export const pass = (message: string, evidence: Evidence = {}, details: PassDetails = {}): Verdict => ({ status: 'pass', message, evidence, ...details });

export function fail(reason: Reason, message: string, hint: string, details: FailDetails = {}): Verdict {
  const { evidence = {}, outcome = 'not-ready', ...rest } = details;
  return { status: 'fail', code: reason.code, message, hint, evidence, outcome, ...rest };
}

export const skip = (reason: Reason, message: string, evidence: Evidence = {}): Verdict => ({ status: 'skipped', code: reason.code, message, evidence });

export const error = (reason: Reason, message: string, evidence: Evidence = {}, details: PassDetails = {}): Verdict => ({
  status: 'error',
  code: reason.code,
  message,
  evidence,
  ...details,
});
