import { ALL_CHECKS } from '../../checks/index.js';
import { loadProfile, type LabProfile } from '../../core/profile.js';
import { selectChecks, type Selection } from '../../core/selection.js';

/** The real lab profile with its check points replaced: engine tests use synthetic checks. */
export function profileWith(points: Record<string, number | { bonus: number }>, overrides: Partial<LabProfile> = {}): LabProfile {
  const base = loadProfile();
  const checks = Object.fromEntries(Object.entries(points).map(([id, p]) => [id, typeof p === 'number' ? { points: p, bonus: 0, enabled: true } : { points: 0, bonus: p.bonus, enabled: true }]));
  return { ...base, ...overrides, checks };
}

/** The lab's checks of some exercises, selected as the engine runs them. */
export function checksOf(...exercises: number[]): Selection {
  return selectChecks(ALL_CHECKS.filter((c) => exercises.includes(c.exercise)));
}
