/**
 * `lab-grade merge FILE...`: one report from the results of several runs — the JSON reports of a
 * sharded class (`--shard I/N -r json=…`) and/or journals — through any reporter. A student in two
 * files, a shard given twice, shards of different splits or files of different labs are refused
 * (exit 2): a merge that silently picked one result would hide a shard graded twice or a wrong file.
 * A missing shard is warned of (with `--config`, with how many students of the roster it lacks).
 * Students are in roster order with `--config` (as every report lists them), otherwise ordered by user
 * name, so the output does not depend on how the roster was sliced. The
 * pass mark, title and bonus cap are those the JSON reports carry (files that disagree are refused);
 * `--profile` names them for results without. With `--credit` (or the `credit:` of the `--config`) the
 * files are scored with credit over time (live/merge.ts), a shard's several ledgers allowed; a ledger
 * among them without either is scored with earned credit, as `lab-grade live` scores it.
 * Results of a partial run (`--only`, recorded in the JSON report or the journal's header) merge only
 * with results of the same selection, and the merged report is partial too: no pass-mark verdict, and
 * the exit code of a partial run.
 */
import { ALL_CHECKS } from '../checks/index.js';
import { loadClassOutline } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { readRegularFile } from '../core/file-io.js';
import { describeSelection, judgementOf, readJournal } from '../core/journal.js';
import type { RunResult, StudentResult } from '../core/model.js';
import { loadProfile } from '../core/profile.js';
import type { Shard } from '../core/shard.js';
import { VERSION } from '../core/version.js';
import { creditTitle, LIVE_DEFAULT_CREDIT, type CreditMode } from '../live/credit.js';
import { isLedger, MAX_RESULT_BYTES, mergeCredit } from '../live/merge.js';
import { fromJsonStudent, type JsonDocument } from '../reporters/json.js';
import { replayRun, runInfoFor } from '../reporters/replay.js';
import { runExitCode } from './grading.js';
import type { Notices } from './io.js';
import { missingShards, missingShardWarning, shardOf } from './merge-shards.js';
import { reasonCatalogue } from './reasons.js';
import { EXIT_REPORT_FAILED, type ReportIo } from './report-run.js';
import { openReports, type ReportSpec } from './reports.js';

/** What a result file says of the profile its students were judged by (a JSON report, or a journal's header since 0.1). */
type JudgedBy = Pick<JsonDocument, 'title' | 'bonusCap'> & { passMark: number };

interface ResultFile {
  file: string;
  lab: string;
  version?: string;
  shard?: Shard;
  judgedBy?: JudgedBy;
  /** The `--only` selection the students were graded with; empty: every check. */
  only: string[];
  students: StudentResult[];
}

/** The selection a file records, sorted (the order `--only` was given in does not matter); none: every check. */
function selectionOf(only: unknown, file: string): string[] {
  if (only === undefined || only === null) return [];
  if (!Array.isArray(only) || !only.every((o) => typeof o === 'string')) throw new ConfigError(`"only" must be a list of check ids or exercises, not ${JSON.stringify(only)}`, file);
  return [...(only as string[])].sort();
}

/** A JSON report (one document) or a journal (JSON lines), told apart by their content. */
export function readResultFile(file: string, notices: Notices): ResultFile {
  const text = readRegularFile(file, 'the result file', MAX_RESULT_BYTES).toString('utf8');
  let doc: Partial<JsonDocument> | undefined;
  try {
    doc = JSON.parse(text) as Partial<JsonDocument>;
  } catch {
    doc = undefined; // several JSON lines: a journal
  }
  if (doc && Array.isArray(doc.students) && typeof doc.lab === 'string') {
    const judgedBy = typeof doc.passMark === 'number' ? { title: doc.title, passMark: doc.passMark, bonusCap: doc.bonusCap } : undefined;
    const only = selectionOf(doc.only, file);
    return { file, lab: doc.lab, version: doc.grader?.version, ...shardOf(doc.shard, file), ...(judgedBy ? { judgedBy } : {}), only, students: doc.students.map(fromJsonStudent) };
  }
  const journal = readJournal(file);
  journal.warnings.forEach((w) => notices.warn(w));
  const { header } = journal;
  if (!header) throw new ConfigError('neither a lab-grade JSON report nor a journal', file);
  const judgedBy = typeof header.passMark === 'number' ? { title: header.title, passMark: header.passMark, bonusCap: header.bonusCap ?? null } : undefined;
  const only = selectionOf(header.only, file);
  return { file, lab: header.lab, version: header.version, ...shardOf(header.shard, file), ...(judgedBy ? { judgedBy } : {}), only, students: [...journal.students.values()] };
}

/** `roster`: the class's students (`merge --config`), to count those of a missing shard. */
export function mergeResults(files: readonly string[], notices: Notices, roster?: readonly { user: string }[]): RunResult & { judgedBy?: JudgedBy; only?: string[] } {
  if (files.length === 0) throw new ConfigError('name at least one result file (JSON report or journal)', undefined, 'merge');
  const read = files.map((f) => readResultFile(f, notices));
  const missing = missingShards(read, { repeats: false });
  const lab = read[0].lab;
  const owner = new Map<string, string>();
  for (const r of read) {
    if (r.lab !== lab) throw new ConfigError(`is a result of lab ${JSON.stringify(r.lab)}, but ${read[0].file} is of ${JSON.stringify(lab)}: not one class`, r.file);
    const [was, is] = [describeSelection(read[0].only), describeSelection(r.only)];
    if (was !== is) throw new ConfigError(`was graded with ${is}, but ${read[0].file} with ${was}: merge results graded with one selection`, r.file);
    for (const s of r.students) {
      const other = owner.get(s.user);
      if (other !== undefined) throw new ConfigError(`student ${s.user} is also in ${other}: each student must come from one file (a shard merged twice?)`, r.file);
      owner.set(s.user, r.file);
    }
  }
  missing.forEach((shard) => notices.warn(missingShardWarning(shard, roster)));
  const versions = [...new Set(read.map((r) => r.version).filter((v): v is string => !!v))];
  if (versions.length > 1) notices.warn(`the files come from lab-grade versions ${versions.join(', ')}`);
  const judged = read.filter((r) => r.judgedBy);
  for (const r of judged) {
    const [a, b] = [judged[0].judgedBy!, r.judgedBy!];
    if (a.passMark !== b.passMark || (a.bonusCap ?? null) !== (b.bonusCap ?? null)) {
      throw new ConfigError(
        `was judged with pass mark ${b.passMark}% and bonus cap ${b.bonusCap ?? 'none'}, but ${judged[0].file} with ${a.passMark}% and ${a.bonusCap ?? 'none'}: not one class`,
        r.file,
      );
    }
  }
  const students = read.flatMap((r) => r.students).sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  const only = read[0].only;
  return {
    lab,
    generatedAt: new Date().toISOString(),
    grader: { version: versions[0] ?? VERSION },
    ...(judged.length ? { judgedBy: judged[0].judgedBy } : {}),
    ...(only.length ? { only } : {}),
    students,
  };
}

/** The students in the roster's order; any the roster does not name (it changed since) after them, as they came. */
export function inRosterOrder<S extends { user: string }>(students: readonly S[], roster: readonly { user: string }[]): S[] {
  const place = new Map(roster.map((t, i) => [t.user, i]));
  const at = (s: S) => place.get(s.user) ?? roster.length;
  // Array.prototype.sort is stable: students off the roster keep their order.
  return [...students].sort((a, b) => at(a) - at(b));
}

export interface MergeOptions {
  /**
   * The class config (`merge --config`): a missing shard is told with how many students of the roster
   * it lacks, and its `credit` scores the files unless `credit` is given.
   */
  configFile?: string;
  /**
   * Score with credit over time: ledgers (a workshop graded in rounds) and single runs; `earned` counts
   * a check that passed at any grading, `final` the latest grading only.
   */
  credit?: CreditMode;
}

/** One report from the results of several runs, through any reporters; the exit code of the merged class. */
export async function mergeReports(files: readonly string[], reports: readonly ReportSpec[], profileFile: string | undefined, io: ReportIo, options: MergeOptions = {}): Promise<number> {
  const profile = loadProfile(profileFile, ALL_CHECKS);
  // The roster and the credit only: merging reads none of the config's credentials.
  const config = options.configFile === undefined ? undefined : loadClassOutline(options.configFile);
  const roster = config?.roster;
  // A ledger holds every round: without a credit it is scored as live scored it, never by whichever line came last.
  const ledger = (options.credit ?? config?.credit) ? undefined : files.find((f) => isLedger(f));
  const credit = options.credit ?? config?.credit ?? (ledger === undefined ? undefined : LIVE_DEFAULT_CREDIT);
  if (ledger !== undefined) io.notices.status.write(`${ledger} is a ledger of lab-grade live: scored with ${credit} credit, as live scores it (--credit final: the latest round only)\n`);
  let run: RunResult;
  let judgedBy: JudgedBy | undefined;
  let only: string[] | undefined;
  if (credit) {
    const { warnings, sources, ...merged } = mergeCredit(files, { mode: credit, profile });
    warnings.forEach((w) => io.notices.warn(w));
    const sharded = sources.map((s) => ({ file: s.file, ...shardOf(s.shard, s.file) }));
    missingShards(sharded, { repeats: true }).forEach((shard) => io.notices.warn(missingShardWarning(shard, roster)));
    run = merged;
  } else {
    ({ judgedBy, only, ...run } = mergeResults(files, io.notices, roster));
  }
  if (roster) run = { ...run, students: inRosterOrder(run.students, roster) };
  const reasons = reasonCatalogue(profile.expect, ALL_CHECKS);
  const bonusCap = (cap: number | null | undefined) => (typeof cap === 'number' ? { bonusCap: cap } : {});
  // The title says how credit was given.
  const titled = (title: string) => (credit ? creditTitle(title, credit) : title);
  // What the results carry, unless a profile is named; the built-in one only for its own lab.
  const judged = judgedBy && profileFile === undefined ? judgedBy : profile.lab === run.lab ? judgementOf(profile) : undefined;
  const info = judged && runInfoFor(run, { title: titled(judged.title ?? run.lab), passMark: judged.passMark, ...bonusCap(judged.bonusCap), reasons, ...(only ? { only } : {}) });
  const opened = openReports(reports.length ? reports : [{ format: 'console' }], { verbose: run.students.length === 1, stdout: io.stdout });
  try {
    for (const r of opened.reporters) await replayRun(r, run, info);
  } catch (err) {
    opened.abandon();
    throw err;
  }
  const failures = opened.finish();
  failures.forEach((f) => io.notices.warn(f));
  return failures.length ? EXIT_REPORT_FAILED : runExitCode(run.students, only);
}
