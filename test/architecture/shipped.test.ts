/**
 * What the package ships is the program and the data it reads: `npm run build` compiles
 * tsconfig.build.json's sources and whatever they import into dist/, and package.json `files` adds the
 * data. No test, test support, testkit or benchmark file is among them, nor a module only tests use.
 * dist/ itself is not read here: a build left from older sources would stand in for the current one
 * (`npm pack` builds afresh), so the compiled files are asked of the compiler.
 */
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAssets, SHIPPED_ASSETS } from '../../core/assets.js';
import { packagePath } from '../../core/paths.js';
import { importGraph } from './imports.js';

const root = packagePath();
/** The program's one entry point: the `lab-grade` binary (the bundle is built from it too). */
const ENTRY = 'bin/lab-grade.ts';
const isTestOnly = (f: string) => /(^|\/)(test|bench)\//.test(f) || /\.test\.ts$/.test(f) || /testkit|testing/i.test(f);

/** The sources the build compiles, relative to the repository (tsc emits one file in dist/ for each). */
function compiledSources(): string[] {
  const out = execFileSync(process.execPath, [packagePath('node_modules', 'typescript', 'bin', 'tsc'), '-p', packagePath('tsconfig.build.json'), '--listFilesOnly'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((f) => f && !f.includes('/node_modules/'))
    .map((f) => relative(root, f));
}

/** Every path `npm pack` would put in the package (scripts not run: they only build dist/). */
function packedPaths(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
}

describe('what the package ships', () => {
  const compiled = compiledSources();

  it('the build compiles the program, and no test, test support or benchmark file', () => {
    expect(compiled).toContain(ENTRY);
    expect(compiled.filter(isTestOnly)).toEqual([]);
  });

  it('every compiled module is part of the program: reached from its entry point, not only from tests', () => {
    const graph = importGraph(root);
    const reached = new Set<string>();
    const next = [ENTRY];
    for (let f = next.pop(); f !== undefined; f = next.pop()) {
      if (reached.has(f)) continue;
      reached.add(f);
      next.push(...(graph.get(f) ?? []));
    }
    expect(compiled.filter((f) => !reached.has(f))).toEqual([]);
  });

  it('besides dist/, npm pack ships only the data the program reads and the documents it promises', () => {
    const assets = [...SHIPPED_ASSETS.files, ...SHIPPED_ASSETS.folders.flatMap((dir) => listAssets(dir).map((name) => `${dir}/${name}`))];
    const data = packedPaths().filter((p) => !p.startsWith('dist/'));
    expect(data.sort()).toEqual([...assets, 'README.md', 'reporters/result.schema.json', 'live/class-state.schema.json'].sort());
  });
});
