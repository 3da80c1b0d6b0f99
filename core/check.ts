/**
 * A check is a small typed value (kube-bench style): identity, what it needs, and one `run`.
 * Points are not here: they are data in the lab profile, so a variant of the lab changes them
 * without touching code.
 */
import type { Evidence, ProbeKind, Verdict } from './model.js';
import type { Probes } from '../probes/types.js';
import type { LabProfile } from './profile.js';
import type { Target } from './target.js';

export interface CheckContext {
  readonly target: Target;
  readonly profile: LabProfile;
  /** Memoised, time-bounded probes of this student's environment. */
  readonly probes: Probes;
  /** The evidence of a dependency that passed (e.g. the registry ex4.registry.exists chose). */
  evidenceOf(checkId: string): Evidence | undefined;
  /** Status of a check that already ran (dependencies and `after` checks), else undefined. */
  statusOf(checkId: string): string | undefined;
  readonly options: {
    allowDisruptive: boolean;
    /** The --wait budget in ms (0: single snapshot). */
    waitMs: number;
    /** Unique per student run: the greeting ex6.app.e2e posts. */
    nonce: string;
  };
  readonly signal: AbortSignal;
}

export interface CheckDef {
  /** Stable id from the rubric, e.g. `ex6.app.e2e`. */
  id: string;
  exercise: number;
  title: string;
  /** Probes that must be available; otherwise the check is `skipped` with the reason. */
  needs: ProbeKind[];
  /** Checks that must pass (or be skipped) first; if one fails, errors or is blocked, this is `blocked`. */
  dependsOn: string[];
  /** Checks that must have finished first, whatever their status (ordering only). */
  after?: string[];
  /** Changes the student's environment: runs only with --allow-disruptive. */
  disruptive?: boolean;
  run(ctx: CheckContext): Promise<Verdict>;
}

// Small constructors keep check modules terse and uniform.
export const pass = (message: string, evidence: Evidence = {}): Verdict => ({ status: 'pass', message, evidence });
export const fail = (message: string, hint: string, evidence: Evidence = {}, final = false): Verdict => ({
  status: 'fail',
  message,
  hint,
  evidence,
  final,
});
export const skip = (message: string, evidence: Evidence = {}): Verdict => ({ status: 'skipped', message, evidence });
export const error = (message: string, evidence: Evidence = {}): Verdict => ({ status: 'error', message, evidence });
