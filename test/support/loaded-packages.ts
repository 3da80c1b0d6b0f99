/**
 * Which packages a whole `lab-grade` process loads: a module hook (node:module register) appends every
 * module URL the process resolves to a file, read back as package names (`@azure/identity`, `ssh2`).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.LAB_GRADE_LOADED_LOG, resolved.url + '\\n');
  return resolved;
}`;

export interface LoadLog {
  /** Node arguments that record this process's modules. */
  nodeArgs: string[];
  env: NodeJS.ProcessEnv;
  /** The packages of node_modules it resolved, by name. */
  packages(): Set<string>;
}

export function loadLog(): LoadLog {
  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-loaded-'));
  const hooks = join(dir, 'hooks.mjs');
  const register = join(dir, 'register.mjs');
  const log = join(dir, 'loaded.txt');
  writeFileSync(hooks, HOOKS);
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  writeFileSync(log, '');
  return {
    nodeArgs: ['--import', pathToFileURL(register).href],
    env: { LAB_GRADE_LOADED_LOG: log },
    packages: () => new Set([...readFileSync(log, 'utf8').matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1])),
  };
}
