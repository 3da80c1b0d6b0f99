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

export interface CheckResult {
  id: string;
  exercise: number;
  title: string;
  status: Status;
  points: number;
  maxPoints: number;
  bonus: boolean;
  /** The stable reason code of every result but a pass (`blocked` ones carry their root cause's in `blockedBy`). */
  code?: string;
  message: string;
  hint?: string;
  evidence: Evidence;
  /** The value found and the value the lab wants, as short text. */
  found?: string;
  expected?: string;
  /** For `fail`: whether waiting can change it. */
  outcome?: 'needs-fix' | 'not-ready';
  /** For `blocked`: the root cause, the first failing check up the dependency chain. */
  blockedBy?: string;
  durationMs: number;
  /** Credit over time only (a class graded in rounds): when this check first passed (ISO), and in which round. */
  earnedAt?: string;
  earnedRound?: number;
  /** Credit over time, `earned` mode: a check credited from an earlier pass that does not pass now, as the latest grading found it. */
  now?: CheckNow;
}

/** What the latest grading found of a check credited from an earlier pass. */
export interface CheckNow {
  status: Status;
  message: string;
  hint?: string;
  evidence: Evidence;
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
  /** Credit over time only: how the student was scored (`earned` or `final`), and their latest grading's time (ISO) and round. */
  credit?: 'earned' | 'final';
  gradedAt?: string;
  round?: number;
}

export interface RunResult {
  lab: string;
  generatedAt: string;
  grader: { version: string };
  /** `--shard I/N`: this run graded the I-th of N slices of the roster (1-based). */
  shard?: { index: number; count: number };
  students: StudentResult[];
  /**
   * A class run holds its students without evidence and reads each back whole through this (see
   * core/result-spool.ts); reports that show evidence go through `wholeStudents(run)`.
   */
  readBack?(student: StudentResult): StudentResult;
}
