import { describe, expect, it } from 'vitest';
import { verdictDifferences, verdictsOf } from './class.js';

const student = (user: string, e2e: string, score = 10) => ({
  user,
  status: 'graded',
  score,
  bonus: 0,
  percent: score * 2,
  checks: [
    { id: 'ex6.app.e2e', status: e2e, points: e2e === 'pass' ? 2 : 0 },
    { id: 'ex7.helm.release', status: 'blocked', points: 0, blockedBy: 'ex7.helm.installed' },
  ],
});

describe('verdictDifferences', () => {
  it('names the student, the field and the check that differ, nothing else', () => {
    const a = verdictsOf([student('ann', 'pass'), student('bob', 'pass')]);
    const b = verdictsOf([student('ann', 'pass'), student('bob', 'fail', 8), student('cat', 'pass')]);
    expect(verdictDifferences(a, a)).toEqual([]);
    expect(verdictDifferences(a, b)).toEqual(['bob score: 10 ≠ 8', 'bob percent: 20 ≠ 16', 'bob: ex6.app.e2e pass 2 ≠ ex6.app.e2e fail 0', 'cat: only in the second run']);
  });
});
