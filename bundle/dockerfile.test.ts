/**
 * The Dockerfile at the repository's root: no container engine runs where the tests do, so what a
 * build would use is checked instead. It parses cleanly, starts from a pinned Node 20 slim image,
 * copies only files that exist after `npm run bundle` (and that the build context keeps), runs as a
 * numeric non-root user, and its entrypoint runs under this machine's Node.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';
import { buildBundleWithNpm } from '../test/support/bundle.js';
import { runCli } from '../test/support/cli.js';
import { readDockerfile } from '../test/support/dockerfile.js';

const dockerfile = readDockerfile();
const version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
const root = mkdtempSync(join(tmpdir(), 'lab-grade-image-'));

beforeAll(() => {
  buildBundleWithNpm();
}, 200_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Dockerfile', () => {
  it('parses without a problem', () => {
    expect(dockerfile.problems).toEqual([]);
  });

  it('starts from a pinned Node 20 slim image', () => {
    expect(dockerfile.from).toHaveLength(1);
    const [{ image, tag, digest }] = dockerfile.from;
    expect(image).toBe('node');
    // A full version, not the moving `20-slim`; a digest may be added.
    expect(tag).toMatch(/^20\.\d+\.\d+-(?:bookworm-)?slim$/);
    if (digest) expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('copies only the one file, which exists after npm run bundle and is kept in the build context', () => {
    expect(dockerfile.copies).toEqual([{ sources: ['dist/lab-grade.mjs'], dest: '/app/lab-grade.mjs' }]);
    for (const source of dockerfile.copies.flatMap((c) => c.sources)) expect(() => readFileSync(packagePath(source))).not.toThrow();
    // Everything is left out of the context (node_modules is 168 MB) except what is copied.
    const ignore = readFileSync(packagePath('.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore).toEqual(['*', ...dockerfile.copies.flatMap((c) => c.sources.map((s) => `!${s}`))]);
  });

  it('runs as a numeric user that is not root', () => {
    const [user, group] = (dockerfile.user ?? '').split(':');
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).not.toBe(0);
    if (group !== undefined) expect(Number(group)).not.toBe(0);
  });

  it("its entrypoint is node with the copied file, which runs with --version under this machine's node", async () => {
    expect(dockerfile.entrypoint).toEqual(['node', '/app/lab-grade.mjs']);
    const [copy] = dockerfile.copies;
    expect(copy.dest).toBe(dockerfile.entrypoint![1]);
    // The image's file system, as far as the entrypoint needs it.
    const inImage = join(root, copy.dest);
    mkdirSync(dirname(inImage), { recursive: true });
    copyFileSync(packagePath(copy.sources[0]), inImage);
    const r = await runCli(['--version'], { script: inImage, cwd: root, env: { NODE_PATH: undefined } });
    expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
