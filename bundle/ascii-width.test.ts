/**
 * The bundle's string-width: printable ASCII is measured by its length without the grapheme
 * splitter; anything else goes to the string-width the importing package would have loaded, and
 * every width comes out as that one says.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import realStringWidth from 'string-width';
import { afterAll, describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';
import { asciiFastWidth } from './ascii-width.js';

const folder = mkdtempSync(join(tmpdir(), 'lab-grade-width-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** `import stringWidth from 'string-width'` (or another package) from `resolveDir`, bundled with the plugin and loaded. */
async function bundledStringWidth(resolveDir: string, name = 'string-width'): Promise<(text: unknown, options?: object) => number> {
  const built = await build({
    stdin: { contents: `import stringWidth from '${name}'; export default stringWidth;`, resolveDir, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    plugins: [asciiFastWidth()],
  });
  const file = join(folder, `width-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, built.outputFiles[0].text);
  return ((await import(file)) as { default: (text: unknown, options?: object) => number }).default;
}

const SAMPLES = ['', 'lab-grade', '  --only  Grade these checks only  [array]', '~!@#$%^&*()_+{}|:"<>?', 'tab\there', 'del\x7f', '\x1b[31mred\x1b[39m', 'été', 'e\u0301', '日本語', '👍🏽 ok', '\u200b'];

describe('the bundle’s string-width', () => {
  it('gives every width the real string-width gives, ASCII or not', async () => {
    const width = await bundledStringWidth(packagePath());
    for (const text of SAMPLES) expect([text, width(text)]).toEqual([text, realStringWidth(text)]);
    expect(width('日本', { ambiguousIsNarrow: false })).toBe(realStringWidth('日本', { ambiguousIsNarrow: false }));
  });

  it('measures printable ASCII itself and passes anything else, options and all, to the importer’s own string-width', async () => {
    // A string-width of this folder's own that records what it is asked.
    const pkg = join(folder, 'node_modules', 'string-width');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'string-width', version: '0.0.0', type: 'module', main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), `export default (text, options) => { (globalThis.asked ??= []).push([text, options]); return -1; };`);
    const width = await bundledStringWidth(folder);
    const asked = () => (globalThis as { asked?: unknown[] }).asked ?? [];
    // Packages whose names only contain string-width are not it: left as they are.
    for (const name of ['string-width-cjs', 'fast-string-width']) {
      mkdirSync(join(folder, 'node_modules', name), { recursive: true });
      writeFileSync(join(folder, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '0.0.0', type: 'module', main: 'index.js' }));
      writeFileSync(join(folder, 'node_modules', name, 'index.js'), `export default () => -2;`);
      expect((await bundledStringWidth(folder, name))('abc')).toBe(-2);
    }

    expect([width('plain words'), width(' '), width('~')]).toEqual([11, 1, 1]);
    expect(asked()).toEqual([]);
    const options = { ambiguousIsNarrow: false };
    expect([width('tab\there'), width('\x1b[1mbold'), width('café', options), width(42)]).toEqual([-1, -1, -1, -1]);
    expect(asked()).toEqual([
      ['tab\there', undefined],
      ['\x1b[1mbold', undefined],
      ['café', options],
      [42, undefined],
    ]);
  });

  it('a string-width the importer cannot find stops the build with esbuild’s own words', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lab-grade-no-width-'));
    try {
      await expect(bundledStringWidth(empty)).rejects.toThrow('Could not resolve "string-width"');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
