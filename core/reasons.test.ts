/**
 * The engine's own reason codes where it gives them: a probe that could not find out is the grader's
 * error with that probe's code (LG-011 to LG-015), a student the pre-flight could not reach has every
 * check in error with LG-005. (LG-001 to LG-004, LG-021 and LG-022: engine.test.ts, class-run.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { defineCheck, pass, type Verdict } from './check.js';
import { gradeClass } from './class-run.js';
import { gradeStudent } from './engine.js';
import type { ProbeKind } from './model.js';
import { selectChecks } from './selection.js';
import { ProbeError } from '../probes/types.js';
import { profileWith } from '../test/support/profile.js';

const target = { user: 'labuser07', resourceGroup: 'labuser07-rg' };
/** A check of exercise 1 that reads nothing and answers `run`. */
const check = (id: string, run: () => Promise<Verdict>) => defineCheck({ id, exercise: 1, title: () => id, points: { points: 1 }, needs: [], dependsOn: [], reasons: {}, run });

describe('the engine’s reason codes', () => {
  it.each<[ProbeKind, string]>([
    ['vm', 'LG-011'],
    ['azure', 'LG-012'],
    ['registry', 'LG-013'],
    ['kube', 'LG-014'],
    ['http', 'LG-015'],
  ])('a probe of the %s that could not find out is the error %s, with its detail as evidence', async (probe, code) => {
    const failing = check('ex1.reads', async () => {
      throw new ProbeError(probe, `${probe}: no answer in time`, { timeoutMs: 100 });
    });
    const { result } = await gradeStudent(target, selectChecks([failing]), { probes: {} }, profileWith({ 'ex1.reads': 1 }));
    expect(result.checks[0]).toMatchObject({ status: 'error', code, evidence: { probe, timeoutMs: 100 } });
  });

  it('a student the pre-flight could not reach is not contacted: every check is the error LG-005, the student incomplete', async () => {
    let opened = 0;
    const run = await gradeClass([target, { user: 'labuser08', resourceGroup: 'labuser08-rg' }], {
      selection: selectChecks([check('ex1.a', async () => pass('ok')), check('ex1.b', async () => pass('ok'))]),
      profile: profileWith({ 'ex1.a': 1, 'ex1.b': 1 }),
      openEnvironment: async () => (opened++, { probes: {}, close: async () => {} }),
      listener: {},
      concurrency: 2,
      engine: {},
      unreachable: new Map([['labuser07', 'SSH port labuser07-lab.westeurope.cloudapp.azure.com:22: connect ECONNREFUSED']]),
    });
    expect(run.students[0]).toMatchObject({ user: 'labuser07', status: 'incomplete' });
    expect(run.students[0].checks.map((c) => [c.id, c.status, c.code])).toEqual([
      ['ex1.a', 'error', 'LG-005'],
      ['ex1.b', 'error', 'LG-005'],
    ]);
    expect(run.students[1]).toMatchObject({ user: 'labuser08', status: 'graded' });
    expect(opened).toBe(1);
  });
});
