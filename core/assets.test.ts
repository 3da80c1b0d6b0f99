/**
 * The package's data files are read from the package folder in the normal build and from the table
 * inside the one-file bundle; both answer the same questions the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assetSource, listAssets, readAsset } from './assets.js';
import { packagePath } from './paths.js';

describe('assets from the package folder', () => {
  it('reads a shipped file as it is on disk', () => {
    expect(readAsset('profiles/aks-greetings.yaml')).toBe(readFileSync(packagePath('profiles', 'aks-greetings.yaml'), 'utf8'));
    expect(assetSource('profiles/aks-greetings.yaml')).toBe(packagePath('profiles', 'aks-greetings.yaml'));
  });

  it('lists the files of a folder, sorted, without its subfolders', () => {
    const names = listAssets('fixtures/scenarios');
    expect(names).toContain('01-perfect.yaml');
    expect(names).not.toContain('hostile');
    expect(names).toEqual([...names].sort());
    expect(names.length).toBe(readdirSync(packagePath('fixtures', 'scenarios')).filter((n) => n.endsWith('.yaml')).length);
  });

  it('a YAML file is parsed from the package (nothing is built in)', async () => {
    const { readYamlAsset } = await import('./fields.js');
    expect(readYamlAsset('fixtures/scenarios/01-perfect.yaml')).toMatchObject({ user: expect.any(String) });
    expect(() => readYamlAsset('profiles/no-such.yaml')).toThrow(/ENOENT/);
  });

  it('a file that is not there is an error', () => {
    expect(() => readAsset('profiles/no-such.yaml')).toThrow(/ENOENT/);
  });
});

describe('assets inside the bundle', () => {
  afterEach(() => {
    vi.doUnmock('./embedded-assets.js');
    vi.doUnmock('./paths.js');
    vi.resetModules();
  });

  async function bundled(table: Record<string, string>, yaml: Record<string, unknown> = {}) {
    vi.resetModules();
    vi.doMock('./embedded-assets.js', () => ({ EMBEDDED_ASSETS: new Map(Object.entries(table)), EMBEDDED_YAML: new Map(Object.entries(yaml)) }));
    // The bundle has no package folder: any look at the disk would be a bug.
    vi.doMock('./paths.js', () => ({
      packagePath: () => {
        throw new Error('looked for the package folder');
      },
    }));
    return import('./assets.js');
  }

  it('reads and lists from the table only', async () => {
    const assets = await bundled({
      'package.json': '{"version":"9.9.9"}',
      'fixtures/scenarios/b.yaml': 'user: b',
      'fixtures/scenarios/a.yaml': 'user: a',
      'fixtures/scenarios/hostile/x.yaml': 'user: x',
      'fixtures/scenariosX/c.yaml': 'c',
    });
    expect(assets.readAsset('package.json')).toBe('{"version":"9.9.9"}');
    expect(assets.listAssets('fixtures/scenarios')).toEqual(['a.yaml', 'b.yaml']);
    expect(assets.assetSource('fixtures/scenarios/a.yaml')).toBe('(built in) fixtures/scenarios/a.yaml');
    expect(() => assets.readAsset('profiles/aks-greetings.yaml')).toThrow('lab-grade: profiles/aks-greetings.yaml is not built into this bundle');
  });

  it('a YAML file is read as the build parsed it, a fresh copy each time; one it did not parse is parsed from the table', async () => {
    const parsed = { lab: 'built', checks: { a: { points: 2 } } };
    await bundled({ 'profiles/p.yaml': 'lab: not read', 'fixtures/scenarios/s.yaml': 'user: s\nsteps: [1, 2]' }, { 'profiles/p.yaml': parsed });
    const { readYamlAsset } = await import('./fields.js');
    const first = readYamlAsset('profiles/p.yaml') as typeof parsed;
    expect(first).toEqual(parsed);
    first.checks.a.points = 99;
    expect(readYamlAsset('profiles/p.yaml')).toEqual({ lab: 'built', checks: { a: { points: 2 } } });
    expect(readYamlAsset('fixtures/scenarios/s.yaml')).toEqual({ user: 's', steps: [1, 2] });
    expect(() => readYamlAsset('fixtures/scenarios/none.yaml')).toThrow('not built into this bundle');
  });

  it('the version comes from the built-in package.json', async () => {
    await bundled({ 'package.json': '{"version":"9.9.9"}' });
    expect((await import('./version.js')).VERSION).toBe('9.9.9');
  });
});
