/**
 * `lab-grade merge FILE...`: one report from the results of several runs — the JSON reports of a
 * sharded class (`--shard I/N -r json=…`) and/or journals — through any reporter. A student in two
 * files or files of different labs are refused (exit 2): a merge that silently picked one result
 * would hide a shard graded twice or a wrong file. Students are ordered by user name, so the output
 * does not depend on how the roster was sliced.
 */
import { readFileSync } from 'node:fs';
import { ALL_CHECKS } from '../checks/index.js';
import { ConfigError } from '../core/errors.js';
import { readJournal } from '../core/journal.js';
import type { RunResult, StudentResult } from '../core/model.js';
import { loadProfile } from '../core/profile.js';
import { exitCodeFor } from '../core/score.js';
import { VERSION } from '../core/version.js';
import type { CreditMode } from '../live/credit.js';
import { mergeCredit } from '../live/merge.js';
import { fromJsonStudent, type JsonDocument } from '../reporters/json.js';
import { replayRun, runInfoFor } from '../reporters/replay.js';
import type { Notices } from './io.js';
import { EXIT_REPORT_FAILED, type ReportIo } from './report-run.js';
import { openReports, type ReportSpec } from './reports.js';

interface ResultFile {
  file: string;
  lab: string;
  version?: string;
  students: StudentResult[];
}

/** A JSON report (one document) or a journal (JSON lines), told apart by their content. */
export function readResultFile(file: string, notices: Notices): ResultFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, file);
  }
  let doc: Partial<JsonDocument> | undefined;
  try {
    doc = JSON.parse(text) as Partial<JsonDocument>;
  } catch {
    doc = undefined; // several JSON lines: a journal
  }
  if (doc && Array.isArray(doc.students) && typeof doc.lab === 'string') {
    return { file, lab: doc.lab, version: doc.grader?.version, students: doc.students.map(fromJsonStudent) };
  }
  const journal = readJournal(file);
  journal.warnings.forEach((w) => notices.warn(w));
  if (!journal.header) throw new ConfigError('neither a lab-grade JSON report nor a journal', file);
  return { file, lab: journal.header.lab, version: journal.header.version, students: [...journal.students.values()] };
}

export function mergeResults(files: readonly string[], notices: Notices): RunResult {
  if (files.length === 0) throw new ConfigError('name at least one result file (JSON report or journal)', undefined, 'merge');
  const read = files.map((f) => readResultFile(f, notices));
  const lab = read[0].lab;
  const owner = new Map<string, string>();
  for (const r of read) {
    if (r.lab !== lab) throw new ConfigError(`is a result of lab ${JSON.stringify(r.lab)}, but ${read[0].file} is of ${JSON.stringify(lab)}: not one class`, r.file);
    for (const s of r.students) {
      const other = owner.get(s.user);
      if (other !== undefined) throw new ConfigError(`student ${s.user} is also in ${other}: each student must come from one file (a shard merged twice?)`, r.file);
      owner.set(s.user, r.file);
    }
  }
  const versions = [...new Set(read.map((r) => r.version).filter((v): v is string => !!v))];
  if (versions.length > 1) notices.warn(`the files come from lab-grade versions ${versions.join(', ')}`);
  const students = read.flatMap((r) => r.students).sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  return { lab, generatedAt: new Date().toISOString(), grader: { version: versions[0] ?? VERSION }, students };
}

/**
 * One report from the results of several runs, through any reporters; the exit code of the merged class.
 * With `credit`, ledgers (a workshop graded in rounds) and single runs are scored with credit over time:
 * `earned` counts a check that passed at any grading, `final` the latest grading only.
 */
export async function mergeReports(files: readonly string[], reports: readonly ReportSpec[], profileFile: string | undefined, io: ReportIo, credit?: CreditMode): Promise<number> {
  const profile = loadProfile(profileFile, ALL_CHECKS);
  let run: RunResult;
  if (credit) {
    const { warnings, ...merged } = mergeCredit(files, { mode: credit, profile });
    warnings.forEach((w) => io.notices.warn(w));
    run = merged;
  } else run = mergeResults(files, io.notices);
  // The title and pass mark are the profile's: shown only when it is the profile of these results. The title says how credit was given.
  const title = credit ? `${profile.title} (${credit} credit)` : profile.title;
  const info = profile.lab === run.lab ? runInfoFor(run, { title, passMark: profile.passMark }) : undefined;
  const opened = openReports(reports.length ? reports : [{ format: 'console' }], { verbose: run.students.length === 1, stdout: io.stdout });
  try {
    for (const r of opened.reporters) await replayRun(r, run, info);
  } catch (err) {
    opened.abandon();
    throw err;
  }
  const failures = opened.finish();
  failures.forEach((f) => io.notices.warn(f));
  return failures.length ? EXIT_REPORT_FAILED : exitCodeFor(run.students);
}
