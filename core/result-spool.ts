/**
 * A class run's results, held without their evidence: each student is written whole to a private
 * file as it finishes, and the run keeps only a copy without evidence (scores, statuses, codes,
 * messages). Reports that show evidence read each student back in turn, so a large class is never
 * all in memory with its evidence at once. The file goes when the run is dropped or the process ends.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { CheckResult, RunResult, StudentResult } from './model.js';

interface Place {
  offset: number;
  length: number;
}

/** The spool's file, open for reading and writing, in a folder of its own. */
interface SpoolFile {
  dir: string;
  fd: number;
}

export class ResultSpool {
  private readonly places = new Map<string, Place>();
  private size = 0;

  private constructor(
    /** None when it could not be made, or once closed: students are then held as they are. */
    private file: SpoolFile | undefined,
    private readonly onProblem: (text: string) => void,
  ) {}

  /**
   * A spool in a new folder of the system's temporary one, readable by this user only. Where none can
   * be made (a full or read-only disk), the class is held whole, as before: the run goes on.
   */
  static open(onProblem: (text: string) => void = () => undefined): ResultSpool {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(tmpdir(), 'lab-grade-results-'));
      const spool = new ResultSpool({ dir, fd: openSync(join(dir, 'results'), 'wx+', 0o600) }, onProblem);
      open.add(spool);
      return spool;
    } catch (err) {
      // Stryker disable next-line BooleanLiteral: the folder was made a moment ago, so `force` changes nothing
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      onProblem(`the class's results are held in memory with their evidence: no temporary file for them (${(err as Error).message})`);
      return new ResultSpool(undefined, onProblem);
    }
  }

  /** The spool's own folder, while it has one. */
  get dir(): string | undefined {
    return this.file?.dir;
  }

  /**
   * Writes the student whole and returns what the run holds: the student without evidence. A student
   * the spool cannot write (a full disk) is held whole instead: nothing is lost, only memory.
   */
  keep(student: StudentResult): StudentResult {
    if (!this.file) return student;
    try {
      // v8's own format: a bigint or a Date in evidence comes back as it went in, which JSON would not do.
      const bytes = serialize(student);
      writeSync(this.file.fd, bytes, 0, bytes.length, this.size);
      this.places.set(student.user, { offset: this.size, length: bytes.length });
      this.size += bytes.length;
      return withoutEvidence(student);
    } catch (err) {
      this.onProblem(`${student.user}'s results are held in memory: the results file could not be written (${(err as Error).message})`);
      return student;
    }
  }

  /** The student as it was kept, whole; a student the spool did not write is returned as it is. */
  whole(student: StudentResult): StudentResult {
    const place = this.places.get(student.user);
    if (!place || !this.file) return student;
    const bytes = Buffer.alloc(place.length);
    readSync(this.file.fd, bytes, 0, place.length, place.offset);
    return deserialize(bytes) as StudentResult;
  }

  /** Removes the file; reading back after this returns the students as held. */
  close(): void {
    if (!this.file) return;
    closeSync(this.file.fd);
    // Forced: a clean-up of the temporary folder may have removed it first.
    rmSync(this.file.dir, { recursive: true, force: true });
    this.file = undefined;
    open.delete(this);
  }

  /** The run, reading its students back from here; the file goes once no copy of the run holds `readBack`. */
  attachTo<R extends RunResult>(run: R): R {
    const readBack = (s: StudentResult) => this.whole(s);
    dropped.register(readBack, this);
    return { ...run, readBack };
  }
}

const open = new Set<ResultSpool>();
// A run nobody holds any more (a finished workshop round) takes its file with it.
// Stryker disable next-line all: tested in child processes (result-spool.test.ts), which a mutant switched on in the test's process does not reach
const dropped = new FinalizationRegistry<ResultSpool>((spool) => spool.close());
// Stryker disable next-line all: as above
process.on('exit', () => {
  for (const spool of open) spool.close();
});

function withoutEvidence(student: StudentResult): StudentResult {
  const lean = (c: CheckResult): CheckResult => ({ ...c, evidence: {}, ...(c.now ? { now: { ...c.now, evidence: {} } } : {}) });
  return { ...student, checks: student.checks.map(lean) };
}

/** One of a run's students, whole: read back when the run holds it without evidence. */
export function wholeStudent(run: RunResult, student: StudentResult): StudentResult {
  return run.readBack ? run.readBack(student) : student;
}

/** A run's students, whole, one at a time in roster order. */
export function* wholeStudents(run: RunResult): Generator<StudentResult> {
  for (const student of run.students) yield wholeStudent(run, student);
}
