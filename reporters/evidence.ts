/**
 * A check's evidence as text for reports that show it (HTML, JUnit's system-out): indented JSON, cut
 * at a bound so one huge HTTP body cannot make a report unusable. The JSON report keeps it whole.
 */
import type { CheckResult } from '../core/model.js';
import { bounded } from './text.js';

/** Evidence past this many characters is cut. */
export const EVIDENCE_CAP = 2000;

export function evidenceText(evidence: CheckResult['evidence'], cap = EVIDENCE_CAP): string {
  let text: string;
  try {
    text = JSON.stringify(evidence, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2) ?? '';
  } catch {
    return '(evidence could not be shown: not serialisable)';
  }
  return bounded(text, cap);
}
