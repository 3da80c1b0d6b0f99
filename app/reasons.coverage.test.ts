/**
 * Every reason code is a branch someone proved, and each check reports only its own: a new failure
 * branch without a test fails here, naming its code.
 *
 * A code counts as proven when a scenario's `expect:` block names it (the scenario tests grade each
 * scenario and compare), or when a test beside a check or the engine (checks/, core/) names it: as a
 * literal (`code: 'LG-421'`) or, for the engine's, as `ENGINE_REASONS.<name>`. A reason table copied
 * into a test (`{ code: 'LG-627', summary: … }`) proves no branch and does not count; neither do the
 * reporters' and the dashboard's tests, which write codes into results they make up.
 */
import { loadProfile } from '../core/profile.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import { packagePath } from '../core/paths.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import { bufferOutput } from '../reporters/replay.js';
import { loadBuiltInClass, loadScenarios, type Scenario } from '../sandbox/scenario.js';
import { runDemo } from './demo.js';
import { NO_NOTICES } from './io.js';
import { reasonCatalogue } from './reasons.js';

const catalogue = reasonCatalogue(loadProfile().expect);
const ENGINE_CODES = new Set(Object.values(ENGINE_REASONS).map((r) => r.code));

/** The codes a test's text asserts: its `LG-nnn` literals outside reason tables, and the engine's reasons it names. */
function assertedCodes(text: string): string[] {
  const literals = [...text.matchAll(/LG-\d{3}\b(?!'?,\s*summary\b)/g)].map((m) => m[0]);
  const engine = [...text.matchAll(/ENGINE_REASONS\.(\w+)/g)].map((m) => ENGINE_REASONS[m[1] as keyof typeof ENGINE_REASONS]?.code).filter((c): c is string => !!c);
  return [...literals, ...engine];
}

/** Every `*.test.ts` below `folder`, relative to the package. */
const testFiles = (folder: string): string[] =>
  readdirSync(packagePath(folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => relative(packagePath(), join(packagePath(folder), f)));

/** Every folder of scenario files below fixtures/scenarios (the built-in class is its top folder). */
const SCENARIO_FOLDERS = [
  'fixtures/scenarios',
  ...readdirSync(packagePath('fixtures/scenarios'), { recursive: true, encoding: 'utf8' })
    .map((f) => join('fixtures/scenarios', f))
    .filter((f) => statSync(packagePath(f)).isDirectory()),
];
const scenarios: Scenario[] = [
  ...loadScenarios(
    SCENARIO_FOLDERS.map((f) => packagePath(f)),
    CHECK_IDS,
  ),
  ...loadBuiltInClass(CHECK_IDS),
];

/** `check code` for every code a scenario's expect: block names. */
const expectedCodes = scenarios.flatMap((s) => Object.entries(s.expectDetail).flatMap(([id, d]) => (d.code ? [{ file: s.file, id, code: d.code }] : [])));

/** A code `check` may report: one of its own reasons, or the engine's. */
const owns = (check: string, code: string) => ENGINE_CODES.has(code) || catalogue[code]?.check === check;

describe('which reason codes a test asserts', () => {
  it('counts literals and the engine reasons named, not a reason table copied into the test', () => {
    const text = [
      "expect(v).toMatchObject({ status: 'fail', code: 'LG-421' });",
      "it.each([['myapp', 'LG-601']])",
      "expect(check.reasons).toEqual({ missing: { code: 'LG-627', summary: 'Service myapi not found' } });",
      "const codes = { missing: 'LG-611', wrongImage: 'LG-612' };",
      'expect(r.checks[0].code).toBe(ENGINE_REASONS.deadline.code);',
    ].join('\n');
    expect(assertedCodes(text)).toEqual(['LG-421', 'LG-601', 'LG-611', 'LG-612', 'LG-003']);
  });
});

describe('every reason code', () => {
  it('is asserted by a test beside a check or the engine, or by a scenario’s expect: block', () => {
    const proven = new Set([...['checks', 'core'].flatMap(testFiles).flatMap((f) => assertedCodes(readFileSync(packagePath(f), 'utf8'))), ...expectedCodes.map((e) => e.code)]);
    const unproven = Object.keys(catalogue)
      .filter((code) => !proven.has(code))
      .map((code) => `${code} (${catalogue[code].check ?? 'engine'}: ${catalogue[code].summary})`);
    expect(unproven).toEqual([]);
  });

  it('named in a scenario’s expect: block is one of that check’s own or the engine’s', () => {
    expect(expectedCodes.length).toBeGreaterThan(50);
    expect(expectedCodes.filter((e) => !owns(e.id, e.code)).map((e) => `${e.file}: ${e.id} expects ${e.code} (${catalogue[e.code]?.check ?? 'no check'}'s)`)).toEqual([]);
  });
});

describe('graded over every scenario of fixtures/scenarios', () => {
  it('each check reports only its own reason codes or the engine’s', async () => {
    const { run } = await runDemo({ concurrency: 16, reports: [{ format: 'json' }] }, SCENARIO_FOLDERS, { stdout: bufferOutput(), notices: NO_NOTICES });
    expect(run.students.length).toBe(
      loadScenarios(
        SCENARIO_FOLDERS.map((f) => packagePath(f)),
        CHECK_IDS,
      ).length,
    );
    const results = run.students.flatMap((s) => s.checks.map((c) => ({ user: s.user, ...c })));
    // Not an empty run: the class reaches some fifty distinct codes.
    expect(new Set(results.map((c) => c.code).filter(Boolean)).size).toBeGreaterThan(40);
    expect(results.filter((c) => c.code && !owns(c.id, c.code)).map((c) => `${c.user} ${c.id}: ${c.code} (${catalogue[c.code!]?.check ?? 'not declared'}'s)`)).toEqual([]);
  }, 180_000);
});
