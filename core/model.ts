/**
 * The result model: what a check is, what it returns, and what the engine reports.
 * The JSON reporter serialises these shapes as they are (see reporters/result.schema.json).
 */

export const STATUSES = ['pass', 'fail', 'blocked', 'error', 'skipped'] as const;
export type Status = (typeof STATUSES)[number];

/** The adapters a check may need; the engine skips a check whose probe is unavailable for a student. */
export const PROBE_KINDS = ['vm', 'azure', 'registry', 'kube', 'http'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** Observed values a verdict was decided on. Secrets are redacted before anything is reported. */
export type Evidence = Record<string, unknown>;

/** What a check's `run` returns. `blocked` is never returned by a check: the engine decides it. */
export interface Verdict {
  status: 'pass' | 'fail' | 'error' | 'skipped';
  /** Student-facing: what was found and, on failure, what the lab wanted. */
  message: string;
  /** On failure: what to do, naming the lab step ("Exercise 2 step 4: ..."). */
  hint?: string;
  evidence?: Evidence;
  /**
   * Under `--wait`, a failing check is polled again until it passes or the budget ends.
   * `final: true` says waiting cannot change the answer (a wrong port mapping, a missing file).
   */
  final?: boolean;
}

export interface CheckResult {
  id: string;
  exercise: number;
  title: string;
  status: Status;
  points: number;
  maxPoints: number;
  bonus: boolean;
  message: string;
  hint?: string;
  evidence: Evidence;
  /** For `blocked`: the root cause, the first failing check up the dependency chain. */
  blockedBy?: string;
  durationMs: number;
}

export type StudentStatus = 'graded' | 'incomplete';

export interface StudentResult {
  user: string;
  status: StudentStatus;
  /** Required points earned (bonus apart). */
  score: number;
  /** Required points available. */
  maxScore: number;
  /** Bonus points earned, capped by the profile. */
  bonus: number;
  /** score / maxScore × 100, rounded to one decimal. */
  percent: number;
  /** percent at or above the profile's pass mark (not final while incomplete). */
  passed: boolean;
  checks: CheckResult[];
  durationMs: number;
}

export interface RunResult {
  lab: string;
  generatedAt: string;
  grader: { version: string };
  students: StudentResult[];
}
