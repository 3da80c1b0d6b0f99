/**
 * docs/scenarios.md documents the scenario format the loader accepts: its whole-file example loads, and
 * it names every key the loader reads (and no other), so a key added to sandbox/scenario.ts without a
 * line in the page fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHECK_IDS } from '../checks/index.js';
import { packagePath } from '../core/paths.js';
import { parseScenario } from '../sandbox/scenario.js';

const page = readFileSync(packagePath('docs', 'scenarios.md'), 'utf8');
const loader = readFileSync(packagePath('sandbox', 'scenario.ts'), 'utf8');

/** The YAML block under "## A whole file". */
const wholeFile = (): string => {
  const section = page.slice(page.indexOf('## A whole file'));
  return /```yaml\n([\s\S]*?)```/.exec(section)![1];
};

/** Mappings whose keys are data (check ids, file paths, Helm values), not the format's keys. */
const FREE_FORM = new Set(['expect', 'home', 'values', 'chartValues']);

function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      if (!FREE_FORM.has(k)) keysOf(v, out);
    }
  }
  return out;
}

/** Every key sandbox/scenario.ts reads: the Fields accessors and the `name(f, 'key')` helper. */
const loaderKeys = (): Set<string> =>
  new Set([...loader.matchAll(/\.(?:string|optString|optObject|optBoolean|optStringList|oneOf|optOneOf|optNumber|objectList)\(\s*'(\w+)'|\bname\(\w+, '(\w+)'\)/g)].map((m) => m[1] ?? m[2]));

describe('docs/scenarios.md', () => {
  it('shows a whole scenario file that the loader accepts', () => {
    const scenario = parseScenario(parse(wholeFile()), 'docs/scenarios.md', CHECK_IDS);
    expect(scenario.expectDetail).toEqual({ 'ex2.compose.ports': { code: 'LG-225' }, 'ex5.pod.running': { blockedBy: 'ex5.pull.authorized' } });
    expect(scenario.kubernetes?.helm[0].chartValues).toEqual({ registry: 'azurezr.io' });
  });

  it('names in that file every key the loader reads, and no other', () => {
    const loaderRead = loaderKeys();
    expect(loaderRead.size).toBeGreaterThan(30); // the pattern still finds the accessors
    expect([...keysOf(parse(wholeFile()))].sort()).toEqual([...loaderRead].sort());
  });

  it('lists every value of the fault keys', () => {
    const faultLists = [...loader.matchAll(/^(?:export )?const (\w+)_FAULTS = \[([^\]]*)\]/gm)].map((m) => [m[1].toLowerCase(), [...m[2].matchAll(/'([\w-]+)'/g)].map((v) => v[1])] as const);
    expect(faultLists.map(([k]) => k)).toEqual(['vm', 'arm', 'kube', 'registry', 'http']);
    const faultsSection = page.slice(page.indexOf('## `faults:`'), page.indexOf('## Reloading'));
    for (const [, values] of faultLists) for (const v of values) expect(faultsSection).toContain(`| \`${v}\` |`);
  });
});
