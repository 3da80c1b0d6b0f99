/**
 * A grading whose results go to reports (the command line's default command, `demo`, and a class in
 * the simulated lab): the reports are opened before anything is contacted, put in place when the run
 * ends, and left as they were when it is stopped, with the exact command that resumes it.
 */
import { existsSync } from 'node:fs';
import { loadClassConfig, type ClassConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import type { ReporterOutput } from '../reporters/types.js';
import { grade, type GradeOutcome, type GradeRequest } from './grading.js';
import type { Notices } from './io.js';
import { openReports, sameFileKey, type ReportSpec } from './reports.js';
import { resumeCommand } from './resume-command.js';

export interface ReportedRequest extends Omit<GradeRequest, 'config'> {
  reports: readonly ReportSpec[];
}

export interface ReportIo {
  stdout: ReporterOutput;
  notices: Notices;
}

/** Reports failed to be written; the others were (exit 4, as an internal failure would). */
export const EXIT_REPORT_FAILED = 4;
/** A shell's code for a process stopped by a signal: 128 + its number (SIGINT 130, SIGTERM 143). */
const EXIT_STOPPED = { SIGINT: 130, SIGTERM: 143 } as const;

export async function gradeAndReport(config: ClassConfig, request: ReportedRequest, io: ReportIo): Promise<GradeOutcome> {
  const reports: readonly ReportSpec[] = request.reports.length ? request.reports : [{ format: 'console' }];
  refuseReportsOverInputs(reports, config, request.classRun?.resume?.file ?? request.classRun?.journal.file);
  const users = request.users?.length ?? 0;
  const opened = openReports(reports, { verbose: users === 1 || config.roster.length === 1, stdout: io.stdout });
  let journal: string | undefined;
  const onStop = (signal: NodeJS.Signals) => {
    opened.abandon();
    const how = journal ? `; resume with \`${resumeCommand(request.invocation ?? [], journal)}\`` : '';
    process.stderr.write(`\nlab-grade: stopped${how}\n`);
    process.exit(signal === 'SIGTERM' ? EXIT_STOPPED.SIGTERM : EXIT_STOPPED.SIGINT);
  };
  process.once('SIGINT', onStop);
  process.once('SIGTERM', onStop);
  try {
    const outcome = await grade({ ...request, config }, { reporters: opened.reporters, notices: io.notices, onJournal: (file) => (journal = file) });
    if (outcome.nothingToGrade) {
      // Nothing was graded: the reports as they were stay in place.
      opened.abandon();
      io.notices.status.write(`lab-grade: ${outcome.nothingToGrade}\n`);
      return outcome;
    }
    const failures = opened.finish();
    failures.forEach((f) => io.notices.warn(f));
    return failures.length ? { ...outcome, exitCode: EXIT_REPORT_FAILED } : outcome;
  } catch (err) {
    opened.abandon();
    throw err;
  } finally {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  }
}

/**
 * A report is put in place when the run ends: over the journal, the class config, its roster CSV or
 * another file the run reads (`-r csv=students.csv` for the roster's own name), it would destroy it.
 */
function refuseReportsOverInputs(reports: readonly ReportSpec[], config: ClassConfig, journalFile: string | undefined): void {
  const inputs: Array<[string, string | undefined]> = [
    ['the journal', journalFile],
    ['the class config', config.file],
    ['the roster', config.rosterFile],
    ['the lab profile', config.profileFile],
    ['the kubeconfig', config.kubernetes.kubeconfig],
    ['the VM key', config.vm?.keyFile],
    ['the known hosts file', config.vm?.knownHosts],
  ];
  for (const [what, input] of inputs) {
    if (input === undefined) continue;
    const clash = reports.find((r) => r.file !== undefined && sameFileKey(r.file) === sameFileKey(input));
    if (clash) throw new ConfigError(`${clash.format} would replace ${what} ${clash.file} when the run ends; give the report another file`, undefined, '--reporter');
  }
}

/** Where the README says how to write a class config. */
export const CLASS_CONFIG_SECTION = 'Grading a real class';

/** The command line's default command: a class config file, graded into reports. */
export async function gradeConfigFile(file: string, request: ReportedRequest, io: ReportIo): Promise<GradeOutcome> {
  // The first thing a new instructor meets: say how to get one, not only that it is missing.
  if (!existsSync(file)) throw new ConfigError(`file not found: write the class config there (README, "${CLASS_CONFIG_SECTION}") or name yours with --config FILE`, file);
  return gradeAndReport(loadClassConfig(file), request, io);
}
