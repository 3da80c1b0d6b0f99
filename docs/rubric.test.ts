/**
 * docs/rubric.md says what the code does: its generated tables are what `npm run docs` writes from the
 * catalogue and the built-in profile (titles, points, dependencies, reason codes), and its hand-written
 * sections describe every check under its exercise and name every reason code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, CHECK_IDS } from '../checks/index.js';
import { packagePath } from '../core/paths.js';
import { loadProfile } from '../core/profile.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import { factProviders } from '../core/selection.js';
import { loadScenarios } from '../sandbox/scenario.js';
import { generatedRegions, README_FILE, readmeRegions, regionNames, RUBRIC_FILE, withGeneratedRegions } from './rubric.js';

const page = readFileSync(RUBRIC_FILE, 'utf8');
/** Every scenario whose verdicts a test asserts: the built-in class, the Kubernetes and the realism ones. */
const SCENARIO_FOLDERS = ['fixtures/scenarios', 'fixtures/scenarios/kube', 'fixtures/scenarios/realism'];
/** The page without its generated regions: what a person wrote. */
const handWritten = page.replace(/<!-- generated: \w+ \(npm run docs\) -->\n[\s\S]*?<!-- end generated -->/g, '');

/** The check ids of the hand-written tables, by the exercise heading they are under. */
function describedChecks(): Map<string, number> {
  const found = new Map<string, number>();
  let exercise = 0;
  for (const line of handWritten.split('\n')) {
    const heading = /^## Exercise (\d)\b/.exec(line);
    if (heading) exercise = Number(heading[1]);
    else if (line.startsWith('## ')) exercise = 0;
    const row = /^\| `(ex\d\.[\w.]+)`/.exec(line);
    if (row && exercise) {
      expect(found.has(row[1]), `${row[1]} is described twice`).toBe(false);
      found.set(row[1], exercise);
    }
  }
  return found;
}

describe('docs/rubric.md', () => {
  it('has the tables npm run docs writes from the code (run it after changing a check, its points or its reasons)', () => {
    expect(regionNames(page)).toEqual(['checks', 'reasons']);
    expect(page).toBe(withGeneratedRegions(page));
  });

  it('describes every check of the catalogue under its exercise, and no other', () => {
    expect(Object.fromEntries(describedChecks())).toEqual(Object.fromEntries(ALL_CHECKS.map((c) => [c.id, c.exercise])));
  });

  it('names every reason code in the hand-written text, beside the table', () => {
    const codes = [...Object.values(ENGINE_REASONS), ...ALL_CHECKS.flatMap((c) => Object.values(c.reasons))].map((r) => r.code);
    const unnamed = codes.filter((code) => !handWritten.includes(code));
    expect(unnamed).toEqual([]);
    const unknown = [...new Set(handWritten.match(/LG-\d{3}/g))].filter((code) => !codes.includes(code));
    expect(unknown).toEqual([]);
  });

  it("says in a check's rows, here and in the README, each check it runs after without depending on it that a scenario reports it blocked by", () => {
    // The scenarios give the verdicts these pages state; a block by a check that is no dependency
    // (ex5.pull.authorized by ex5.kube.reachable when no role decides and the cluster is stopped, ex6.app.e2e
    // by ex6.myapp.deployment) is one a reader cannot guess from the table of dependencies.
    const rubricRow = (id: string) => handWritten.split('\n').find((line) => line.startsWith(`| \`${id}\` |`) || line.startsWith(`| \`${id}\` (`)) ?? '';
    // What it runs after (`after`, and the checks providing the facts it uses), but does not depend on, even through another check.
    const providers = factProviders(ALL_CHECKS);
    const byId = new Map(ALL_CHECKS.map((c) => [c.id, c]));
    const dependencies = (id: string): string[] => (byId.get(id)?.dependsOn ?? []).flatMap((d) => [d, ...dependencies(d)]);
    const runsOnlyAfter = (id: string) => {
      const c = byId.get(id);
      const waits = [...(c?.after ?? []), ...(c?.uses ?? []).map((f) => providers.get(f) ?? '')];
      return new Set(waits.filter((w) => w && !dependencies(id).includes(w)));
    };
    const readmeRow = (id: string) => ALL_CHECKS.find((c) => c.id === id)?.passes ?? '';
    const unsaid = new Set<string>();
    for (const folder of SCENARIO_FOLDERS) {
      for (const s of loadScenarios([packagePath(folder)], CHECK_IDS)) {
        for (const [id, { blockedBy }] of Object.entries(s.expectDetail)) {
          if (!blockedBy || !runsOnlyAfter(id).has(blockedBy)) continue;
          const said = `blocked by \`${blockedBy}\``;
          if (!rubricRow(id).includes(said)) unsaid.add(`docs/rubric.md: ${id} blocked by ${blockedBy} (${folder}, ${s.user})`);
          if (!readmeRow(id).includes(said)) unsaid.add(`README (${id}'s passes): ${id} blocked by ${blockedBy} (${folder}, ${s.user})`);
        }
      }
    }
    expect([...unsaid]).toEqual([]);
  });

  it("README's listing of `lab-grade checks` and its table of the checks are what npm run docs writes from the catalogue and the profile", () => {
    const readme = readFileSync(README_FILE, 'utf8');
    expect(regionNames(readme)).toEqual(['checks-list', 'checks-table']);
    expect(readme).toBe(withGeneratedRegions(readme, readmeRegions(), 'README.md'));
    const profile = loadProfile(undefined, ALL_CHECKS);
    const lines = readmeRegions()['checks-list'].split('\n');
    const unlisted = ALL_CHECKS.filter((c) => !lines.some((line) => line.startsWith(`${c.id} `) && line.endsWith(`  ${c.title(profile)}`))).map((c) => c.id);
    expect(unlisted).toEqual([]);
  });

  it("README's table of the checks lists every check in lab order with its points from the profile and what it passes on", () => {
    const profile = loadProfile(undefined, ALL_CHECKS);
    const rows = [...readmeRegions()['checks-table'].matchAll(/^\| `(ex\d\.[\w.]+)` \| ([^|]+) \| (.+) \|$/gm)].map((m) => [m[1], m[2].trim(), m[3]]);
    expect(rows).toEqual(ALL_CHECKS.map((c) => [c.id, profile.checks[c.id].bonus ? `+${profile.checks[c.id].bonus} bonus` : String(profile.checks[c.id].points), c.passes]));
    const changed = { ...profile, checks: { ...profile.checks, 'ex6.app.e2e': { ...profile.checks['ex6.app.e2e'], points: 5 } } };
    expect(readmeRegions(ALL_CHECKS, changed)['checks-table']).toContain('| `ex6.app.e2e` | 5 |');
  });

  it('refuses, naming the check, to write the README without a line of what a check passes on', () => {
    const unsaid = ALL_CHECKS.map((c) => (c.id === 'ex6.app.e2e' ? { ...c, passes: undefined } : c));
    expect(() => readmeRegions(unsaid)).toThrow(/^ex6\.app\.e2e: no `passes` line/);
  });

  it("writes each check's title and points from the profile, so a changed value changes the page", () => {
    const profile = loadProfile(undefined, ALL_CHECKS);
    const changed = { ...profile, checks: { ...profile.checks, 'ex6.app.e2e': { ...profile.checks['ex6.app.e2e'], points: 5 } } };
    const table = generatedRegions(ALL_CHECKS, changed).checks;
    expect(table).toContain('| `ex6.app.e2e` | The app works through the external IP | 5 | required |');
    // Two points more for ex6.app.e2e: two more in the total, however many checks the catalogue holds.
    const before = Number(/(\d+) required points/.exec(generatedRegions().checks)?.[1]);
    expect(table).toContain(`${before + 2} required points`);
    expect(withGeneratedRegions(page, generatedRegions(ALL_CHECKS, changed))).not.toBe(page);
    for (const check of ALL_CHECKS) expect(generatedRegions().checks).toContain(`| \`${check.id}\` | ${check.title(profile)} |`);
  });
});
