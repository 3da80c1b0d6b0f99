/**
 * `npm run bundle`: lab-grade as one ES module, `dist/lab-grade.mjs`, with every dependency and data
 * file inside, that runs under Node 20 alone in an empty folder (Cloud Shell, a VM, a container).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname } from 'node:path';
import { build } from 'esbuild';
import { packagePath } from '../core/paths.js';
import { embedAssets } from './embed-assets.js';
import { bundledPackages, licenceComment } from './licences.js';
import { leaveOutNativeAddons } from './native-addons.js';

export const BUNDLE_FILE = packagePath('dist', 'lab-grade.mjs');
/** Small enough to hand out as a download and to copy into a container image. */
export const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

// CommonJS dependencies call require() for Node's own modules and ssh2 builds paths from __dirname;
// an ES module has neither of its own.
const COMMONJS_SHIM = [
  "import { createRequire as __labGradeCreateRequire } from 'node:module';",
  "import { fileURLToPath as __labGradeFileURLToPath } from 'node:url';",
  'const require = __labGradeCreateRequire(import.meta.url);',
  'const __filename = __labGradeFileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join(' ');

// `node:` names newer than Node 20 (undici feature-tests node:sqlite) count too; `<runtime>` is esbuild's own helper.
const isNodeModule = (path: string): boolean => isBuiltin(path) || path.startsWith('node:') || path === '<runtime>';

export interface BuiltBundle {
  file: string;
  bytes: number;
  packages: number;
}

export async function buildBundle(outfile = BUNDLE_FILE): Promise<BuiltBundle> {
  const result = await build({
    absWorkingDir: packagePath(),
    entryPoints: [packagePath('bin', 'lab-grade.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    // Node prints the line of an uncaught error: keep that readable, not a megabyte of minified code.
    lineLimit: 160,
    // The lazily imported commands (demo, merge, the self-check) stay modules that are evaluated on first use.
    banner: { js: COMMONJS_SHIM },
    plugins: [embedAssets(), leaveOutNativeAddons()],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const strays = Object.entries(result.metafile.inputs).flatMap(([from, input]) => input.imports.filter((i) => i.external && !isNodeModule(i.path)).map((i) => `${i.path} (from ${from})`));
  if (strays.length) throw new Error(`lab-grade bundle: these would be loaded from the user's disk at run time: ${strays.join(', ')}`);

  const packages = bundledPackages(result.metafile, packagePath());
  const code = Buffer.concat([result.outputFiles[0].contents, Buffer.from(licenceComment(packages))]);
  if (code.length > MAX_BUNDLE_BYTES) throw new Error(`lab-grade bundle: ${code.length} bytes, more than the ${MAX_BUNDLE_BYTES} allowed`);
  // Written beside, then renamed: a reader (or a second build) never sees half a file.
  mkdirSync(dirname(outfile), { recursive: true });
  const partial = `${outfile}.${process.pid}.partial`;
  writeFileSync(partial, code, { mode: 0o755 });
  renameSync(partial, outfile);
  return { file: outfile, bytes: code.length, packages: packages.length };
}
