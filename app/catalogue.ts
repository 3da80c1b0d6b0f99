/**
 * The checks a lab profile keeps on: `checks.<id>.enabled: false` leaves a check out of the run, the
 * reports and the score (the profile has made sure no check still on needs it). A check that only
 * waits for one switched off (`after`) no longer waits.
 */
import { ALL_CHECKS } from '../checks/index.js';
import type { CheckDef } from '../core/check.js';
import type { LabProfile } from '../core/profile.js';

export function checksInForce(profile: LabProfile, catalogue: readonly CheckDef[] = ALL_CHECKS): CheckDef[] {
  const on = (id: string) => profile.checks[id]?.enabled !== false;
  return catalogue.filter((c) => on(c.id)).map((c) => (c.after?.some((a) => !on(a)) ? { ...c, after: c.after.filter(on) } : c));
}
