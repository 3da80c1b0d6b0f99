/**
 * The project's shared reference material (the lab text and the real fixtures under `shared/`): beside
 * the repository (`../shared`, as in CI's fresh clone), or where LAB_GRADE_SHARED points. Missing, it is
 * a clear error, never a silently skipped test.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packagePath } from '../../core/paths.js';

function findShared(): string {
  const candidates = [process.env.LAB_GRADE_SHARED, packagePath('..', 'shared'), '/work/shared'].filter((p): p is string => !!p);
  const found = candidates.map((p) => resolve(p)).find((p) => existsSync(join(p, 'fixtures')));
  if (!found) throw new Error(`the shared fixtures are missing: looked in ${candidates.join(', ')}; set LAB_GRADE_SHARED to the folder that holds fixtures/`);
  return found;
}

export const SHARED = findShared();
export const sharedPath = (...parts: string[]): string => join(SHARED, ...parts);
