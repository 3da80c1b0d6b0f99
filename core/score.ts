/**
 * Scoring as the rubric's Totals say: points of passing checks over the required points in scope,
 * bonus apart and capped, `incomplete` when any check is `error` (never the student's fault).
 */
import type { CheckResult, StudentResult } from './model.js';
import type { LabProfile } from './profile.js';

export function scoreStudent(user: string, checks: CheckResult[], profile: LabProfile, durationMs: number): StudentResult {
  let score = 0;
  let maxScore = 0;
  let bonus = 0;
  for (const c of checks) {
    if (c.bonus) {
      bonus += c.points;
    } else {
      score += c.points;
      maxScore += c.maxPoints;
    }
  }
  bonus = Math.min(bonus, profile.bonusCap);
  const percent = maxScore === 0 ? 100 : Math.round((score / maxScore) * 1000) / 10;
  return {
    user,
    status: checks.some((c) => c.status === 'error') ? 'incomplete' : 'graded',
    score,
    maxScore,
    bonus,
    percent,
    passed: percent >= profile.passMark,
    checks,
    durationMs,
  };
}

/** Points a check's status earns: all of its points on pass, none otherwise. */
export function pointsFor(id: string, status: CheckResult['status'], profile: LabProfile): Pick<CheckResult, 'points' | 'maxPoints' | 'bonus'> {
  const p = profile.checks[id] ?? { points: 0, bonus: 0 };
  const isBonus = p.bonus > 0;
  const maxPoints = isBonus ? p.bonus : p.points;
  return { points: status === 'pass' ? maxPoints : 0, maxPoints, bonus: isBonus };
}

/** Exit codes: 0 every graded student passed, 1 some below the mark, 3 some incomplete (2 is for usage errors). */
export function exitCodeFor(students: readonly StudentResult[]): 0 | 1 | 3 {
  if (students.some((s) => s.status === 'incomplete')) return 3;
  if (students.some((s) => !s.passed)) return 1;
  return 0;
}
