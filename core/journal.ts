/**
 * The journal of a class run (`--journal FILE`): one JSON line per finished student, appended and
 * fsync'd as each student finishes, after a header line naming the lab. Killing the run at any moment
 * loses at most the students in flight; `--resume FILE` reads it back, keeps the `graded` students and
 * grades the rest, appending to the same file. A line torn by the kill (no newline yet) is cut off with
 * a warning before anything is appended, so the file stays one JSON document per line.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
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

interface JournalStudentLine {
  type: 'student';
  student: StudentResult;
}

export interface JournalContents {
  header?: JournalHeader;
  /** The last result of each user. */
  students: Map<string, StudentResult>;
  /** How many student lines each user has (a regraded incomplete student has several). */
  lines: Map<string, number>;
  warnings: string[];
  /** Byte length of the complete lines; a torn tail lies beyond it. */
  validLength: number;
}

export function readJournal(file: string): JournalContents {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the journal (${(err as NodeJS.ErrnoException).code ?? 'error'})`, file);
  }
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
      if (value.type === 'header') {
        if (out.header && out.header.lab !== value.lab) throw new ConfigError(`line ${i + 1}: lab ${value.lab} differs from ${out.header.lab} above`, file);
        out.header ??= value as JournalHeader;
      } else if (value.type === 'student' && value.student && typeof value.student.user === 'string') {
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
  append(student: StudentResult): void;
  close(): void;
}

/**
 * Opens a journal for appending. A new (or empty) file gets the header; an existing one is checked to
 * be a journal of this lab and loses its torn last line.
 */
export function openJournal(file: string, header: Omit<JournalHeader, 'type'>): JournalWriter {
  let fd: number;
  let fresh = true;
  try {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      const contents = readJournal(file);
      checkJournalLab(file, contents, header.lab);
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
    append: (student) => writeLine({ type: 'student', student } satisfies JournalStudentLine),
    close: () => {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

/** `.lab-grade/journal-20250102T030405Z.jsonl`: the default journal of a class run, in the current folder. */
export function defaultJournalPath(now = new Date()): string {
  return `.lab-grade/journal-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.jsonl`;
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
