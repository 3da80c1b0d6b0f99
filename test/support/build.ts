/**
 * CLI tests run the package's real binary (dist/). Rebuild it only when a source is newer than the
 * build, so a run of a few test files does not pay for a full compile.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../core/paths.js';

const SOURCE_DIRS = ['bin', 'app', 'core', 'checks', 'probes', 'reporters', 'sandbox', 'live'];

function newestSourceMtime(dir: string): number {
  let newest = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function buildIfStale(): void {
  const binary = packagePath('dist', 'bin', 'lab-grade.js');
  let built = 0;
  try {
    built = statSync(binary).mtimeMs;
  } catch {
    built = 0;
  }
  const newest = Math.max(...SOURCE_DIRS.map((d) => newestSourceMtime(packagePath(d))), statSync(packagePath('package.json')).mtimeMs);
  if (built >= newest) return;
  // Type errors are `npm run typecheck`'s to report; tsc still emits, so one broken file does not hide CLI tests.
  const tsc = spawnSync(process.execPath, [packagePath('node_modules', 'typescript', 'bin', 'tsc'), '-p', packagePath('tsconfig.build.json')], { encoding: 'utf8' });
  if (tsc.error) throw tsc.error;
}
