/** Exercise states with credit over time, and the one table "not there yet" is read from. */
import { describe, expect, it } from 'vitest';
import type { CheckResult, Status } from './model.js';
import { absentIn, exerciseStandings } from './progress.js';

/** Exercise 6's Services, 2 points each: `myapp` missing now (LG-631), `myapi` missing now (LG-621). */
const service = (id: 'ex6.myapp.service' | 'ex6.myapi.service', status: Status, extra: Partial<CheckResult> = {}): CheckResult => ({
  id,
  exercise: 6,
  title: id,
  status,
  points: status === 'pass' ? 2 : 0,
  maxPoints: 2,
  bonus: false,
  ...(status === 'fail' ? { code: id === 'ex6.myapp.service' ? 'LG-631' : 'LG-621' } : {}),
  message: `${id} is ${status}`,
  evidence: {},
  durationMs: 1,
  ...extra,
});
const EARNED = { earnedAt: '2025-03-01T10:42:00.000Z', earnedRound: 1 };
/** Credited in `earned` mode from that pass: a pass, with what the latest grading found. */
const credited = (id: 'ex6.myapp.service' | 'ex6.myapi.service', now: Status) => service(id, 'pass', { ...EARNED, now: { status: now, message: 'Service not found', evidence: {} } });
const absent = absentIn({ 'LG-621': { absent: true }, 'LG-631': { absent: true }, 'LG-632': {} });
const stateOf = (checks: CheckResult[]) => exerciseStandings(checks, absent).map((e) => e.state);

describe('exercise states with credit over time', () => {
  it('a check that passed at an earlier grading and fails now is failing, though its code says not there (final credit)', () => {
    expect(stateOf([service('ex6.myapp.service', 'fail'), service('ex6.myapi.service', 'pass')])).toEqual(['in progress']);
    expect(stateOf([service('ex6.myapp.service', 'fail', EARNED), service('ex6.myapi.service', 'pass')])).toEqual(['failing']);
    expect(stateOf([service('ex6.myapp.service', 'fail', EARNED), service('ex6.myapi.service', 'fail')])).toEqual(['failing']);
    // Blocked behind it in the same exercise: what it waits on broke.
    const blocked = service('ex6.myapi.service', 'blocked', { blockedBy: 'ex6.myapp.service' });
    expect(stateOf([service('ex6.myapp.service', 'fail', EARNED), blocked])).toEqual(['failing']);
    expect(stateOf([service('ex6.myapp.service', 'fail'), blocked])).toEqual(['not started']);
  });

  it('credited from an earlier pass (earned credit) it counts towards done; in an exercise not done it is what broke', () => {
    expect(stateOf([credited('ex6.myapp.service', 'fail'), service('ex6.myapi.service', 'pass')])).toEqual(['done']);
    expect(stateOf([credited('ex6.myapp.service', 'fail'), credited('ex6.myapi.service', 'fail')])).toEqual(['done']);
    expect(stateOf([credited('ex6.myapp.service', 'fail'), service('ex6.myapi.service', 'fail')])).toEqual(['failing']);
    // Credited but only blocked or unreadable now: nothing of it is known to be broken.
    expect(stateOf([credited('ex6.myapp.service', 'error'), service('ex6.myapi.service', 'fail')])).toEqual(['in progress']);
    expect(stateOf([credited('ex6.myapp.service', 'blocked'), service('ex6.myapi.service', 'fail')])).toEqual(['in progress']);
  });
});

describe('absentIn', () => {
  it("reads the catalogue's absent flag: a code it does not flag, or does not hold, is not absent", () => {
    expect(['LG-621', 'LG-632', 'LG-999', 'constructor', '__proto__'].map(absent)).toEqual([true, false, false, false, false]);
  });
});
