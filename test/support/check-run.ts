/**
 * Running one check's `run` on stand-in probes, without the engine or the catalogue: a check's own test
 * imports only its module, so a mutant that breaks another check's module cannot stop it from loading.
 * The context is built by the engine's own function (core/check-context.ts): a fact the check did not
 * declare in `uses` is refused, as the engine refuses it.
 */
import type { CheckContext, CheckDef, Facts, ProbesFor, Verdict } from '../../core/check.js';
import { checkContext } from '../../core/check-context.js';
import type { ProbeKind } from '../../core/model.js';
import { loadProfile, type LabProfile } from '../../core/profile.js';
import type { Target } from '../../core/target.js';
import type { Probes } from '../../probes/types.js';

/** The student the stand-in runs grade. */
export const STUDENT: Target = { user: 'labuser07', resourceGroup: 'labuser07-rg' };

export interface StandInRun {
  /** The facts earlier checks provided. */
  facts?: Partial<Facts>;
  profile?: LabProfile;
  target?: Target;
  options?: Partial<CheckContext['options']>;
  signal?: AbortSignal;
}

let labProfile: LabProfile | undefined;

/** Runs `check` for labuser07 on `probes`, with the context the engine gives it (no deadline, no polling). */
export function runWith<N extends ProbeKind>(check: CheckDef<N>, probes: Probes, run: StandInRun = {}): Promise<Verdict> {
  return check.run(
    checkContext(check, {
      target: run.target ?? STUDENT,
      profile: run.profile ?? (labProfile ??= loadProfile()),
      probes: probes as ProbesFor<N>,
      facts: run.facts ?? {},
      options: { allowDisruptive: false, waitMs: 0, nonce: 'n', ...run.options },
      signal: run.signal ?? new AbortController().signal,
    }),
  );
}
