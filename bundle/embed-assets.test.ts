/** The bundle's tables: every shipped file's text, and each YAML file as the normal build parses it. */
import { describe, expect, it } from 'vitest';
import { assetSource } from '../core/assets.js';
import { parseYamlText } from '../core/fields.js';
import { thrown } from '../test/support/thrown.js';
import { assetTable, parsedYamlTable } from './embed-assets.js';

describe('the built-in tables', () => {
  it('carries each YAML asset parsed exactly as the normal build parses it, and only the YAML ones', () => {
    const table = assetTable();
    const parsed = parsedYamlTable(table);
    const yamlPaths = Object.keys(table).filter((p) => p.endsWith('.yaml'));
    expect(yamlPaths).toContain('profiles/aks-greetings.yaml');
    expect(Object.keys(parsed).sort()).toEqual(yamlPaths.sort());
    for (const path of yamlPaths) expect(parsed[path]).toEqual(parseYamlText(table[path], assetSource(path)));
  });

  it('refuses a YAML file whose value the bundle could not carry unchanged', () => {
    expect(() => parsedYamlTable({ 'profiles/x.yaml': 'limit: .inf\n' })).toThrow('lab-grade bundle: profiles/x.yaml parses to values JSON cannot carry');
    expect(parsedYamlTable({ 'profiles/x.yaml': 'limit: 3\n', 'package.json': '{' })).toEqual({ 'profiles/x.yaml': { limit: 3 } });
  });

  it('a YAML mistake in a shipped file stops the build with the file named', () => {
    expect(thrown(() => parsedYamlTable({ 'profiles/x.yaml': 'a: [\n' }))).toEqual({ name: 'ConfigError', message: expect.stringMatching(/^.*profiles\/x\.yaml: invalid YAML at line 2, column 1: /) });
  });
});
