/**
 * Which failures mean "not done yet": reports, the self-check's checklist and the live dashboard all
 * read them from the reasons' own flag, so an exercise with nothing but those reads `not started` in
 * each of them alike.
 */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../checks/index.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import { reasonCatalogue } from './reasons.js';

describe('the reason catalogue', () => {
  const catalogue = reasonCatalogue();

  it('lists every code of the checks and the engine once, each with the check that reports it', () => {
    const checkCodes = ALL_CHECKS.flatMap((c) => Object.values(c.reasons).map((r) => r.code));
    expect(new Set(checkCodes).size).toBe(checkCodes.length);
    expect(Object.keys(catalogue).sort()).toEqual([...checkCodes, ...Object.values(ENGINE_REASONS).map((r) => r.code)].sort());
    for (const check of ALL_CHECKS) for (const r of Object.values(check.reasons)) expect(catalogue[r.code]).toMatchObject({ check: check.id, summary: r.summary });
  });

  it('marks as "not there yet" what a student has not made: no group, cluster, registry, repository, clone, Deployment, Service, release', () => {
    const absent = Object.keys(catalogue).filter((code) => catalogue[code].absent);
    expect(absent).toEqual(
      expect.arrayContaining(['LG-111', 'LG-201', 'LG-225', 'LG-301', 'LG-302', 'LG-401', 'LG-402', 'LG-422', 'LG-432', 'LG-512', 'LG-601', 'LG-611', 'LG-621', 'LG-631', 'LG-671', 'LG-702']),
    );
    // There, and wrong: another port mapping, a refused pull, another image, a greeting missing from the app's answer.
    for (const code of ['LG-226', 'LG-513', 'LG-602', 'LG-649']) {
      expect(catalogue[code], code).toBeDefined();
      expect(catalogue[code].absent, `${code} ${catalogue[code].summary}`).toBeUndefined();
    }
  });
});
