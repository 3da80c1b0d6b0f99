import { loadProfile, type LabProfile } from '../../core/profile.js';

/** The real lab profile with its check points replaced: engine tests use synthetic checks. */
export function profileWith(points: Record<string, number | { bonus: number }>, overrides: Partial<LabProfile> = {}): LabProfile {
  const base = loadProfile();
  const checks = Object.fromEntries(
    Object.entries(points).map(([id, p]) => [id, typeof p === 'number' ? { points: p, bonus: 0 } : { points: 0, bonus: p.bonus }]),
  );
  return { ...base, ...overrides, checks };
}
