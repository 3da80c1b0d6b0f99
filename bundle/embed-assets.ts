/**
 * esbuild plugin: `core/embedded-assets.ts` becomes the tables of the package's data files
 * (`SHIPPED_ASSETS`), read here through the asset module itself, so the bundle reads what the
 * normal build reads from disk. The YAML files are also built in parsed, by the same parser the
 * normal build uses: the bundle's `checks` and self-check do not parse the profile at every start.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Plugin } from 'esbuild';
import { assetSource, listAssets, readAsset, SHIPPED_ASSETS } from '../core/assets.js';
import { parseYamlText } from '../core/fields.js';
import { packagePath } from '../core/paths.js';

export function assetTable(): Record<string, string> {
  const paths = [...SHIPPED_ASSETS.files, ...SHIPPED_ASSETS.folders.flatMap((dir) => listAssets(dir).map((name) => `${dir}/${name}`))];
  return Object.fromEntries(paths.map((p) => [p, readAsset(p)]));
}

/** Each YAML asset parsed; refused if its value would not survive the bundle's JSON unchanged. */
export function parsedYamlTable(table: Record<string, string>): Record<string, unknown> {
  const yaml = Object.entries(table).filter(([path]) => path.endsWith('.yaml'));
  return Object.fromEntries(
    yaml.map(([path, text]) => {
      const value = parseYamlText(text, assetSource(path));
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value)) throw new Error(`lab-grade bundle: ${path} parses to values JSON cannot carry`);
      return [path, value];
    }),
  );
}

export function embedAssets(): Plugin {
  const module = packagePath('core', 'embedded-assets.ts');
  return {
    name: 'embed-assets',
    setup(build) {
      build.onLoad({ filter: /embedded-assets\.ts$/ }, (args) => {
        if (args.path !== module) return undefined;
        const table = assetTable();
        return {
          contents: `export const EMBEDDED_ASSETS = new Map(Object.entries(${JSON.stringify(table)}));
export const EMBEDDED_YAML = new Map(Object.entries(${JSON.stringify(parsedYamlTable(table))}));
`,
          loader: 'js',
        };
      });
    },
  };
}
