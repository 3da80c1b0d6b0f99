/** Materialises a scenario's `vm.home` (relative path -> content) as real files in a folder. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** `root/rel`, refusing anything that would land outside `root`. */
function inside(root: string, rel: string): string {
  const full = resolve(root, rel);
  const back = relative(root, full);
  if (back === '' || isAbsolute(back) || back.split(sep).includes('..')) {
    throw new Error(`path ${JSON.stringify(rel)} is outside the simulated home`);
  }
  return full;
}

/** Empties `home` and writes the files. */
export function writeHome(home: string, files: Record<string, string>): void {
  mkdirSync(home, { recursive: true });
  for (const entry of readdirSync(home)) rmSync(join(home, entry), { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    const path = inside(home, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
