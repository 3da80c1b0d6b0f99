/**
 * A scenario's `expect:` block against what the grader reported: the status of each check, and where
 * the block says so, its reason code (`fail LG-513`) or the root cause of a `blocked` (`blocked by …`).
 */
import type { CheckResult } from '../../core/model.js';
import type { Scenario } from '../../sandbox/scenario.js';

/** How the expect: block writes a verdict, as detailed as the block is for that check. */
export function expected(s: Scenario, id: string): string {
  const d = s.expectDetail[id];
  return [s.expect[id], d?.code, d?.blockedBy && `by ${d.blockedBy}`].filter(Boolean).join(' ');
}

/** The grader's verdict, written as the expect: block writes it for that check. */
export function reported(s: Scenario, id: string, c: CheckResult | undefined): string {
  if (!c) return 'not reported';
  const d = s.expectDetail[id];
  return [c.status, d?.code && (c.code ?? 'no code'), d?.blockedBy && `by ${c.blockedBy ?? 'nothing'}`].filter(Boolean).join(' ');
}

/** `id: expected X, got Y (message)` for every check that differs (of `only`, when given). */
export function mismatches(s: Scenario, checks: readonly CheckResult[], only?: ReadonlySet<string>): string[] {
  const by = new Map(checks.map((c) => [c.id, c]));
  return Object.keys(s.expect)
    .filter((id) => !only || only.has(id))
    .filter((id) => reported(s, id, by.get(id)) !== expected(s, id))
    .map((id) => `${s.user} ${id}: expected ${expected(s, id)}, got ${reported(s, id, by.get(id))} (${by.get(id)?.message ?? ''})`);
}
