/**
 * The registry of reporters by name (Vitest's ReportersMap): one explicit map, one file per format,
 * each with its own typed options. `--reporter NAME` names one of REPORT_FORMATS; the progress line and
 * the self-check's checklist are reporters too.
 */
import { createChecklistReporter, type ChecklistOptions } from './checklist.js';
import { createConsoleReporter } from './console.js';
import { createCsvReporter } from './csv.js';
import { createHtmlReporter } from './html.js';
import { createJsonReporter } from './json.js';
import { createJunitReporter } from './junit.js';
import { createMarkdownReporter } from './markdown.js';
import { createProgressReporter, type ProgressOptions } from './progress.js';
import { REPORT_FORMATS } from './formats.js';
import type { Reporter, ReporterOptions, StatusLine } from './types.js';

export interface ReporterOptionsByName {
  console: ReporterOptions;
  json: ReporterOptions;
  junit: ReporterOptions;
  markdown: ReporterOptions;
  csv: ReporterOptions;
  html: ReporterOptions;
  checklist: ChecklistOptions;
  progress: ProgressOptions;
}

export type ReporterName = keyof ReporterOptionsByName;

/** What each factory makes: a reporter; the progress line one that steps aside for other output too. */
export type ReporterByName = { [N in ReporterName]: N extends 'progress' ? Reporter & StatusLine : Reporter };

export const REPORTERS: { readonly [N in ReporterName]: (options: ReporterOptionsByName[N]) => ReporterByName[N] } = {
  console: createConsoleReporter,
  json: createJsonReporter,
  junit: createJunitReporter,
  markdown: createMarkdownReporter,
  csv: createCsvReporter,
  html: createHtmlReporter,
  checklist: createChecklistReporter,
  progress: createProgressReporter,
};

// Every report format is a reporter of this map.
REPORT_FORMATS satisfies readonly ReporterName[];

export function createReporter<N extends ReporterName>(name: N, options: ReporterOptionsByName[N]): ReporterByName[N] {
  return REPORTERS[name](options);
}

export { isReportFormat, REPORT_FORMATS, type ReportFormat } from './formats.js';
export type { Reporter, ReporterOptions, ReporterOutput, RunInfo, StatusLine } from './types.js';
