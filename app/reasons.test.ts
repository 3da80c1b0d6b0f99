/**
 * Which failures mean "not done yet": reports, the self-check's checklist and the live dashboard all
 * read them from the reasons' own flag, so an exercise with nothing but those reads `not started` in
 * each of them alike.
 */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../checks/index.js';
import { reasonSummary } from '../core/check.js';
import { loadProfile } from '../core/profile.js';
import { BUILTIN_NAMES, variantProfile } from '../test/support/variant-profile.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import { reasonCatalogue } from './reasons.js';

describe('the reason catalogue', () => {
  const lab = loadProfile().expect;
  const catalogue = reasonCatalogue(lab);

  it('lists every code of the checks and the engine once, each with the check that reports it', () => {
    const checkCodes = ALL_CHECKS.flatMap((c) => Object.values(c.reasons).map((r) => r.code));
    expect(new Set(checkCodes).size).toBe(checkCodes.length);
    expect(Object.keys(catalogue).sort()).toEqual([...checkCodes, ...Object.values(ENGINE_REASONS).map((r) => r.code)].sort());
    for (const check of ALL_CHECKS) for (const r of Object.values(check.reasons)) expect(catalogue[r.code]).toMatchObject({ check: check.id, summary: reasonSummary(r, lab) });
  });

  it('marks as "not there yet" what a student has not made: no group, cluster, registry, repository, clone, Deployment, Service, release', () => {
    const absent = Object.keys(catalogue).filter((code) => catalogue[code].absent);
    expect(absent).toEqual(
      expect.arrayContaining(['LG-111', 'LG-201', 'LG-225', 'LG-301', 'LG-302', 'LG-401', 'LG-402', 'LG-422', 'LG-432', 'LG-512', 'LG-601', 'LG-611', 'LG-621', 'LG-631', 'LG-671', 'LG-702']),
    );
    // There, and wrong: another port mapping, a refused pull, another image, a greeting missing from the app's answer.
    const thereAndWrong = { 'LG-226': 'ex2.compose.ports', 'LG-513': 'ex5.pull.authorized', 'LG-602': 'ex6.myapp.deployment', 'LG-649': 'ex6.app.e2e' };
    expect(Object.fromEntries(Object.keys(thereAndWrong).map((code) => [code, catalogue[code]?.check]))).toEqual(thereAndWrong);
    for (const code of Object.keys(thereAndWrong)) expect(catalogue[code].absent, `${code} ${catalogue[code].summary}`).toBeUndefined();
  });

  it("names the objects of the lab graded: a variant's class summary counts its own Deployments, Services and images", () => {
    const variant = reasonCatalogue(variantProfile().expect);
    expect(catalogue['LG-601'].summary).toBe('Deployment myapp not found');
    expect(variant['LG-601'].summary).toBe('Deployment frontend not found');
    expect(catalogue['LG-603'].summary).toBe('Deployment myapp lacks API_BASE_URL=http://myapi:8080');
    expect(variant['LG-603'].summary).toBe('Deployment frontend lacks API_BASE_URL=http://backend:9000, MODE=lab');
    expect(variant['LG-624'].summary).toBe("Service orders's selector misses the backend pods");
    expect(variant['LG-433'].summary).toBe('svc has no v2.1 tag');
    expect(variant['LG-529'].summary).toBe('no shopfront pod exists');
    expect(variant['LG-647'].summary).toBe('posting a greeting fails: frontend cannot reach orders');
    const builtinWords = Object.entries(variant).filter(([, r]) => BUILTIN_NAMES.test(r.summary));
    expect(builtinWords).toEqual([]);
  });
});
