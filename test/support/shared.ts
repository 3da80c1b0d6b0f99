/**
 * The project's shared reference material (the lab text and the real fixtures under `shared/`): beside
 * the repository (`../shared`, as in CI's fresh clone), or where LAB_GRADE_SHARED points. Missing, it is
 * a clear error, never a silently skipped test.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packagePath } from '../../core/paths.js';

/** Where the shared material is looked for, in order: no path of one machine, so a clone finds its own. */
export const sharedCandidates = (env: NodeJS.ProcessEnv = process.env): string[] => [env.LAB_GRADE_SHARED, packagePath('..', 'shared')].filter((p): p is string => !!p);

function findShared(): string {
  const candidates = sharedCandidates();
  const found = candidates.map((p) => resolve(p)).find((p) => existsSync(join(p, 'fixtures')));
  if (!found) throw new Error(`the shared fixtures are missing: looked in ${candidates.join(', ')}; set LAB_GRADE_SHARED to the folder that holds fixtures/`);
  return found;
}

export const SHARED = findShared();
export const sharedPath = (...parts: string[]): string => join(SHARED, ...parts);
