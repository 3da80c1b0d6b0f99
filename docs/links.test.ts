/**
 * A clone of the repository is all a reader has: every relative link of README.md and docs/*.md opens
 * a file of the repository, every `docs/…` a file or comment names exists, and nothing points at the
 * reference material beside the repository, which only the tests' fixture lookup may read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';

const ROOT = packagePath();
const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage', 'test-artifacts', '.lab-grade', '.stryker-tmp', 'reports']);
const BINARY = /\.(png|jpe?g|gif|ico|gz|tgz|zip|mjs\.map)$/;

function files(dir = ROOT, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (e.isFile() && !BINARY.test(e.name)) out.push(relative(ROOT, p));
  }
  return out;
}

const exists = (path: string) => {
  try {
    return statSync(path).isFile() || statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** Inline links and images of a Markdown text, outside code blocks and code spans. */
function markdownLinks(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
}

const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`),
];

describe('links inside the repository', () => {
  it.each(pages)('%s: every relative link opens a file of the repository', (page) => {
    const links = markdownLinks(readFileSync(join(ROOT, page), 'utf8'));
    const broken = links
      .filter((l) => !/^(https?:|mailto:|#)/.test(l))
      .filter((l) => {
        const target = resolve(ROOT, dirname(page), decodeURI(l.replace(/#.*$/, '')));
        return relative(ROOT, target).startsWith('..') || !exists(target);
      });
    expect(broken).toEqual([]);
  });

  it('every link that leaves the repository is a public https address', () => {
    const outside = pages.flatMap((page) => markdownLinks(readFileSync(join(ROOT, page), 'utf8')).filter((l) => /^[a-z]+:/i.test(l) && !/^https:\/\/(?!(localhost|127\.|0\.0\.0\.0))/.test(l)));
    expect(outside).toEqual([]);
  });

  it('every docs/… file that a file of the repository names exists', () => {
    const named = files().flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/(?<![\w/.-])docs\/[\w-]+\.(?:md|png|ts)\b/g)].map((m) => `${f}: ${m[0]}`));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((n) => !exists(join(ROOT, n.split(': ')[1])))).toEqual([]);
  });

  it('nothing points at the reference material beside the repository, but the tests’ fixture lookup', () => {
    const beside = ['..', 'shared'].join('/');
    const pointing = files().filter((f) => readFileSync(join(ROOT, f), 'utf8').includes(beside));
    expect(pointing).toEqual(['test/support/shared.ts']);
  });
});
