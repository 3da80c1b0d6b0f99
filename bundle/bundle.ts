/**
 * `npm run bundle`: lab-grade as one ES module, `dist/lab-grade.mjs`, with every dependency and data
 * file inside, that runs under Node 20 alone in an empty folder (Cloud Shell, a VM, a container).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, dirname } from 'node:path';
import { build } from 'esbuild';
import { packagePath } from '../core/paths.js';
import { asciiFastWidth } from './ascii-width.js';
import { embedAssets } from './embed-assets.js';
import { packChunks } from './lazy-chunks.js';
import { bundledPackages, licenceComment } from './licences.js';
import { leaveOutNativeAddons } from './native-addons.js';

export const BUNDLE_FILE = packagePath('dist', 'lab-grade.mjs');
/** Small enough to hand out as a download and to copy into a container image. */
export const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

// `node:` names newer than Node 20 (undici feature-tests node:sqlite) count too; `<runtime>` is esbuild's own helper.
const isNodeModule = (path: string): boolean => isBuiltin(path) || path.startsWith('node:') || path === '<runtime>';

export interface BuiltBundle {
  file: string;
  bytes: number;
  packages: number;
}

/** `entry`: the program's main module (tests bundle smaller programs the same way). */
export async function buildBundle(outfile = BUNDLE_FILE, entry = packagePath('bin', 'lab-grade.ts')): Promise<BuiltBundle> {
  const result = await build({
    absWorkingDir: packagePath(),
    entryPoints: { 'lab-grade': entry },
    // Split at the dynamic imports, then packed into one file whose chunks compile on first use.
    outdir: dirname(outfile),
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    // Classes and functions keep their names through minifying: ssh2's server tells a session with no command
    // yet by its class name ('Session'); renamed, a client vanishing with one open crashed the simulated lab.
    keepNames: true,
    // Node prints the line of an uncaught error: keep that readable, not a megabyte of minified code.
    lineLimit: 160,
    plugins: [embedAssets(), leaveOutNativeAddons(), asciiFastWidth()],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const strays = Object.entries(result.metafile.inputs).flatMap(([from, input]) => input.imports.filter((i) => i.external && !isNodeModule(i.path)).map((i) => `${i.path} (from ${from})`));
  if (strays.length) throw new Error(`lab-grade bundle: these would be loaded from the user's disk at run time: ${strays.join(', ')}`);

  const packages = bundledPackages(result.metafile, packagePath());
  const chunks = result.outputFiles.map((f) => ({ name: basename(f.path), code: f.text }));
  const code = Buffer.from((await packChunks(chunks, 'lab-grade.js')) + licenceComment(packages));
  if (code.length > MAX_BUNDLE_BYTES) throw new Error(`lab-grade bundle: ${code.length} bytes, more than the ${MAX_BUNDLE_BYTES} allowed`);
  // Written beside, then renamed: a reader (or a second build) never sees half a file.
  mkdirSync(dirname(outfile), { recursive: true });
  const partial = `${outfile}.${process.pid}.partial`;
  writeFileSync(partial, code, { mode: 0o755 });
  renameSync(partial, outfile);
  return { file: outfile, bytes: code.length, packages: packages.length };
}
