/**
 * The catalogue's reason codes as reporters need them (reporters never import checks): each code's
 * one-line summary, the check that reports it, and whether it says the thing is not there at all, so
 * an exercise with nothing but those reads `not started` rather than `failing`.
 */
import { ALL_CHECKS } from '../checks/index.js';
import type { CheckDef } from '../core/check.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import type { ReasonInfo } from '../reporters/types.js';

/**
 * The reason names the check families give to "nothing there yet" (no clone, no compose file, no
 * cluster, no registry, no repository, no Deployment or Service, no pod, no release). A name, not a
 * flag on the reason: the families name them this way, and this list is the one place that relies on it.
 */
const ABSENT_NAMES = new Set(['missing', 'none', 'noDir', 'noFile', 'noCluster', 'noRegistry', 'noRepository', 'groupMissing']);

/** The end-to-end check's `missing` is a greeting missing from an answer: the app is there. */
const NOT_ABSENT = new Set(['ex6.app.e2e']);

export function reasonCatalogue(catalogue: readonly CheckDef[] = ALL_CHECKS): Record<string, ReasonInfo> {
  const out: Record<string, ReasonInfo> = {};
  for (const reason of Object.values(ENGINE_REASONS)) out[reason.code] = { summary: reason.summary };
  for (const check of catalogue) {
    for (const [name, reason] of Object.entries(check.reasons)) {
      const absent = ABSENT_NAMES.has(name) && !NOT_ABSENT.has(check.id);
      out[reason.code] = { summary: reason.summary, check: check.id, ...(absent ? { absent } : {}) };
    }
  }
  return out;
}
