import { describe, expect, it } from 'vitest';
import { scoreStudent } from '../core/score.js';
import { PROFILE, at, exercisesPassing, student } from '../test/support/live-class.js';
import { CreditBook, recordEntry, scoreCredit, scoreStudentCredit } from './credit.js';

const utcClock = (iso: string) => iso.slice(11, 16);
const EX1_TO_6 = exercisesPassing(1, 2, 3, 4, 5, 6).filter((id) => id !== 'ex6.selfheal');

describe('earned credit', () => {
  it('keeps the first pass of each check (time, round, message, evidence) and the latest result', () => {
    const book = new CreditBook();
    book.ingest({ round: 1, at: at(0), student: student('u1', ['ex1.vm.reachable']) });
    const passing = student('u1', ['ex1.vm.reachable', 'ex1.docker.installed'], { 'ex1.docker.installed': { status: 'pass', message: 'Docker version 24.0.7', evidence: { version: '24.0.7' } } });
    book.ingest({ round: 2, at: at(5), student: passing });
    const later = student('u1', ['ex1.vm.reachable', 'ex1.docker.installed'], { 'ex1.docker.installed': { status: 'pass', message: 'Docker version 25.0.0', evidence: { version: '25' } } });
    const credit = book.ingest({ round: 3, at: at(9), student: later });
    expect(credit.earned.get('ex1.vm.reachable')).toMatchObject({ at: at(0), round: 1 });
    expect(credit.earned.get('ex1.docker.installed')).toEqual({ at: at(5), round: 2, message: 'Docker version 24.0.7', evidence: { version: '24.0.7' } });
    expect(credit.latest).toBe(later);
    expect(credit).toMatchObject({ latestAt: at(9), latestRound: 3, firstAt: at(0), lastProgressAt: at(5) });
    expect(credit.earned.has('ex1.docker.usable')).toBe(false);
  });

  it('takes the earliest pass and the latest result whatever order the entries come in', () => {
    const late = { round: 4, at: at(30), student: student('u1', ['ex3.cluster.exists']) };
    const early = { round: 2, at: at(10), student: student('u1', ['ex3.cluster.exists', 'ex4.registry.exists']) };
    const c = recordEntry(recordEntry(undefined, late), early);
    expect(c.earned.get('ex3.cluster.exists')?.at).toBe(at(10));
    expect(c.earned.get('ex4.registry.exists')?.at).toBe(at(10));
    expect(c.latest).toBe(late.student);
    expect(c.firstAt).toBe(at(10));
    expect(c.lastProgressAt).toBe(at(10));
  });

  it('earned: a check that passed and fails now still counts, and says both', () => {
    const book = new CreditBook();
    book.ingest({ round: 1, at: at(42), student: student('u1', EX1_TO_6) });
    // Exercise 7 step 2 deletes the Services of Exercise 6; the Helm install then fails.
    const torn = student(
      'u1',
      EX1_TO_6.filter((id) => !/service|e2e/.test(id)),
      {
        'ex6.myapp.service': { status: 'fail', message: 'Service myapp not found', hint: 'Exercise 6: kubectl apply -f myapp.yaml' },
      },
    );
    const credit = book.ingest({ round: 2, at: at(70), student: torn });
    const earned = scoreStudentCredit(credit, PROFILE, 'earned', utcClock);
    const service = earned.checks.find((c) => c.id === 'ex6.myapp.service')!;
    expect(service).toMatchObject({ status: 'pass', points: 2, maxPoints: 2, earnedAt: at(42), earnedRound: 1, message: 'earned 10:42, failing now: Service myapp not found' });
    expect(service.evidence).toEqual({ seen: 'ex6.myapp.service at pass' });
    expect(service.now).toEqual({ status: 'fail', message: 'Service myapp not found', hint: 'Exercise 6: kubectl apply -f myapp.yaml', evidence: {} });
    const e2e = earned.checks.find((c) => c.id === 'ex6.app.e2e')!;
    expect(e2e).toMatchObject({ status: 'pass', points: 3, message: 'earned 10:42, blocked now: blocked by ex6.myapp.service' });
    expect(e2e.blockedBy).toBeUndefined();
    expect(earned).toMatchObject({ credit: 'earned', score: 34, maxScore: 34, status: 'graded', passed: true, gradedAt: at(70), round: 2 });

    const final = scoreStudentCredit(credit, PROFILE, 'final', utcClock);
    const finalService = final.checks.find((c) => c.id === 'ex6.myapp.service')!;
    expect(finalService).toMatchObject({ status: 'fail', points: 0, message: 'Service myapp not found', earnedAt: at(42) });
    expect(finalService.now).toBeUndefined();
    expect(final.score).toBe(34 - 2 - 1 - 3);
    expect(final.credit).toBe('final');
  });

  it('error or blocked after an earned pass keeps the credit; incomplete only for an error of a check never passed', () => {
    const book = new CreditBook();
    book.ingest({ round: 1, at: at(0), student: student('u1', ['ex3.cluster.exists', 'ex3.cluster.healthy']) });
    const unreachable = student('u1', [], { 'ex3.cluster.exists': 'error' });
    const credit = book.ingest({ round: 2, at: at(5), student: unreachable });
    const earned = scoreStudentCredit(credit, PROFILE, 'earned', utcClock);
    expect(earned.checks.find((c) => c.id === 'ex3.cluster.exists')).toMatchObject({ status: 'pass', points: 2, message: expect.stringMatching(/^earned 10:00, could not check now: /) });
    expect(earned.checks.find((c) => c.id === 'ex3.cluster.healthy')).toMatchObject({ status: 'pass', points: 1, now: { status: 'blocked' } });
    expect(earned.status).toBe('graded');
    expect(scoreStudentCredit(credit, PROFILE, 'final').status).toBe('incomplete');

    // ex3.cluster.nodes never passed and now errs: the grader could not find out.
    const nodesUnknown = student('u1', ['ex3.cluster.exists', 'ex3.cluster.healthy'], { 'ex3.cluster.nodes': 'error' });
    const again = book.ingest({ round: 3, at: at(9), student: nodesUnknown });
    expect(scoreStudentCredit(again, PROFILE, 'earned').status).toBe('incomplete');
  });

  it('one snapshot scores as the grader scores it, in both modes; bonus is capped by the profile', () => {
    const everything = student('u1', exercisesPassing(1, 2, 3, 4, 5, 6, 7), { 'ex6.selfheal': 'pass' });
    const plain = scoreStudent('u1', everything.checks, PROFILE, 100);
    const credit = recordEntry(undefined, { round: 1, at: at(0), student: everything });
    for (const mode of ['earned', 'final'] as const) {
      const s = scoreStudentCredit(credit, PROFILE, mode);
      expect({ score: s.score, maxScore: s.maxScore, bonus: s.bonus, percent: s.percent, status: s.status }).toEqual({
        score: plain.score,
        maxScore: plain.maxScore,
        bonus: plain.bonus,
        percent: plain.percent,
        status: plain.status,
      });
    }
    const capped = scoreCredit(credit.earned, everything, { ...PROFILE, bonusCap: 2 }, 'earned');
    expect(capped.bonus).toBe(2);
  });

  it('points come from the profile, so a variant with other points scores earned checks with its points', () => {
    const credit = recordEntry(undefined, { round: 1, at: at(0), student: student('u1', ['ex3.cluster.exists']) });
    const later = student('u1', [], { 'ex3.cluster.exists': 'fail' });
    const variant = { ...PROFILE, checks: { ...PROFILE.checks, 'ex3.cluster.exists': { points: 5, bonus: 0, enabled: true } } };
    const s = scoreCredit(credit.earned, later, variant, 'earned');
    expect(s.checks.find((c) => c.id === 'ex3.cluster.exists')).toMatchObject({ status: 'pass', points: 5, maxPoints: 5 });
  });
});
