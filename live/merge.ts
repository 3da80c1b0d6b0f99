/**
 * `lab-grade merge LEDGER… --credit earned|final`: the results of several files scored with credit over
 * time. Ledgers (a class graded in rounds) are read line by line; JSON reports and journals of single
 * runs count as one grading each, at their time. A student may be in several ledgers (a workshop graded
 * by more than one run) and in a ledger and a report; a student in two single-run files is refused, as
 * `merge` refuses it (a shard merged twice). Files of different labs are refused.
 */
import { closeSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { checkRegularFile, openToRead, readRegularFile } from '../core/file-io.js';
import { describeSelection, parseJournalLine, scanJournal } from '../core/journal.js';
import type { CheckResult, Evidence, RunResult, Status, StudentResult } from '../core/model.js';
import type { LabProfile } from '../core/profile.js';
import { VERSION } from '../core/version.js';
import { fromJsonStudent, type JsonDocument, type JsonStudent } from '../reporters/json.js';
import { CreditBook, scoreStudentCredit, type CreditMode, type CreditedStudent, type ScoreOptions } from './credit.js';
import { ledgerEntryOf, type LedgerEntry } from './ledger.js';

export interface CreditRun extends RunResult {
  students: CreditedStudent[];
  /** Torn last lines, several grader versions: to show the user. */
  warnings: string[];
  /** Each file read, with the shard its header or document records (unchecked: as written). */
  sources: FileSource[];
}

export interface FileSource {
  file: string;
  lab: string;
  version?: string;
  shard?: unknown;
}

/** What the files are called in errors: the name `merge` gives them whatever their kind. */
const RESULT_FILE = 'the result file';

/** Far beyond a class's results; a bigger JSON report is not one (ledgers are read line by line, unbounded by this). */
export const MAX_RESULT_BYTES = 256 * 1024 * 1024;

/** Whether the file's first line is a journal header (journal or ledger) rather than a JSON document. */
function isJournal(file: string): boolean {
  // A folder, a device or a named pipe is refused here, named, before it is read (or waited on).
  checkRegularFile(file, RESULT_FILE, Number.MAX_SAFE_INTEGER);
  const fd = openToRead(file, RESULT_FILE);
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, n).toString('utf8');
    const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
    return parseJournalLine(first)?.type === 'header';
  } finally {
    closeSync(fd);
  }
}

/** Stops a scan at a file's first student line: whether that line carries a round. */
class FirstStudentLine {
  constructor(readonly round: boolean) {}
}

/**
 * Whether the file is a live workshop's ledger: a journal whose student lines carry their round (a
 * class run's journal has one line per student, a ledger one per student and round). Read up to its
 * first student line only.
 */
export function isLedger(file: string): boolean {
  if (!isJournal(file)) return false;
  try {
    scanJournal(file, (line) => {
      throw new FirstStudentLine(line.round !== undefined);
    });
  } catch (err) {
    if (err instanceof FirstStudentLine) return err.round;
    throw err;
  }
  return false;
}

type CreditedCheckJson = CheckResult & { earnedAt?: string; earnedRound?: number; now?: { status: Status; message: string; hint?: string; evidence: Evidence } };

/**
 * The entries of a single-run JSON report's student: its result at the report's time. A report that
 * was itself scored with credit gives back what was found then, and a grading at each earned time.
 */
function reportEntries(student: StudentResult, at: string): LedgerEntry[] {
  const plain = ({ earnedAt: _a, earnedRound: _r, now: _n, ...c }: CreditedCheckJson): CheckResult => c;
  const checks = student.checks as CreditedCheckJson[];
  const found = checks.map((c) => (c.now ? { ...plain(c), status: c.now.status, message: c.now.message, hint: c.now.hint, evidence: c.now.evidence } : plain(c)));
  const earlier = new Map<string, LedgerEntry>();
  for (const c of checks) {
    if (c.earnedAt === undefined || c.earnedAt === at) continue;
    const entry = earlier.get(c.earnedAt) ?? { round: c.earnedRound ?? 1, at: c.earnedAt, student: { ...student, checks: [] } };
    entry.student.checks.push({ ...plain(c), status: 'pass' });
    earlier.set(c.earnedAt, entry);
  }
  return [...earlier.values(), { round: 1, at, student: { ...student, checks: found } }];
}

/** Credit over time counts every check of the lab: a partial run's results (`--only`) would score as if the rest were missing. */
function refusePartial(file: string, only: unknown): void {
  if (Array.isArray(only) && only.length) {
    throw new ConfigError(`was graded with ${describeSelection(only.map(String))} (a partial run): credit over time counts every check of the lab; merge it without --credit`, file);
  }
}

const sourceOf = (file: string, from: { lab: string; version?: string; shard?: unknown }): FileSource => ({
  file,
  lab: from.lab,
  ...(from.version !== undefined ? { version: from.version } : {}),
  ...(from.shard !== undefined ? { shard: from.shard } : {}),
});

/** Reads `files` into one class scored in `mode`, students by user name. */
export function mergeCredit(files: readonly string[], options: { mode: CreditMode; profile: LabProfile; clock?: ScoreOptions['clock'] }): CreditRun {
  if (files.length === 0) throw new ConfigError('name at least one ledger, journal or JSON report', undefined, 'merge');
  const twice = files.find((f, i) => files.findIndex((g) => resolve(g) === resolve(f)) !== i);
  if (twice !== undefined) throw new ConfigError('is named twice: its students would count twice', twice);
  const book = new CreditBook();
  const warnings: string[] = [];
  const sources: FileSource[] = [];
  const singleRunOwner = new Map<string, string>();
  /** A single run's student (a JSON report's, or a journal line with no time of its own) is in one file only. */
  const claim = (user: string, file: string) => {
    const other = singleRunOwner.get(user);
    if (other !== undefined && other !== file) throw new ConfigError(`student ${user} is also in ${other}: each student must come from one file (a shard merged twice?)`, file);
    singleRunOwner.set(user, file);
  };
  const checkLab = (source: FileSource) => {
    const first = sources[0];
    if (first && source.lab !== first.lab) throw new ConfigError(`is a result of lab ${JSON.stringify(source.lab)}, but ${first.file} is of ${JSON.stringify(first.lab)}: not one class`, source.file);
    sources.push(source);
  };

  for (const file of files) {
    if (isJournal(file)) {
      let source: FileSource | undefined;
      const scan = scanJournal(file, (line, lineNo, header) => {
        if (!header) throw new ConfigError(`line ${lineNo}: a student line before the header`, file);
        refusePartial(file, header.only);
        if (!source) checkLab((source = sourceOf(file, header)));
        // A ledger's student may also be in other files: its lines carry their own time.
        if (line.at === undefined) claim(line.student.user, file);
        book.ingest(ledgerEntryOf(line, header.startedAt, `${file} line ${lineNo}`));
      });
      if (!source && scan.header) {
        refusePartial(file, scan.header.only);
        checkLab(sourceOf(file, scan.header));
      }
      warnings.push(...scan.warnings);
      continue;
    }
    let doc: Partial<JsonDocument>;
    try {
      doc = JSON.parse(readRegularFile(file, RESULT_FILE, MAX_RESULT_BYTES).toString('utf8')) as Partial<JsonDocument>;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError('neither a lab-grade JSON report nor a journal or ledger', file);
    }
    if (!doc || !Array.isArray(doc.students) || typeof doc.lab !== 'string' || typeof doc.generatedAt !== 'string')
      throw new ConfigError('neither a lab-grade JSON report nor a journal or ledger', file);
    refusePartial(file, doc.only);
    checkLab(sourceOf(file, { lab: doc.lab, version: doc.grader?.version, shard: doc.shard }));
    for (const s of doc.students as JsonStudent[]) {
      const student = fromJsonStudent(s);
      claim(student.user, file);
      for (const entry of reportEntries(student, doc.generatedAt)) book.ingest(entry);
    }
  }

  const versions = [...new Set(sources.map((s) => s.version).filter((v): v is string => !!v))];
  if (versions.length > 1) warnings.push(`the files come from lab-grade versions ${versions.join(', ')}`);
  const students = [...book.values()].sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0)).map((credit) => scoreStudentCredit(credit, options.profile, options.mode, options.clock));
  return { lab: sources[0]?.lab ?? options.profile.lab, generatedAt: new Date().toISOString(), grader: { version: versions[0] ?? VERSION }, students, warnings, sources };
}
