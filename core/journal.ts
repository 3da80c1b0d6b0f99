/**
 * The journal of a class run (`--journal FILE`): one JSON line per finished student, appended and
 * fsync'd as each student finishes, after a header line naming the lab, the checks graded and a hash
 * of the lab profile. Killing the run at any moment loses at most the students in flight; `--resume
 * FILE` reads it back, keeps the `graded` students and grades the rest, appending to the same file.
 *
 * - One run at a time: the journal is locked (`FILE.lock`) from before it is read until the run ends.
 * - A line torn by a kill (no newline yet) is cut off with a warning before anything is appended.
 * - A resume under other rules (another --only selection, another profile, --allow-disruptive or not) is refused: results graded
 *   against other checks or points would be reported as if graded now. `--regrade` appends a new header,
 *   and the results before it no longer count.
 * - Only a regular file of bounded size is read: a device or a file of /proc is refused, never spun on.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, truncateSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ConfigError, errorMessage } from './errors.js';
import { checkRegularFile, landingPath, openToRead, writeAll } from './file-io.js';
import { describeHolder, lockFile, type FileLock } from './file-lock.js';
import type { StudentResult } from './model.js';
import type { LabProfile } from './profile.js';
import type { Shard } from './shard.js';
import type { Target } from './target.js';

/**
 * Journals and ledgers are read line by line, never whole, so their size bounds no memory; the bound
 * only refuses a file no workshop writes (a day of 500 students every minute is a few GB).
 */
const MAX_JOURNAL_BYTES = 64 * 1024 ** 3;

/** What a journal's results were graded against. */
export interface JournalGrading {
  /** `--only` as given; empty: every check. */
  only: string[];
  /** The ids of the checks reported, sorted. */
  checks: string[];
  /** sha256 of the lab profile as loaded (points, pass mark, expected values). */
  profileHash: string;
  /** `--allow-disruptive` with a check that needs it selected: ex6.selfheal (a bonus point) is graded, not skipped. */
  allowDisruptive: boolean;
}

/** How the profile judges a student, so a merge of journals needs no --profile (JSON reports say the same). */
export interface JournalJudgement {
  title: string;
  passMark: number;
  /** Bonus points counted at most; null: no cap. */
  bonusCap: number | null;
}

export interface JournalHeader extends Partial<JournalGrading>, Partial<JournalJudgement> {
  type: 'header';
  lab: string;
  profile?: string;
  version: string;
  startedAt: string;
  shard?: Shard;
}

export interface JournalStudentLine {
  type: 'student';
  /** A ledger (a class graded in rounds during a workshop) numbers its rounds from 1 and times each result. */
  round?: number;
  /** ISO time the student's result was recorded (ledgers only). */
  at?: string;
  student: StudentResult;
}

export type JournalLine = JournalHeader | JournalStudentLine;

export interface JournalScan {
  /** The header the current results were graded under (the last one). */
  header?: JournalHeader;
  warnings: string[];
  /** Byte length of the complete lines; a torn tail lies beyond it. */
  validLength: number;
}

export interface JournalContents extends JournalScan {
  /** The last result of each user graded under the last header. */
  students: Map<string, StudentResult>;
  /** How many student lines each user has (a regraded incomplete student has several). */
  lines: Map<string, number>;
}

/** What a journal header records of how the profile judges a student. */
export function judgementOf(profile: LabProfile): JournalJudgement {
  return { title: profile.title, passMark: profile.passMark, bonusCap: Number.isFinite(profile.bonusCap) ? profile.bonusCap : null };
}

/** The hash a journal header records: the profile's content, not where it was read from. */
export function profileHash(profile: LabProfile): string {
  const { file: _file, title: _title, ...rules } = profile;
  return createHash('sha256').update(canonicalJson(rules)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** "every check" or "--only ex1 --only ex2.app" */
export const describeSelection = (only: readonly string[]): string => (only.length ? only.map((o) => `--only ${o}`).join(' ') : 'every check');
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/**
 * Why results graded under `before` must not be reported as graded under `now`, or undefined when
 * they may. A header of an earlier version (nothing recorded) counts as every check with a profile
 * that cannot be compared.
 */
export function gradingDifference(before: Partial<JournalGrading> & { profile?: string }, now: JournalGrading & { profile?: string }, noun: JournalNaming['noun'] = 'journal'): string | undefined {
  if (before.checks === undefined) {
    return now.only.length
      ? `the ${noun} was written by an earlier lab-grade that did not record its selection: it is taken as every check, this run grades ${describeSelection(now.only)}`
      : undefined;
  }
  if (!sameList(before.checks, now.checks)) {
    const was = describeSelection(before.only ?? []);
    const is = describeSelection(now.only);
    if (was !== is) return `the ${noun} was graded with ${was}, this run grades ${is}`;
    const added = now.checks.filter((c) => !before.checks!.includes(c));
    const dropped = before.checks.filter((c) => !now.checks.includes(c));
    return `the ${noun} graded ${before.checks.length} checks, this run ${now.checks.length} (${[added.length ? `new: ${added.join(', ')}` : '', dropped.length ? `gone: ${dropped.join(', ')}` : ''].filter(Boolean).join('; ')})`;
  }
  // Unrecorded (an earlier version): not known, not compared, as a profile without a hash.
  if (before.allowDisruptive !== undefined && before.allowDisruptive !== now.allowDisruptive) {
    const flag = (allowed: boolean) => (allowed ? 'with --allow-disruptive' : 'without --allow-disruptive');
    return `the ${noun} was graded ${flag(before.allowDisruptive)}, this run grades ${flag(now.allowDisruptive)}: ex6.selfheal would be graded for some students and skipped for others`;
  }
  if (before.profileHash !== undefined && before.profileHash !== now.profileHash) {
    const name = (p: string | undefined, hash: string) => `${p ?? 'unnamed'}, ${hash.slice(0, 12)}`;
    return `the ${noun} was graded with another lab profile (${name(before.profile, before.profileHash)}), this run uses ${name(now.profile, now.profileHash)}: points, pass mark or expected values differ`;
  }
  return undefined;
}

const CHUNK = 1 << 20;

/**
 * Calls `visit` with each complete line of the file, in order, reading it in chunks: a day-long journal
 * is never held in memory, only the line being read. Returns the byte length of the complete lines.
 */
function forEachLine(fd: number, visit: (line: string, lineNo: number) => void): { validLength: number; torn: boolean } {
  const chunk = Buffer.allocUnsafe(CHUNK);
  let pending: Buffer[] = [];
  let validLength = 0;
  let lineNo = 0;
  for (let position = 0; ;) {
    const n = readSync(fd, chunk, 0, CHUNK, position);
    if (n === 0) break;
    position += n;
    let start = 0;
    for (let nl = chunk.indexOf(10, 0); nl !== -1 && nl < n; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = pending.length ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      validLength += line.length + 1;
      start = nl + 1;
      visit(line.toString('utf8'), ++lineNo);
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: `true`/`<=` only add an empty piece when start === n, which `torn` below does not count (`false`/`>=` are killed, ignored with them)
    if (start < n) pending.push(Buffer.from(chunk.subarray(start, n)));
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: `true`/`>=`: no piece is empty (`start < n` above) (`false`/`<=` are killed, ignored with them)
  return { validLength, torn: pending.some((p) => p.length > 0) };
}

/**
 * Reads a journal (or a ledger) line by line, checking each line and handing the student lines to
 * `visit` with the header they were graded under; `onHeader` hears each header after the first (a
 * `--regrade` appends one). A torn last line (no newline yet) is left out with a warning. Only a regular
 * file is read: a device or a file of /proc is refused, never spun on.
 */
export function scanJournal(
  file: string,
  visit: (line: JournalStudentLine, lineNo: number, header: JournalHeader | undefined) => void,
  onHeader?: (header: JournalHeader, previous: JournalHeader) => void,
): JournalScan {
  checkRegularFile(file, 'the journal', MAX_JOURNAL_BYTES);
  const fd = openToRead(file, 'the journal');
  const out: JournalScan = { warnings: [], validLength: 0 };
  try {
    const { validLength, torn } = forEachLine(fd, (line, i) => {
      if (!line.trim()) return;
      const value = parseJournalLine(line);
      if (value === undefined) throw new ConfigError(`line ${i} is not JSON: not a lab-grade journal, or damaged`, file);
      if (value.type === 'header') {
        if (out.header && out.header.lab !== value.lab) throw new ConfigError(`line ${i}: lab ${value.lab} differs from ${out.header.lab} above`, file);
        if (out.header) onHeader?.(value, out.header);
        out.header = value;
      } else if (value.type === 'student') {
        visit(value, i, out.header);
      } else {
        throw new ConfigError(`line ${i}: expected a header or a student line`, file);
      }
    });
    out.validLength = validLength;
    if (torn) out.warnings.push(`${file}: the last line is incomplete (the run was killed while writing it): ignored`);
  } finally {
    closeSync(fd);
  }
  return out;
}

/**
 * One line of a journal: a header, a student line, `{type: 'other'}` for JSON that is neither, or
 * undefined when it is not JSON. Fields a later version adds are kept as they are.
 */
export function parseJournalLine(line: string): JournalLine | { type: 'other' } | undefined {
  let value: { type?: unknown; lab?: unknown; student?: { user?: unknown; checks?: unknown } };
  try {
    value = JSON.parse(line) as typeof value;
  } catch {
    return undefined;
  }
  if (
    value === null ||
    // Stryker disable next-line ConditionalExpression: a number, string or boolean has no `type` nor `student`: `other` below anyway
    typeof value !== 'object'
  )
    return { type: 'other' };
  if (value.type === 'header' && typeof value.lab === 'string') return value as JournalHeader;
  const student = value.student;
  if (
    value.type === 'student' &&
    student &&
    // Stryker disable next-line ConditionalExpression: a number, string or boolean has no `user`: refused by the next test anyway
    typeof student === 'object' &&
    typeof student.user === 'string' &&
    Array.isArray(student.checks)
  )
    return value as JournalStudentLine;
  return { type: 'other' };
}

/**
 * Reads a journal (no lock: `merge` reads journals of finished runs); `visit` also sees every student
 * line, e.g. to rebuild a ledger's state from it.
 */
export function readJournal(file: string, visit?: OpenJournalOptions['visit']): JournalContents {
  const students = new Map<string, StudentResult>();
  const lines = new Map<string, number>();
  const scan = scanJournal(
    file,
    (line, lineNo, header) => {
      const { student } = line;
      // The last result wins: an incomplete student regraded on resume has a later line.
      students.set(student.user, student);
      lines.set(student.user, (lines.get(student.user) ?? 0) + 1);
      visit?.(line, lineNo, header);
    },
    (header, previous) => {
      // A header under other rules (a --regrade) starts over: earlier results were graded differently.
      if (header.checks && gradingDifference(previous, header as JournalHeader & JournalGrading)) {
        students.clear();
        lines.clear();
      }
    },
  );
  return { ...scan, students, lines };
}

const describeShard = (shard: Shard | undefined) => (shard ? `shard ${shard.index}/${shard.count}` : 'the whole roster (no --shard)');

/** Refuses a journal of another lab: its students' results would not mean anything here. */
export function checkJournalLab(file: string, contents: JournalScan, lab: string): void {
  const theirs = contents.header?.lab;
  if (theirs !== undefined && theirs !== lab) throw new ConfigError(`the journal is of lab ${JSON.stringify(theirs)}, this run grades ${JSON.stringify(lab)}`, file);
}

export interface JournalWriter {
  readonly file: string;
  /** What the journal held when it was opened (empty for a new one). */
  readonly contents: JournalContents;
  /** Cuts off a torn last line and writes the header if needed: before the first student is graded. */
  start(): void;
  /** Appends the student's line and fsyncs it; a ledger passes the round and the time. */
  append(student: StudentResult, when?: { round: number; at: string }): void;
  /** Closes the file and releases the lock. */
  close(): void;
}

export interface OpenJournalOptions {
  /** --resume / --rerun-incomplete: the journal must exist, and be of the same rules unless `regrade`. */
  resume?: { regrade: boolean };
  /** What to tell a user whose journal is in use ("wait for it or pass another --journal"). */
  inUseHint?: string;
  /**
   * An existing file is continued, not resumed (a workshop's ledger): as with --resume, one written
   * under other rules (checks, profile) or for another shard is refused, and no --regrade applies.
   */
  continues?: boolean;
  /** What the file is called in messages, and the option that names it (default: a journal, `--journal`). */
  naming?: JournalNaming;
  /** Sees every student line already in the file (read once, line by line), e.g. to rebuild state from it. */
  visit?: (line: JournalStudentLine, lineNo: number, header: JournalHeader | undefined) => void;
}

export interface JournalNaming {
  noun: 'journal' | 'ledger';
  flag: '--journal' | '--ledger';
}

const JOURNAL_NAMING: JournalNaming = { noun: 'journal', flag: '--journal' };

/** A journal header: the lab, and for a class run what it grades (a ledger's rules may change between rounds). */
export type JournalHeaderFields = Omit<JournalHeader, 'type'>;

/**
 * Opens a journal: locks it for this run, reads what it holds and checks it is a journal of this lab
 * graded under this run's rules. Nothing is written until `start()` (or the first `append`).
 */
export function openJournal(file: string, header: JournalHeaderFields, opts: OpenJournalOptions = {}): JournalWriter {
  // Before a lock file is made beside it: /dev/zero.lock must not appear.
  if (existsSync(file)) checkRegularFile(file, 'the journal', MAX_JOURNAL_BYTES);
  const { noun, flag } = opts.naming ?? JOURNAL_NAMING;
  let lock: FileLock;
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Locked under the file's real name: a second run given a link to it must meet the same lock.
    lock = lockFile(landingPath(file), ({ holder, lockFile: path }) => {
      // A process on another machine cannot be looked up from here: the user may know it is gone.
      const elsewhere = holder.host !== hostname() ? ` (if that run is gone, delete ${path})` : '';
      return `${noun} ${file} is in use by lab-grade ${describeHolder(holder)}; ${opts.inUseHint ?? `wait for it or pass another ${flag}`}${elsewhere}`;
    });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot write the ${noun} ${file} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, undefined, flag);
  }
  try {
    return openLocked(file, header, opts, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

function openLocked(file: string, header: JournalHeaderFields, opts: OpenJournalOptions, lock: FileLock): JournalWriter {
  const warnings: string[] = [];
  const { noun, flag } = opts.naming ?? JOURNAL_NAMING;
  if (lock.tookOverFrom) warnings.push(`${noun} ${file} was locked by lab-grade ${describeHolder(lock.tookOverFrom)}; that process is gone: lock taken over`);
  const exists = existsSync(file);
  if (opts.resume && !exists) throw new ConfigError('cannot read the journal (ENOENT)', file);
  const contents: JournalContents = exists ? readJournal(file, opts.visit) : { students: new Map(), lines: new Map(), warnings: [], validLength: 0 };
  contents.warnings.unshift(...warnings);
  checkJournalLab(file, contents, header.lab);
  const before = contents.header;
  const grading = header.checks && header.only && header.profileHash ? (header as JournalHeaderFields & JournalGrading) : undefined;
  const difference = before && grading ? gradingDifference(before, grading, noun) : undefined;
  if (difference && opts.continues) throw new ConfigError(`${difference}; continue it under the rules it was graded with, or pass another ${flag} to start a new one`, file);
  if (difference && opts.resume && !opts.resume.regrade) throw new ConfigError(`${difference}; pass --regrade to grade everyone again`, file);
  // One journal, one shard: another shard's students appended under this header would be merged as this shard's.
  const shardNow = describeShard(header.shard);
  if (before && describeShard(before.shard) !== shardNow) {
    const own = opts.continues ? 'continues' : opts.resume ? 'resumes' : 'writes';
    throw new ConfigError(`the ${noun} was graded for ${describeShard(before.shard)}, this run grades ${shardNow}; each shard ${own} its own ${noun}`, file);
  }
  if (before && before.checks === undefined && grading && !difference && (opts.resume || opts.continues)) {
    contents.warnings.push(
      `${file} was written by an earlier lab-grade that did not record its selection or lab profile: ${opts.continues ? 'continued' : 'resumed'} as every check; its profile cannot be compared`,
    );
  }
  // A new header when the rules differ (or on --regrade): what follows it replaces what came before.
  const needsHeader = !before || !!difference || !!opts.resume?.regrade;

  let fd: number | undefined;
  let closed = false;
  const writeLine = (value: unknown) => {
    const size = fstatSync(fd!).size;
    try {
      writeAll(fd!, `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
      // Durable before the next student is reported: a kill, or a power loss, keeps what was written.
      fsyncSync(fd!);
    } catch (err) {
      // A line cut short (a full disk) would be followed by the next one: take it back, keep one JSON per line.
      ftruncateSync(fd!, size);
      throw err;
    }
  };
  const start = () => {
    if (fd !== undefined) return;
    try {
      if (exists) truncateSync(file, contents.validLength);
      fd = openSync(file, 'a');
      if (needsHeader) writeLine({ type: 'header', ...header } satisfies JournalHeader);
    } catch (err) {
      throw new ConfigError(`cannot write the ${noun} ${file} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, undefined, flag);
    }
  };
  return {
    file,
    contents,
    start,
    append: (student, when) => {
      start();
      writeLine({ type: 'student', ...when, student } satisfies JournalStudentLine);
    },
    close: () => {
      if (closed) return;
      closed = true;
      if (fd !== undefined) closeSync(fd);
      lock.release();
    },
  };
}

/**
 * `.lab-grade/journal-20250102T030405.678Z-shard2of3-pid1234.jsonl`: the default journal of a class run
 * (`kind` live: a workshop's ledger), in the current folder; shards and processes started in the same
 * millisecond get names of their own.
 */
export function defaultJournalPath(o: { now?: Date; pid?: number; shard?: Shard; kind?: 'journal' | 'live' } = {}): string {
  const time = (o.now ?? new Date()).toISOString().replace(/[-:]/g, '');
  const shard = o.shard ? `-shard${o.shard.index}of${o.shard.count}` : '';
  return `.lab-grade/${o.kind ?? 'journal'}-${time}${shard}-pid${o.pid ?? process.pid}.jsonl`;
}

export interface ResumePlan {
  /** The students still to grade this time, in roster order, settled ones included. */
  targets: readonly Target[];
  /** Students graded in the journal: reported again, not regraded. */
  settled: Map<string, StudentResult>;
}

/**
 * `--resume FILE`: everyone in `targets`, reusing the journal's `graded` students (an `incomplete` one
 * is graded again). `--rerun-incomplete FILE` (`onlyJournaled`): only the journal's students, so its
 * incomplete ones are all that is graded. `regrade`: nothing is reused.
 */
export function planResume(journal: JournalContents, targets: readonly Target[], opts: { onlyJournaled: boolean; regrade?: boolean }): ResumePlan {
  const settled = new Map<string, StudentResult>();
  if (!opts.regrade) for (const [user, s] of journal.students) if (s.status === 'graded') settled.set(user, s);
  const chosen = opts.onlyJournaled ? targets.filter((t) => journal.students.has(t.user)) : targets;
  return { targets: chosen, settled };
}
