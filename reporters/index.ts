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
import type { Reporter, ReporterOptions } from './types.js';

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

export const REPORTERS: { readonly [N in ReporterName]: (options: ReporterOptionsByName[N]) => Reporter } = {
  console: createConsoleReporter,
  json: createJsonReporter,
  junit: createJunitReporter,
  markdown: createMarkdownReporter,
  csv: createCsvReporter,
  html: createHtmlReporter,
  checklist: createChecklistReporter,
  progress: createProgressReporter,
};

/** The reports a user names with `--reporter` (the progress line is the run's own display). */
export const REPORT_FORMATS = ['console', 'json', 'junit', 'markdown', 'csv', 'html', 'checklist'] as const satisfies readonly ReporterName[];
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const isReportFormat = (name: string): name is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(name);

export function createReporter<N extends ReporterName>(name: N, options: ReporterOptionsByName[N]): Reporter {
  return REPORTERS[name](options);
}

export type { Reporter, ReporterOptions, ReporterOutput, RunInfo } from './types.js';
