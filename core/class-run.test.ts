import { describe, expect, it } from 'vitest';
import { defineCheck, pass } from './check.js';
import { gradeClass } from './class-run.js';
import { ENGINE_REASONS } from './reasons.js';
import { selectChecks } from './selection.js';
import { profileWith } from '../test/support/profile.js';

const check = defineCheck({ id: 'ex1.only', exercise: 1, title: () => 'only', points: { points: 1 }, needs: [], dependsOn: [], reasons: {}, run: async () => pass('ok') });
const selection = selectChecks([check]);
const targets = [
  { user: 'stuck01', resourceGroup: 'stuck01-rg' },
  { user: 'next02', resourceGroup: 'next02-rg' },
];

describe('gradeClass', () => {
  it("does not let one student's probes that never close hold the pool", async () => {
    const t0 = Date.now();
    const run = await gradeClass(targets, {
      selection,
      profile: profileWith({ 'ex1.only': 1 }),
      openEnvironment: async (t) => ({ probes: {}, close: () => (t.user === 'stuck01' ? new Promise<void>(() => {}) : Promise.resolve()) }),
      listener: {},
      concurrency: 1,
      engine: {},
    });
    expect(run.students.map((s) => [s.user, s.status])).toEqual([
      ['stuck01', 'graded'],
      ['next02', 'graded'],
    ]);
    expect(Date.now() - t0).toBeLessThan(8_000);
  }, 15_000);

  it('grades a student whose set-up throws as incomplete, every check in error, and goes on', async () => {
    const run = await gradeClass(targets, {
      selection,
      profile: profileWith({ 'ex1.only': 1 }),
      openEnvironment: async (t) => {
        if (t.user === 'stuck01') throw new Error('no route to the cluster');
        return { probes: {}, close: async () => {} };
      },
      listener: {},
      concurrency: 2,
      engine: {},
    });
    expect(run.students[0]).toMatchObject({
      status: 'incomplete',
      checks: [{ status: 'error', code: ENGINE_REASONS.notOpened.code, message: 'could not grade this student: no route to the cluster' }],
    });
    expect(run.students[1].status).toBe('graded');
  });
});
