/**
 * A report written once, when the run ends (json, junit, markdown, csv, html): it keeps the run's info
 * given at the start (title, pass mark, the `--only` selection, how to re-run) to render with the
 * results. A replayed result has no info: the report is rendered without it.
 */
import type { RunResult } from '../core/model.js';
import type { Reporter, ReporterOptions, RunInfo } from './types.js';

export function documentReporter(options: ReporterOptions, render: (run: RunResult, info: RunInfo | undefined, write: (text: string) => void) => void): Reporter {
  let info: RunInfo | undefined;
  return {
    onRunStart(i) {
      info = i;
    },
    onRunEnd(run) {
      render(run, info, (text) => options.output.write(text));
    },
  };
}
