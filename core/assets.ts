/**
 * Data files that ship with lab-grade (its package.json, the lab profile, the built-in class): read
 * from the package folder, or from the table inside the one-file bundle. Paths are relative to the
 * package, with `/`. Files a user names (`--config`, `--profile`, `--scenarios`) are not assets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { EMBEDDED_ASSETS, EMBEDDED_YAML } from './embedded-assets.js';
import { packagePath } from './paths.js';

/** What the bundle must carry: every file the program reads through this module. */
export const SHIPPED_ASSETS = { files: ['package.json', 'profiles/aks-greetings.yaml'], folders: ['fixtures/scenarios'] } as const;

const diskPath = (relPath: string): string => packagePath(...relPath.split('/'));

export function readAsset(relPath: string): string {
  if (EMBEDDED_ASSETS) {
    const text = EMBEDDED_ASSETS.get(relPath);
    if (text === undefined) throw new Error(`lab-grade: ${relPath} is not built into this bundle`);
    return text;
  }
  return readFileSync(diskPath(relPath), 'utf8');
}

/**
 * A YAML asset as the bundle's build parsed it (a copy: callers may change it), or undefined outside
 * the bundle, where the caller parses the text.
 */
export function builtYamlAsset(relPath: string): unknown {
  if (!EMBEDDED_YAML?.has(relPath)) return undefined;
  return structuredClone(EMBEDDED_YAML.get(relPath));
}

/** The names of the files directly in a folder of assets, sorted. */
export function listAssets(dir: string): string[] {
  if (EMBEDDED_ASSETS) {
    const prefix = `${dir}/`;
    return [...EMBEDDED_ASSETS.keys()]
      .filter((k) => k.startsWith(prefix) && !k.includes('/', prefix.length))
      .map((k) => k.slice(prefix.length))
      .sort();
  }
  return readdirSync(diskPath(dir), { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

/** Where an asset comes from, for messages: its file in the package, or its name in the bundle. */
export function assetSource(relPath: string): string {
  return EMBEDDED_ASSETS ? `(built in) ${relPath}` : diskPath(relPath);
}
