/**
 * esbuild plugin: `core/embedded-assets.ts` becomes the table of the package's data files
 * (`SHIPPED_ASSETS`), read here through the asset module itself, so the bundle reads what the
 * normal build reads from disk.
 */
import type { Plugin } from 'esbuild';
import { listAssets, readAsset, SHIPPED_ASSETS } from '../core/assets.js';
import { packagePath } from '../core/paths.js';

export function assetTable(): Record<string, string> {
  const paths = [...SHIPPED_ASSETS.files, ...SHIPPED_ASSETS.folders.flatMap((dir) => listAssets(dir).map((name) => `${dir}/${name}`))];
  return Object.fromEntries(paths.map((p) => [p, readAsset(p)]));
}

export function embedAssets(): Plugin {
  const module = packagePath('core', 'embedded-assets.ts');
  return {
    name: 'embed-assets',
    setup(build) {
      build.onLoad({ filter: /embedded-assets\.ts$/ }, (args) => {
        if (args.path !== module) return undefined;
        const table = assetTable();
        return { contents: `export const EMBEDDED_ASSETS = new Map(Object.entries(${JSON.stringify(table)}));\n`, loader: 'js' };
      });
    },
  };
}
