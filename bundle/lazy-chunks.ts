/**
 * One file whose heavy parts are compiled only when they first run. esbuild splits the program at its
 * dynamic imports (the commands, each kind of probe: Azure's SDKs, @kubernetes/client-node, ssh2) into
 * chunks; each chunk becomes a CommonJS function body kept compressed in the one file (Brotli, as
 * base64), inflated and compiled (vm.compileFunction) on its first require. Node then reads and parses
 * only the loader and the chunks a command uses: `--help` no longer pays for scanning and compiling
 * megabytes of clients it never calls, and the file to hand out is a quarter of the size.
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { transform } from 'esbuild';

export interface Chunk {
  /** The chunk's file name as esbuild's imports name it (`lab-grade.js`, `chunk-ABC123.js`). */
  name: string;
  /** Its ES module code. */
  code: string;
}

/** Each chunk's ES module code as a CommonJS function body that imports its fellow chunks by name. */
async function asFunctionBody(chunk: Chunk): Promise<string> {
  const cjs = await transform(chunk.code, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    lineLimit: 160,
    // import.meta of a chunk is the one file's: the loader passes its URL.
    define: { 'import.meta.url': '__labGradeUrl' },
    // import('./chunk-…') becomes a require of the chunk table (a compiled function has no import()).
    supported: { 'dynamic-import': false },
    // The bundling reported what matters; dependencies' own style warnings are not ours.
    logLevel: 'error',
  });
  return cjs.code;
}

/**
 * The one file: a loader that requires `entry` from the table of chunks. `./chunk-…` specifiers are
 * served from the table (each compiled once, named `lab-grade.mjs/<chunk>` in stack traces); any other
 * (Node's own modules) goes to Node's require.
 */
export async function packChunks(chunks: readonly Chunk[], entry: string): Promise<string> {
  if (!chunks.some((c) => c.name === entry)) throw new Error(`lab-grade bundle: no chunk named ${entry}`);
  const bodies = await Promise.all(chunks.map(async (c) => [c.name, await asFunctionBody(c)] as const));
  const table = bodies.map(([name, body]) => `${JSON.stringify(name)}:${JSON.stringify(compress(body))}`).join(',\n');
  return `#!/usr/bin/env node
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { compileFunction } from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';
const nodeRequire = createRequire(import.meta.url);
const file = fileURLToPath(import.meta.url);
const folder = file.slice(0, file.lastIndexOf('/'));
const CHUNKS = {
${table}
};
const loaded = new Map();
function requireChunk(name) {
  const known = loaded.get(name);
  if (known) return known.exports;
  const packed = CHUNKS[name];
  if (packed === undefined) throw new Error('lab-grade: no chunk ' + name);
  const module = { exports: {} };
  loaded.set(name, module);
  const source = brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');
  const body = compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname', '__labGradeUrl'], { filename: file + '/' + name });
  body(module.exports, (specifier) => (specifier.startsWith('./') ? requireChunk(specifier.slice(2)) : nodeRequire(specifier)), module, file, folder, import.meta.url);
  return module.exports;
}
requireChunk(${JSON.stringify(entry)});
`;
}

/** A chunk as it is kept in the one file: Brotli (quality 9: a fraction of a second to build), as base64. */
function compress(body: string): string {
  const bytes = Buffer.from(body, 'utf8');
  return brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).toString('base64');
}
