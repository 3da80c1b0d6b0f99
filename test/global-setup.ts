import { spawnSync } from 'node:child_process';
import { ensureSystemTools } from './support/system.js';

export default function setup(): void {
  ensureSystemTools();
  // CLI tests run the package's real binary (dist/bin/lab-grade.js). Type errors are reported by
  // `npm run typecheck`; here tsc still emits, so one broken file elsewhere does not hide CLI tests.
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (tsc.error) throw tsc.error;
}
