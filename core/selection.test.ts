import { describe, expect, it } from 'vitest';
import { reasons, reasonSummary, type CheckDef } from './check.js';
import { loadProfile } from './profile.js';
import { orderCatalogue, selectChecks } from './selection.js';
import { ALL_CHECKS } from '../checks/index.js';
import { didYouMean } from './suggest.js';

const check = (id: string, more: Partial<CheckDef> = {}): CheckDef => ({
  id,
  exercise: 1,
  title: () => id,
  points: { points: 1 },
  needs: [],
  dependsOn: [],
  reasons: {},
  run: async () => ({ status: 'pass', message: 'ok' }),
  ...more,
});

describe('the check catalogue', () => {
  it('orders every check after what it depends on, follows and uses, keeping the registry order otherwise', () => {
    const ordered = orderCatalogue([check('ex1.c', { dependsOn: ['ex1.b'] }), check('ex1.a'), check('ex1.b', { uses: ['registry'] }), check('ex1.d', { provides: ['registry'] })]).map((c) => c.id);
    expect(ordered).toEqual(['ex1.d', 'ex1.b', 'ex1.c', 'ex1.a']);
  });

  it.each([
    ['an unknown dependency', [check('ex1.a', { dependsOn: ['ex1.zz'] })], 'ex1.a depends on unknown check ex1.zz'],
    ['a cycle', [check('ex1.a', { dependsOn: ['ex1.b'] }), check('ex1.b', { after: ['ex1.a'] })], 'dependency cycle ex1.a -> ex1.b -> ex1.a'],
    ['a duplicate id', [check('ex1.a'), check('ex1.a')], 'duplicate check id ex1.a'],
    ['a fact nobody provides', [check('ex1.a', { uses: ['helmRelease'] })], 'ex1.a uses fact helmRelease, which no check provides'],
    ['two providers of a fact', [check('ex1.a', { provides: ['cluster'] }), check('ex1.b', { provides: ['cluster'] })], 'fact cluster is provided by both ex1.a and ex1.b'],
    [
      'a reason code of two checks',
      [check('ex1.a', { reasons: reasons({ x: ['LG-999', 'x'] }) }), check('ex1.b', { reasons: reasons({ y: ['LG-999', 'y'] }) })],
      'reason code LG-999 is used by both ex1.a and ex1.b',
    ],
  ])('refuses %s, naming it', (_what, catalogue, message) => {
    expect(() => orderCatalogue(catalogue)).toThrow(message);
  });

  it('the lab catalogue is valid: unique ids and codes, every code LG-<exercise><nn>', () => {
    const lab = loadProfile().expect;
    expect(() => orderCatalogue(ALL_CHECKS)).not.toThrow();
    for (const c of ALL_CHECKS) {
      for (const r of Object.values(c.reasons)) {
        expect(r.code, c.id).toMatch(new RegExp(`^LG-${c.exercise}\\d\\d$`));
        expect(reasonSummary(r, lab).length, r.code).toBeGreaterThan(5);
      }
    }
  });

  it('--only selects an exercise, a prefix or an id, and runs what they depend on', () => {
    const s = selectChecks(ALL_CHECKS, ['ex6.app.e2e']);
    expect([...s.report]).toEqual(['ex6.app.e2e']);
    expect(s.run.map((c) => c.id)).toEqual(expect.arrayContaining(['ex6.myapp.service', 'ex5.kube.reachable', 'ex6.app.e2e']));
    expect(() => selectChecks(ALL_CHECKS, ['ex9'])).toThrow(/unknown check or exercise "ex9"/);
  });

  it('a mistyped --only gets the closest check, prefix or exercise, not the list of every id', () => {
    const message = (only: string) => {
      try {
        selectChecks(ALL_CHECKS, [only]);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`--only ${only} was accepted`);
    };
    expect(message('ex6.ap.e2e')).toContain(didYouMean('ex6.ap.e2e', ['ex6.app.e2e']));
    expect(message('ex6.ap')).toContain(didYouMean('ex6.ap', ['ex6.app']));
    expect(message('ex9')).not.toContain('ex6.app.e2e');
  });

  it('--only runs the providers of the facts a selected check reads, so it decides as in a full run', () => {
    // The Service check names the student's registry (Exercise 4's fact) in its Helm hint.
    const s = selectChecks(ALL_CHECKS, ['ex6.myapp.service']);
    expect([...s.report]).toEqual(['ex6.myapp.service']);
    expect(s.run.map((c) => c.id)).toEqual(expect.arrayContaining(['ex4.registry.exists', 'ex3.cluster.exists']));
    // Only what it depends on or reads: another exercise's checks stay out.
    expect(s.run.map((c) => c.id)).not.toContain('ex2.compose.valid');
  });
});
