/** Locations inside the installed package, the same from sources (tsx/vitest) and from dist/. */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('lab-grade: cannot find the package root');
    dir = up;
  }
  return dir;
}

// Found on first use, not at import: the one-file bundle has no package folder and never asks.
let packageRoot: string | undefined;
export const packagePath = (...parts: string[]): string => join((packageRoot ??= findPackageRoot()), ...parts);

/** Where a program would be found on this PATH (undefined: not installed here). */
export function onPath(binary: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    const p = join(dir, binary);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}
