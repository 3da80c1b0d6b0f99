/**
 * The reports a user names with `--reporter` (the progress line is the run's own display): the names
 * alone, so the command line checks them without loading every reporter (reporters/index.ts does).
 */
export const REPORT_FORMATS = ['console', 'json', 'junit', 'markdown', 'csv', 'html', 'checklist'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const isReportFormat = (name: string): name is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(name);
