import { describe, expect, it } from 'vitest';
import type { CheckResult, Status } from './model.js';
import { loadProfile } from './profile.js';
import { exitCodeFor, pointsFor, scoreStudent } from './score.js';

const profile = { ...loadProfile(), passMark: 70, bonusCap: 5 };

/** A check of the built-in profile with the points its status earns. */
const check = (id: string, status: Status): CheckResult => ({
  id,
  exercise: Number(/^ex(\d+)/.exec(id)![1]),
  title: id,
  status,
  ...pointsFor(id, status, profile),
  message: status,
  evidence: {},
  durationMs: 1,
});

describe('scoring', () => {
  it('gives a check all its points on pass and none otherwise, bonus apart', () => {
    expect(pointsFor('ex2.compose.ports', 'pass', profile)).toEqual({ points: 2, maxPoints: 2, bonus: false });
    expect(pointsFor('ex2.compose.ports', 'fail', profile)).toEqual({ points: 0, maxPoints: 2, bonus: false });
    expect(pointsFor('ex7.helm.registry', 'pass', profile)).toEqual({ points: 1, maxPoints: 1, bonus: true });
  });

  it('gives a check the profile does not list no points at all', () => {
    expect(pointsFor('ex9.not.in.profile', 'pass', profile)).toEqual({ points: 0, maxPoints: 0, bonus: false });
  });

  it('passes a student at the pass mark and not below it', () => {
    const at = scoreStudent('labuser07', [check('ex2.compose.ports', 'pass'), check('ex2.compose.valid', 'fail')], { ...profile, passMark: 66.7 }, 5);
    expect(at).toMatchObject({ status: 'graded', score: 2, maxScore: 3, percent: 66.7, passed: true });
    const below = scoreStudent('labuser07', [check('ex2.compose.ports', 'fail'), check('ex2.compose.valid', 'pass')], profile, 5);
    expect(below).toMatchObject({ status: 'graded', score: 1, maxScore: 3, percent: 33.3, passed: false });
  });

  it('counts a student with no required points in scope as 100 %, bonus apart', () => {
    expect(scoreStudent('labuser07', [check('ex7.helm.registry', 'pass')], profile, 5)).toMatchObject({ score: 0, maxScore: 0, bonus: 1, percent: 100, passed: true });
  });

  it('is incomplete when a check is in error, and exits 3 before 1', () => {
    const incomplete = scoreStudent('labuser09', [check('ex2.compose.valid', 'pass'), check('ex2.compose.ports', 'error')], profile, 5);
    const failed = scoreStudent('labuser08', [check('ex2.compose.ports', 'fail')], profile, 5);
    expect([incomplete.status, failed.status]).toEqual(['incomplete', 'graded']);
    expect([exitCodeFor([failed, incomplete]), exitCodeFor([failed]), exitCodeFor([])]).toEqual([3, 1, 0]);
  });
});
