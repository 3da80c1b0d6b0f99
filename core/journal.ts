/**
 * The journal of a class run (`--journal FILE`): one JSON line per finished student, appended and
 * fsync'd as each student finishes, after a header line naming the lab. Killing the run at any moment
 * loses at most the students in flight; `--resume FILE` reads it back, keeps the `graded` students and
 * grades the rest, appending to the same file. A line torn by the kill (no newline yet) is cut off with
 * a warning before anything is appended, so the file stays one JSON document per line.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './errors.js';
import type { StudentResult } from './model.js';
import type { Target } from './target.js';

export interface JournalHeader {
  type: 'header';
  lab: string;
  profile?: string;
  version: string;
  startedAt: string;
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
  header?: JournalHeader;
  warnings: string[];
  /** Byte length of the complete lines; a torn tail lies beyond it. */
  validLength: number;
}

export interface JournalContents extends JournalScan {
  /** The last result of each user. */
  students: Map<string, StudentResult>;
  /** How many student lines each user has (a regraded incomplete student has several). */
  lines: Map<string, number>;
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
  for (let position = 0; ; ) {
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
    if (start < n) pending.push(Buffer.from(chunk.subarray(start, n)));
  }
  return { validLength, torn: pending.some((p) => p.length > 0) };
}

/**
 * Reads a journal (or a ledger) line by line, checking each line and handing the student lines to
 * `visit`. A torn last line (no newline yet) is left out with a warning.
 */
export function scanJournal(file: string, visit: (line: JournalStudentLine, lineNo: number, header: JournalHeader | undefined) => void): JournalScan {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new ConfigError(`cannot read the journal (${(err as NodeJS.ErrnoException).code ?? 'error'})`, file);
  }
  const out: JournalScan = { warnings: [], validLength: 0 };
  try {
    const { validLength, torn } = forEachLine(fd, (line, i) => {
      if (!line.trim()) return;
      const value = parseJournalLine(line);
      if (value === undefined) throw new ConfigError(`line ${i} is not JSON: not a lab-grade journal, or damaged`, file);
      if (value.type === 'header') {
        if (out.header && out.header.lab !== value.lab) throw new ConfigError(`line ${i}: lab ${value.lab} differs from ${out.header.lab} above`, file);
        out.header ??= value;
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
  if (value === null || typeof value !== 'object') return { type: 'other' };
  if (value.type === 'header' && typeof value.lab === 'string') return value as JournalHeader;
  const student = value.student;
  if (value.type === 'student' && student && typeof student === 'object' && typeof student.user === 'string' && Array.isArray(student.checks)) return value as JournalStudentLine;
  return { type: 'other' };
}

export function readJournal(file: string): JournalContents {
  const students = new Map<string, StudentResult>();
  const lines = new Map<string, number>();
  const scan = scanJournal(file, ({ student }) => {
    // The last result wins: an incomplete student regraded on resume has a later line.
    students.set(student.user, student);
    lines.set(student.user, (lines.get(student.user) ?? 0) + 1);
  });
  return { ...scan, students, lines };
}

/** Refuses a journal of another lab: its students' results would not mean anything here. */
export function checkJournalLab(file: string, contents: JournalScan, lab: string): void {
  const theirs = contents.header?.lab;
  if (theirs !== undefined && theirs !== lab) throw new ConfigError(`the journal is of lab ${JSON.stringify(theirs)}, this run grades ${JSON.stringify(lab)}`, file);
}

export interface JournalWriter {
  readonly file: string;
  /** Appends the student's line and fsyncs it; a ledger passes the round and the time. */
  append(student: StudentResult, when?: { round: number; at: string }): void;
  close(): void;
}

export interface OpenJournalOptions {
  /** Sees every student line already in the file (read once, line by line), e.g. to rebuild state from it. */
  visit?: (line: JournalStudentLine, lineNo: number, header: JournalHeader | undefined) => void;
  /** The existing file's warnings (a torn last line cut off). */
  onWarning?: (warning: string) => void;
}

/**
 * Opens a journal for appending. A new (or empty) file gets the header; an existing one is checked to
 * be a journal of this lab and loses its torn last line.
 */
export function openJournal(file: string, header: Omit<JournalHeader, 'type'>, options: OpenJournalOptions = {}): JournalWriter {
  let fd: number;
  let fresh = true;
  try {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      const contents = scanJournal(file, options.visit ?? (() => undefined));
      checkJournalLab(file, contents, header.lab);
      contents.warnings.forEach((w) => options.onWarning?.(w));
      if (contents.validLength > 0) fresh = false;
      truncateSync(file, contents.validLength);
    }
    fd = openSync(file, 'a');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot write the journal ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, undefined, '--journal');
  }
  const writeLine = (value: unknown) => {
    writeSync(fd, `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
    // Durable before the next student is reported: a kill, or a power loss, keeps what was written.
    fsyncSync(fd);
  };
  if (fresh) writeLine({ type: 'header', ...header } satisfies JournalHeader);
  let closed = false;
  return {
    file,
    append: (student, when) => writeLine({ type: 'student', ...when, student } satisfies JournalStudentLine),
    close: () => {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

/** `.lab-grade/journal-20250102T030405Z.jsonl`: the default journal of a class run (or `live-…`: a workshop's ledger), in the current folder. */
export function defaultJournalPath(now = new Date(), kind = 'journal'): string {
  return `.lab-grade/${kind}-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.jsonl`;
}

export interface ResumePlan {
  /** The students still to grade this time, in roster order, settled ones included. */
  targets: readonly Target[];
  /** Students graded in the journal: reported again, not regraded. */
  settled: Map<string, StudentResult>;
  warnings: string[];
}

/**
 * `--resume FILE`: everyone in `targets`, reusing the journal's `graded` students (an `incomplete` one
 * is graded again). `--rerun-incomplete FILE` (`onlyJournaled`): only the journal's students, so its
 * incomplete ones are all that is graded.
 */
export function planResume(file: string, targets: readonly Target[], opts: { lab: string; onlyJournaled: boolean }): ResumePlan {
  const journal = readJournal(file);
  checkJournalLab(file, journal, opts.lab);
  const settled = new Map<string, StudentResult>();
  for (const [user, s] of journal.students) if (s.status === 'graded') settled.set(user, s);
  const chosen = opts.onlyJournaled ? targets.filter((t) => journal.students.has(t.user)) : targets;
  return { targets: chosen, settled, warnings: journal.warnings };
}
