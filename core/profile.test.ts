/**
 * A variant of the lab profile says only what differs: `extends: builtin` or a path, `checks` and
 * `expect` merged key by key, a check switched off with `enabled: false`; every error names the file
 * that set the key, and a variant written before a check was added still loads.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../checks/index.js';
import { checksInForce } from '../app/catalogue.js';
import { ConfigError } from './errors.js';
import { packagePath } from './paths.js';
import { loadProfile } from './profile.js';
import { didYouMean } from './suggest.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-profile-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
};
const builtIn = loadProfile(undefined, ALL_CHECKS);

describe('a profile that extends another', () => {
  it('extends the built-in one, overriding only what it names', () => {
    const file = write('variant.yaml', 'extends: builtin\npassMark: 60\nchecks:\n  ex6.app.e2e: { points: 5 }\nexpect:\n  tag: v2.0\n  app: { replicas: 2 }\n');
    const p = loadProfile(file, ALL_CHECKS);
    expect(p).toMatchObject({ file, lab: 'aks-greetings', title: builtIn.title, passMark: 60, bonusCap: 5 });
    expect(p.checks['ex6.app.e2e']).toEqual({ points: 5, bonus: 0, enabled: true });
    expect(p.checks['ex2.compose.ports']).toEqual(builtIn.checks['ex2.compose.ports']);
    expect(p.expect.tag).toBe('v2.0');
    expect(p.expect.app).toEqual({ ...builtIn.expect.app, replicas: 2 });
    expect(p.expect.api).toEqual(builtIn.expect.api);
  });

  it('extends a path, relative to the file, through a chain', () => {
    write('course/base.yaml', 'extends: builtin\ntitle: Our AKS lab\nchecks:\n  ex7.tiller: { enabled: false }\n');
    const file = write('course/spring/variant.yaml', 'extends: ../base.yaml\npassMark: 80\n');
    const p = loadProfile(file, ALL_CHECKS);
    expect(p).toMatchObject({ title: 'Our AKS lab', passMark: 80 });
    expect(p.checks['ex7.tiller']).toEqual({ points: 0, bonus: 0, enabled: false });
  });

  it('names the file that set a wrong key, and refuses a cycle', () => {
    const typo = write('typo.yaml', 'extends: builtin\nchecks:\n  ex6.app.e2e: { pionts: 5 }\n');
    expect(() => loadProfile(typo, ALL_CHECKS)).toThrow(`${typo}: checks.ex6.app.e2e.pionts: unknown key (did you mean "points"?)`);
    const base = write('bad-base.yaml', 'extends: builtin\npassMark: 170\n');
    const child = write('child.yaml', 'extends: bad-base.yaml\ntitle: x\n');
    expect(() => loadProfile(child, ALL_CHECKS)).toThrow(`${base}: passMark: expected at most 100, got 170`);
    const unknown = write('unknown.yaml', 'extends: builtin\nchecks:\n  ex9.nothing: { points: 1 }\n');
    expect(() => loadProfile(unknown, ALL_CHECKS)).toThrow(`${unknown}: checks.ex9.nothing: unknown check id`);
    expect(() => loadProfile(unknown, ALL_CHECKS)).not.toThrow('ex7.tiller');
    // A typo gets the id it was meant to be, not the list of every id.
    const misspelt = write('misspelt.yaml', 'extends: builtin\nchecks:\n  ex7.tiler: { enabled: false }\n');
    expect(() => loadProfile(misspelt, ALL_CHECKS)).toThrow(`${misspelt}: checks.ex7.tiler: unknown check id${didYouMean('ex7.tiler', ['ex7.tiller'])}`);
    write('a.yaml', 'extends: b.yaml\n');
    const b = write('b.yaml', 'extends: a.yaml\n');
    expect(() => loadProfile(b, ALL_CHECKS)).toThrow(/a\.yaml: extends: extends itself through .*b\.yaml -> .*a\.yaml -> .*b\.yaml/);
    const missing = write('missing.yaml', 'extends: nowhere.yaml\n');
    // The file whose extends: names a profile that is not there, the key, and the value as written and as resolved.
    const err = (() => {
      try {
        loadProfile(missing, ALL_CHECKS);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ file: missing, key: 'extends' });
    expect(err!.message).toContain(`"nowhere.yaml" not found (${join(dir, 'nowhere.yaml')})`);
  });
});

describe('switching a check off', () => {
  it('leaves it out of the checks in force; one that only came after it no longer waits', () => {
    const file = write('off.yaml', 'extends: builtin\nchecks:\n  ex6.app.e2e: { enabled: false }\n');
    const p = loadProfile(file, ALL_CHECKS);
    const ids = checksInForce(p).map((c) => c.id);
    expect(ids).not.toContain('ex6.app.e2e');
    expect(ids).toHaveLength(ALL_CHECKS.length - 1);
    expect(checksInForce(p).find((c) => c.id === 'ex6.api.replicas')!.after ?? []).not.toContain('ex6.app.e2e');
  });

  it('refuses to switch off a check that checks still on need, naming the file and the key', () => {
    const file = write('needed.yaml', 'extends: builtin\nchecks:\n  ex5.kube.reachable: { enabled: false }\n');
    expect(() => loadProfile(file, ALL_CHECKS)).toThrow(
      new RegExp(`^${file}: checks\\.ex5\\.kube\\.reachable\\.enabled: ex5\\.pod\\.running, .* need ex5\\.kube\\.reachable: switch them off too, or keep it on$`),
    );
    const registry = write('registry.yaml', 'extends: builtin\nchecks:\n  ex4.registry.exists: { enabled: false }\n');
    // Others use the registry it finds.
    expect(() => loadProfile(registry, ALL_CHECKS)).toThrow(/checks\.ex4\.registry\.exists\.enabled: .*ex4\.registry\.admin/);
  });
});

describe('a full copy written before a check was added', () => {
  it('still loads: the check it does not list gets its default points', () => {
    const copy = readFileSync(packagePath('profiles', 'aks-greetings.yaml'), 'utf8').replace(/^ {2}ex6\.image\.provenance:.*\n/m, '');
    const p = loadProfile(write('old-copy.yaml', copy), ALL_CHECKS);
    expect(p.checks['ex6.image.provenance']).toEqual({ points: 1, bonus: 0, enabled: true });
  });
});
