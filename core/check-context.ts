/**
 * The context a check's `run` is called with, built in one place: the engine grades with it, and the
 * test kit's stand-in runs (test/support/check-run.ts) call it too, so a check's unit test sees the
 * context the engine gives it (a fact not declared in `uses` refused alike) and the two cannot drift.
 */
import type { CheckContext, CheckDef, FactName, Facts, ProbesFor } from './check.js';
import type { ProbeKind } from './model.js';
import type { LabProfile } from './profile.js';
import type { Target } from './target.js';

export interface CheckContextParts<N extends ProbeKind> {
  target: Target;
  profile: LabProfile;
  probes: ProbesFor<N>;
  /** The facts checks provided so far, read when the check asks (the engine adds to them as checks finish). */
  facts: Partial<Facts>;
  options: CheckContext['options'];
  signal: AbortSignal;
}

export function checkContext<N extends ProbeKind>(def: CheckDef<N>, { target, profile, probes, facts, options, signal }: CheckContextParts<N>): CheckContext<N> {
  return {
    target,
    profile,
    probes,
    fact: <K extends FactName>(name: K): Facts[K] | undefined => {
      if (!def.uses?.includes(name)) throw new Error(`check ${def.id} reads fact ${name} without declaring it in \`uses\``);
      return facts[name];
    },
    options,
    signal,
  };
}
