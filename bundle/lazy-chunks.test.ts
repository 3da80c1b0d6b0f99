/** The one file's chunk table: a chunk is evaluated when first imported, once, with the file's import.meta. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packChunks } from './lazy-chunks.js';

const folder = mkdtempSync(join(tmpdir(), 'lab-grade-chunks-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('packChunks', () => {
  it('runs the entry, evaluates a dynamically imported chunk only when imported, and shares a static one', async () => {
    const file = join(folder, 'one.mjs');
    writeFileSync(
      file,
      await packChunks(
        [
          {
            name: 'main.js',
            code: `import { count } from './chunk-shared.js';
              import { readFileSync } from 'node:fs';
              console.log('entry', typeof readFileSync, count(), globalThis.heavyRan ?? 'heavy not run');
              import('./chunk-heavy.js').then((heavy) => console.log('heavy', heavy.where, heavy.counted, globalThis.heavyRan));`,
          },
          { name: 'chunk-shared.js', code: `let n = 0; export const count = () => ++n;` },
          {
            name: 'chunk-heavy.js',
            code: `import { count } from './chunk-shared.js'; globalThis.heavyRan = 'heavy ran'; export const counted = count(); export const where = import.meta.url.endsWith('/one.mjs');`,
          },
        ],
        'main.js',
      ),
    );
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('entry function 1 heavy not run\nheavy true 2 heavy ran\n');
  });

  it('refuses an entry that is not among the chunks', async () => {
    await expect(packChunks([{ name: 'a.js', code: '' }], 'b.js')).rejects.toThrow('no chunk named b.js');
  });
});
