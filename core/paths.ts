/** Paths: inside the installed package (the same from sources and from dist/), the user's, and PATH's. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
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

/** A path a user wrote in a file of `baseDir`: `~/` is their home, a relative path is the file's folder's. */
export function resolveUserPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
