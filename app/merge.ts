/**
 * `lab-grade merge FILE...`: one report from the results of several runs — the JSON reports of a
 * sharded class (`--shard I/N -r json=…`) and/or journals — through any reporter. A student in two
 * files or files of different labs are refused (exit 2): a merge that silently picked one result
 * would hide a shard graded twice or a wrong file. Students are ordered by user name, so the output
 * does not depend on how the roster was sliced. The pass mark, title and bonus cap are those the JSON
 * reports carry (files that disagree are refused); `--profile` names them for results without.
 */
import { readFileSync } from 'node:fs';
import { ALL_CHECKS } from '../checks/index.js';
import { ConfigError } from '../core/errors.js';
import { readJournal } from '../core/journal.js';
import type { RunResult, StudentResult } from '../core/model.js';
import { loadProfile } from '../core/profile.js';
import { exitCodeFor } from '../core/score.js';
import { VERSION } from '../core/version.js';
import type { JsonDocument, JsonStudent } from '../reporters/json.js';
import { replayRun, runInfoFor } from '../reporters/replay.js';
import type { Notices } from './io.js';
import { reasonCatalogue } from './reasons.js';
import { EXIT_REPORT_FAILED, type ReportIo } from './report-run.js';
import { openReports, type ReportSpec } from './reports.js';

/** What a result file says of the profile its students were judged by (a JSON report; journals say nothing). */
type JudgedBy = Pick<JsonDocument, 'title' | 'bonusCap'> & { passMark: number };

interface ResultFile {
  file: string;
  lab: string;
  version?: string;
  judgedBy?: JudgedBy;
  students: StudentResult[];
}

function fromJsonStudent(s: JsonStudent): StudentResult {
  return {
    ...s,
    checks: s.checks.map(({ hint, blockedBy, code, ...c }) => ({
      ...c,
      ...(hint !== null && hint !== undefined ? { hint } : {}),
      ...(blockedBy !== null && blockedBy !== undefined ? { blockedBy } : {}),
      ...(code !== null && code !== undefined ? { code } : {}),
    })),
  };
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
    const judgedBy = typeof doc.passMark === 'number' ? { title: doc.title, passMark: doc.passMark, bonusCap: doc.bonusCap } : undefined;
    return { file, lab: doc.lab, version: doc.grader?.version, ...(judgedBy ? { judgedBy } : {}), students: doc.students.map(fromJsonStudent) };
  }
  const journal = readJournal(file);
  journal.warnings.forEach((w) => notices.warn(w));
  if (!journal.header) throw new ConfigError('neither a lab-grade JSON report nor a journal', file);
  return { file, lab: journal.header.lab, version: journal.header.version, students: [...journal.students.values()] };
}

export function mergeResults(files: readonly string[], notices: Notices): RunResult & { judgedBy?: JudgedBy } {
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
  const judged = read.filter((r) => r.judgedBy);
  for (const r of judged) {
    const [a, b] = [judged[0].judgedBy!, r.judgedBy!];
    if (a.passMark !== b.passMark || (a.bonusCap ?? null) !== (b.bonusCap ?? null)) {
      throw new ConfigError(`was judged with pass mark ${b.passMark}% and bonus cap ${b.bonusCap ?? 'none'}, but ${judged[0].file} with ${a.passMark}% and ${a.bonusCap ?? 'none'}: not one class`, r.file);
    }
  }
  const students = read.flatMap((r) => r.students).sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  return { lab, generatedAt: new Date().toISOString(), grader: { version: versions[0] ?? VERSION }, ...(judged.length ? { judgedBy: judged[0].judgedBy } : {}), students };
}

/** One report from the results of several runs, through any reporters; the exit code of the merged class. */
export async function mergeReports(files: readonly string[], reports: readonly ReportSpec[], profileFile: string | undefined, io: ReportIo): Promise<number> {
  const { judgedBy, ...run } = mergeResults(files, io.notices);
  const profile = loadProfile(profileFile, ALL_CHECKS);
  const reasons = reasonCatalogue(ALL_CHECKS);
  const bonusCap = (cap: number | null | undefined) => (typeof cap === 'number' ? { bonusCap: cap } : {});
  // What the results carry, unless a profile is named; the built-in one only for its own lab.
  const info =
    judgedBy && profileFile === undefined
      ? runInfoFor(run, { title: judgedBy.title ?? run.lab, passMark: judgedBy.passMark, ...bonusCap(judgedBy.bonusCap), reasons })
      : profile.lab === run.lab
        ? runInfoFor(run, { title: profile.title, passMark: profile.passMark, ...bonusCap(Number.isFinite(profile.bonusCap) ? profile.bonusCap : null), reasons })
        : undefined;
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
