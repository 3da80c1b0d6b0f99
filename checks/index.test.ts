/**
 * The registry's promise to whoever adds a check (docs/architecture.md, "Adding a check"): each family
 * file of an exercise, and each reader of the compose file they share, has its test beside it, named
 * after it (`<family>.test.ts` or `<family>.<aspect>.test.ts`).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';

const exercises = readdirSync(packagePath('checks')).filter((d) => /^ex\d+$/.test(d));
const folders = [...exercises, 'compose'];

describe('the check families', () => {
  it('each has its test beside it', () => {
    const untested = folders.flatMap((folder) => {
      const files = readdirSync(packagePath('checks', folder));
      const tested = (family: string) => files.some((f) => f === `${family}.test.ts` || (f.startsWith(`${family}.`) && f.endsWith('.test.ts')));
      return files
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => f.slice(0, -'.ts'.length))
        .filter((family) => !tested(family))
        .map((family) => `checks/${folder}/${family}.ts`);
    });
    expect(exercises.length).toBe(7);
    expect(untested).toEqual([]);
  });
});
