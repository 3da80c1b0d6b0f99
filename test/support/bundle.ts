/**
 * Builds the one-file bundle as a user does, with `npm run bundle`. The build replaces the file
 * whole, so test files that build it at the same time never read half of one.
 */
import { spawnSync } from 'node:child_process';
import { BUNDLE_FILE } from '../../bundle/bundle.js';
import { packagePath } from '../../core/paths.js';

export function buildBundleWithNpm(): string {
  const r = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: packagePath(), encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`npm run bundle failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return BUNDLE_FILE;
}
