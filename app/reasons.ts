/**
 * The catalogue's reason codes as reporters need them (reporters never import checks): each code's
 * one-line summary, the check that reports it, and whether it says the thing is not there at all, so
 * an exercise with nothing but those reads `not started` rather than `failing`. Summaries name the
 * objects of the lab graded (its profile's expectations).
 */
import { ALL_CHECKS } from '../checks/index.js';
import { reasonSummary, type CheckDef } from '../core/check.js';
import type { LabExpectations } from '../core/profile.js';
import type { AbsentCode } from '../core/progress.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import type { ReasonInfo } from '../reporters/types.js';

export function reasonCatalogue(expect: LabExpectations, catalogue: readonly CheckDef[] = ALL_CHECKS): Record<string, ReasonInfo> {
  const out: Record<string, ReasonInfo> = {};
  for (const reason of Object.values(ENGINE_REASONS)) out[reason.code] = { summary: reasonSummary(reason, expect) };
  for (const check of catalogue) {
    for (const reason of Object.values(check.reasons)) {
      out[reason.code] = { summary: reasonSummary(reason, expect), check: check.id, ...(reason.absent ? { absent: true } : {}) };
    }
  }
  return out;
}

/** The codes that say the thing is not there yet, for views that need no summaries (the dashboard, a student's history). */
export function absentReasonCodes(catalogue: readonly CheckDef[] = ALL_CHECKS): AbsentCode {
  const codes = new Set(catalogue.flatMap((c) => Object.values(c.reasons).flatMap((r) => (r.absent ? [r.code] : []))));
  return (code) => codes.has(code);
}
