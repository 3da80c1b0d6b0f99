/**
 * The registry of reporters by name (Vitest's ReportersMap): one explicit map, one file per format.
 * The CLI's `--reporter <name>` is checked against `reporterNames()`.
 */
import { createConsoleReporter } from './console.js';
import { createCsvReporter } from './csv.js';
import { createHtmlReporter } from './html.js';
import { createJsonReporter } from './json.js';
import { createJunitReporter } from './junit.js';
import { createMarkdownReporter } from './markdown.js';
import type { Reporter, ReporterFactory, ReporterOptions } from './types.js';

/** Null prototype: `REPORTERS['toString']` must be undefined, not Object.prototype's function. */
export const REPORTERS: Readonly<Record<string, ReporterFactory>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ReporterFactory>, {
    console: createConsoleReporter,
    json: createJsonReporter,
    junit: createJunitReporter,
    markdown: createMarkdownReporter,
    csv: createCsvReporter,
    html: createHtmlReporter,
  }),
);

export const DEFAULT_REPORTER = 'console';

export function reporterNames(): string[] {
  return Object.keys(REPORTERS);
}

/** Throws with the known names, so a typo on the command line says what would have worked. */
export function createReporter(name: string, options: ReporterOptions): Reporter {
  if (!Object.hasOwn(REPORTERS, name)) {
    throw new Error(`unknown reporter "${name}"; known reporters: ${reporterNames().join(', ')}`);
  }
  return REPORTERS[name](options);
}

export type { Reporter, ReporterFactory, ReporterOptions, ReporterOutput, RunInfo } from './types.js';
