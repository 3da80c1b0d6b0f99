/**
 * esbuild plugin: yargs lays out its help (cliui, wrap-ansi) by measuring every word with string-width,
 * which splits text into graphemes with Intl.Segmenter: over 40 ms of a 200 ms `--help`, and paid again
 * by every command, which renders its help in advance. Printable ASCII is as wide as it is long, so only
 * other text (ANSI colours, accents, CJK, emoji) goes on to the string-width the importer would load.
 */
import type { Plugin } from 'esbuild';

const NAMESPACE = 'ascii-width';

export function asciiFastWidth(): Plugin {
  return {
    name: NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData === NAMESPACE) return undefined;
        // Not found, the path is empty and esbuild says so in its own words.
        const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: NAMESPACE });
        return { path: real.path, namespace: NAMESPACE };
      });
      // Stryker disable next-line Regex: a resolved path is never empty, so `.` matches every one as `.*` does
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: asciiFirst(args.path),
        loader: 'js',
        resolveDir: '/',
      }));
    },
  };
}

/** The module that stands in for string-width at `realPath`. */
function asciiFirst(realPath: string): string {
  return `import measure from ${JSON.stringify(realPath)};
const printableAscii = /^[\\x20-\\x7e]*$/;
export default function stringWidth(text, options) {
  return typeof text === 'string' && printableAscii.test(text) ? text.length : measure(text, options);
}
`;
}
