import { error } from '../core/check.js';
import type { Verdict } from '../core/model.js';

/** Placeholder while an exercise's checks are being written: an honest `error`, never a grade. */
export async function notYetImplemented(): Promise<Verdict> {
  return error('this check is not implemented yet in this version of lab-grade');
}
