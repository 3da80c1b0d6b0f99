/**
 * The licences of the packages inside the bundle: most (MIT, ISC, BSD, Apache-2.0) ask that their
 * notice travel with every copy, and the one file is the only thing handed out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';

export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  /** The package's licence and notice files, when it has them. */
  text?: string;
}

const PACKAGE_DIR = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//;
// The licence, and the notices Apache-2.0 asks to pass on (reflect-metadata's is CopyrightNotice.txt).
const LICENCE_FILE = /^(?:licen[cs]e|copying)(?:[.-].*)?$|notice/i;

/** Every package with a file in the bundle (the last node_modules folder of each input), by name. */
export function bundledPackages(metafile: Metafile, root: string): BundledPackage[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    // A plugin's own module (`namespace:path`) is not a package's file; the file it stands in for is listed too.
    if (/^[a-z-]+:/.test(input)) continue;
    const m = PACKAGE_DIR.exec(input.replace(/\\/g, '/'));
    if (m) dirs.add(m[1]);
  }
  return [...dirs].map((dir) => readPackage(join(root, dir))).sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

function readPackage(dir: string): BundledPackage {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string; licenses?: Array<{ type: string }> };
  const files = readdirSync(dir)
    .filter((n) => LICENCE_FILE.test(n))
    .sort();
  // `licenses: [{type}]` is the older form of the field (ssh2 still uses it).
  const license = pkg.license ?? pkg.licenses?.map((l) => l.type).join(' OR ') ?? 'see the package';
  return { name: pkg.name, version: pkg.version, license, text: files.map((f) => readFileSync(join(dir, f), 'utf8').trim()).join('\n\n') || undefined };
}

/** One comment block: the list, then each licence text (a comment cannot contain its own end). */
export function licenceComment(packages: BundledPackage[]): string {
  const list = packages.map((p) => `${p.name}@${p.version} (${p.license})`);
  const texts = packages.filter((p) => p.text).map((p) => `---- ${p.name}@${p.version} ----\n${p.text}`);
  const body = [`lab-grade includes these packages; their licences follow.`, '', ...list, '', ...texts].join('\n').replace(/\*\//g, '* /');
  return `/*\n${body}\n*/\n`;
}
