/**
 * The catalogue's reason codes as reporters need them (reporters never import checks): each code's
 * one-line summary, the check that reports it, and whether it says the thing is not there at all, so
 * an exercise with nothing but those reads `not started` rather than `failing`.
 */
import { ALL_CHECKS } from '../checks/index.js';
import type { CheckDef } from '../core/check.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import type { ReasonInfo } from '../reporters/types.js';

export function reasonCatalogue(catalogue: readonly CheckDef[] = ALL_CHECKS): Record<string, ReasonInfo> {
  const out: Record<string, ReasonInfo> = {};
  for (const reason of Object.values(ENGINE_REASONS)) out[reason.code] = { summary: reason.summary };
  for (const check of catalogue) {
    for (const reason of Object.values(check.reasons)) {
      out[reason.code] = { summary: reason.summary, check: check.id, ...(reason.absent ? { absent: true } : {}) };
    }
  }
  return out;
}
