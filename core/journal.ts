/**
 * The journal of a class run (`--journal FILE`): one JSON line per finished student, appended and
 * fsync'd as each student finishes, after a header line naming the lab, the checks graded and a hash
 * of the lab profile. Killing the run at any moment loses at most the students in flight; `--resume
 * FILE` reads it back, keeps the `graded` students and grades the rest, appending to the same file.
 *
 * - One run at a time: the journal is locked (`FILE.lock`) from before it is read until the run ends.
 * - A line torn by a kill (no newline yet) is cut off with a warning before anything is appended.
 * - A resume under other rules (another --only selection, another profile) is refused: results graded
 *   against other checks or points would be reported as if graded now. `--regrade` appends a new header,
 *   and the results before it no longer count.
 * - Only a regular file of bounded size is read: a device or a file of /proc is refused, never spun on.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, truncateSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, errorMessage } from './errors.js';
import { describeHolder, lockFile, type FileLock } from './file-lock.js';
import type { StudentResult } from './model.js';
import type { LabProfile } from './profile.js';
import { checkRegularFile, readRegularFile, writeAll } from './file-io.js';
import type { Shard } from './shard.js';
import type { Target } from './target.js';

/** Far beyond a class's journal (a student's line is tens of KB), and within what one string can hold. */
const MAX_JOURNAL_BYTES = 256 * 1024 * 1024;

/** What a journal's results were graded against. */
export interface JournalGrading {
  /** `--only` as given; empty: every check. */
  only: string[];
  /** The ids of the checks reported, sorted. */
  checks: string[];
  /** sha256 of the lab profile as loaded (points, pass mark, expected values). */
  profileHash: string;
}

export interface JournalHeader extends Partial<JournalGrading> {
  type: 'header';
  lab: string;
  profile?: string;
  version: string;
  startedAt: string;
  shard?: Shard;
}

interface JournalStudentLine {
  type: 'student';
  student: StudentResult;
}

export interface JournalContents {
  /** The header the current results were graded under (the last one). */
  header?: JournalHeader;
  /** The last result of each user. */
  students: Map<string, StudentResult>;
  /** How many student lines each user has (a regraded incomplete student has several). */
  lines: Map<string, number>;
  warnings: string[];
  /** Byte length of the complete lines; a torn tail lies beyond it. */
  validLength: number;
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
const describeSelection = (only: readonly string[]) => (only.length ? only.map((o) => `--only ${o}`).join(' ') : 'every check');
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/**
 * Why results graded under `before` must not be reported as graded under `now`, or undefined when
 * they may. A header of an earlier version (nothing recorded) counts as every check with a profile
 * that cannot be compared.
 */
export function gradingDifference(before: Partial<JournalGrading> & { profile?: string }, now: JournalGrading & { profile?: string }): string | undefined {
  if (before.checks === undefined) {
    return now.only.length ? `the journal was written by an earlier lab-grade that did not record its selection: it is taken as every check, this run grades ${describeSelection(now.only)}` : undefined;
  }
  if (!sameList(before.checks, now.checks)) {
    const was = describeSelection(before.only ?? []);
    const is = describeSelection(now.only);
    if (was !== is) return `the journal was graded with ${was}, this run grades ${is}`;
    const added = now.checks.filter((c) => !before.checks!.includes(c));
    const dropped = before.checks.filter((c) => !now.checks.includes(c));
    return `the journal graded ${before.checks.length} checks, this run ${now.checks.length} (${[added.length ? `new: ${added.join(', ')}` : '', dropped.length ? `gone: ${dropped.join(', ')}` : ''].filter(Boolean).join('; ')})`;
  }
  if (before.profileHash !== undefined && before.profileHash !== now.profileHash) {
    const name = (p: string | undefined, hash: string) => `${p ?? 'unnamed'}, ${hash.slice(0, 12)}`;
    return `the journal was graded with another lab profile (${name(before.profile, before.profileHash)}), this run uses ${name(now.profile, now.profileHash)}: points, pass mark or expected values differ`;
  }
  return undefined;
}

/** Reads a journal (no lock: `merge` reads journals of finished runs). */
export function readJournal(file: string): JournalContents {
  const bytes = readRegularFile(file, 'the journal', MAX_JOURNAL_BYTES);
  const text = bytes.toString('utf8');
  const out: JournalContents = { students: new Map(), lines: new Map(), warnings: [], validLength: 0 };
  const end = text.lastIndexOf('\n') + 1;
  out.validLength = Buffer.byteLength(text.slice(0, end));
  if (end < text.length) out.warnings.push(`${file}: the last line is incomplete (the run was killed while writing it): ignored`);
  text
    .slice(0, end)
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let value: { type?: unknown; lab?: string; student?: StudentResult };
      try {
        value = JSON.parse(line) as typeof value;
      } catch {
        throw new ConfigError(`line ${i + 1} is not JSON: not a lab-grade journal, or damaged`, file);
      }
      if (value?.type === 'header' && typeof value.lab === 'string') {
        const header = value as JournalHeader;
        if (out.header && out.header.lab !== header.lab) throw new ConfigError(`line ${i + 1}: lab ${header.lab} differs from ${out.header.lab} above`, file);
        // A header under other rules (a --regrade) starts over: earlier results were graded differently.
        if (out.header && header.checks && gradingDifference(out.header, header as JournalGrading)) {
          out.students.clear();
          out.lines.clear();
        }
        out.header = header;
      } else if (value?.type === 'student' && value.student && typeof value.student.user === 'string') {
        // The last result wins: an incomplete student regraded on resume has a later line.
        out.students.set(value.student.user, value.student);
        out.lines.set(value.student.user, (out.lines.get(value.student.user) ?? 0) + 1);
      } else {
        throw new ConfigError(`line ${i + 1}: expected a header or a student line`, file);
      }
    });
  return out;
}

/** Refuses a journal of another lab: its students' results would not mean anything here. */
export function checkJournalLab(file: string, contents: JournalContents, lab: string): void {
  const theirs = contents.header?.lab;
  if (theirs !== undefined && theirs !== lab) throw new ConfigError(`the journal is of lab ${JSON.stringify(theirs)}, this run grades ${JSON.stringify(lab)}`, file);
}

export interface JournalWriter {
  readonly file: string;
  /** What the journal held when it was opened (empty for a new one). */
  readonly contents: JournalContents;
  /** Cuts off a torn last line and writes the header if needed: before the first student is graded. */
  start(): void;
  append(student: StudentResult): void;
  /** Closes the file and releases the lock. */
  close(): void;
}

export interface OpenJournalOptions {
  /** --resume / --rerun-incomplete: the journal must exist, and be of the same rules unless `regrade`. */
  resume?: { regrade: boolean };
  /** What to tell a user whose journal is in use ("pass another --journal"). */
  inUseHint?: string;
}

/**
 * Opens a journal: locks it for this run, reads what it holds and checks it is a journal of this lab
 * graded under this run's rules. Nothing is written until `start()`.
 */
export function openJournal(file: string, header: Omit<JournalHeader, 'type'> & JournalGrading, opts: OpenJournalOptions = {}): JournalWriter {
  // Before a lock file is made beside it: /dev/zero.lock must not appear.
  if (existsSync(file)) checkRegularFile(file, 'the journal', MAX_JOURNAL_BYTES);
  let lock: FileLock;
  try {
    lock = lockFile(file, ({ holder, lockFile: path }) => {
      // A process on another machine cannot be looked up from here: the user may know it is gone.
      const elsewhere = holder.host !== hostname() ? ` (if that run is gone, delete ${path})` : '';
      return `journal ${file} is in use by lab-grade ${describeHolder(holder)}; ${opts.inUseHint ?? 'wait for it or pass another --journal'}${elsewhere}`;
    });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot write the journal ${file} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, undefined, '--journal');
  }
  try {
    return openLocked(file, header, opts, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

function openLocked(file: string, header: Omit<JournalHeader, 'type'> & JournalGrading, opts: OpenJournalOptions, lock: FileLock): JournalWriter {
  const warnings: string[] = [];
  if (lock.tookOverFrom) warnings.push(`journal ${file} was locked by lab-grade ${describeHolder(lock.tookOverFrom)}; that process is gone: lock taken over`);
  const exists = existsSync(file);
  if (opts.resume && !exists) throw new ConfigError('cannot read the journal (ENOENT)', file);
  const contents: JournalContents = exists ? readJournal(file) : { students: new Map(), lines: new Map(), warnings: [], validLength: 0 };
  contents.warnings.unshift(...warnings);
  checkJournalLab(file, contents, header.lab);
  const before = contents.header;
  const difference = before ? gradingDifference(before, header) : undefined;
  if (difference && opts.resume && !opts.resume.regrade) throw new ConfigError(`${difference}; pass --regrade to grade everyone again`, file);
  if (before && before.checks === undefined && !difference && opts.resume) {
    contents.warnings.push(`${file} was written by an earlier lab-grade that did not record its selection or lab profile: resumed as every check; its profile cannot be compared`);
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
      throw new ConfigError(`cannot write the journal ${file} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, undefined, '--journal');
    }
  };
  return {
    file,
    contents,
    start,
    append: (student) => {
      start();
      writeLine({ type: 'student', student } satisfies JournalStudentLine);
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
 * `.lab-grade/journal-20250102T030405.678Z-shard2of3-pid1234.jsonl`: the default journal of a class run,
 * in the current folder; shards and processes started in the same millisecond get names of their own.
 */
export function defaultJournalPath(o: { now?: Date; pid?: number; shard?: Shard } = {}): string {
  const time = (o.now ?? new Date()).toISOString().replace(/[-:]/g, '');
  const shard = o.shard ? `-shard${o.shard.index}of${o.shard.count}` : '';
  return `.lab-grade/journal-${time}${shard}-pid${o.pid ?? process.pid}.jsonl`;
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
