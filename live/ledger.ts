/**
 * The ledger of a live workshop: the journal's format (a header line, then one fsync'd JSON line per
 * graded student) where each student line also carries its grading `round` (1, 2, …) and the time `at`
 * it was recorded. The class is graded again and again, so a student has many lines; the first pass of
 * each check and the latest result are rebuilt by reading it back line by line, never all at once.
 * Reopening a ledger continues it with the next round; a line torn by a kill is cut with a warning.
 */
import { ConfigError } from '../core/errors.js';
import { openJournal, scanJournal, type JournalHeader, type JournalStudentLine } from '../core/journal.js';
import type { StudentResult } from '../core/model.js';

export type LedgerHeader = Omit<JournalHeader, 'type'>;

export interface LedgerEntry {
  round: number;
  /** ISO time the result was recorded. */
  at: string;
  student: StudentResult;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A student line as a ledger entry. A plain journal's lines have no round or time: they are round 1,
 * recorded when the run started (`fallbackAt`). A ledger line with a wrong round or time is refused,
 * naming it: guessing would move credit in time.
 */
export function ledgerEntryOf(line: JournalStudentLine, fallbackAt: string, where: string): LedgerEntry {
  const round = line.round ?? 1;
  const at = line.at ?? fallbackAt;
  if (!Number.isInteger(round) || round < 1) throw new ConfigError(`${where}: round ${JSON.stringify(line.round)} is not a whole number from 1 on`);
  if (typeof at !== 'string' || !ISO_TIME.test(at) || Number.isNaN(Date.parse(at))) throw new ConfigError(`${where}: at ${JSON.stringify(line.at)} is not an ISO date-time`);
  return { round, at, student: line.student };
}

export interface LedgerScan {
  header?: JournalHeader;
  warnings: string[];
  /** The highest round read (0 when there is none). */
  lastRound: number;
  entries: number;
}

/** Streams a ledger's (or a journal's) student lines to `onEntry`, in file order. */
export function readLedger(file: string, onEntry: (entry: LedgerEntry) => void): LedgerScan {
  let lastRound = 0;
  let entries = 0;
  const scan = scanJournal(file, (line, lineNo, header) => {
    const entry = ledgerEntryOf(line, header?.startedAt ?? '', `${file} line ${lineNo}`);
    lastRound = Math.max(lastRound, entry.round);
    entries++;
    onEntry(entry);
  });
  return { header: scan.header, warnings: scan.warnings, lastRound, entries };
}

export interface Ledger {
  readonly file: string;
  /** The highest round written so far (read back from an existing ledger; 0 for a new one). */
  readonly lastRound: number;
  /** Starts the next round and returns its number. */
  nextRound(): number;
  /** Appends and fsyncs one graded student of `round`, recorded `at` (now by default). */
  append(student: StudentResult, round: number, at?: Date): LedgerEntry;
  close(): void;
}

export interface OpenLedgerOptions {
  /** Sees every entry already in the ledger, in order: rebuild credit and the class state from it. */
  onEntry?: (entry: LedgerEntry) => void;
  /** A torn last line that was cut off. */
  onWarning?: (warning: string) => void;
}

/**
 * Creates a ledger, or continues an existing one (of the same lab, and of the same rules and shard when
 * `header` records them): its entries are handed to `onEntry` first, then appending goes on after the
 * last complete line.
 */
export function openLedger(file: string, header: LedgerHeader, options: OpenLedgerOptions = {}): Ledger {
  let lastRound = 0;
  const writer = openJournal(file, header, {
    naming: { noun: 'ledger', flag: '--ledger' },
    continues: true,
    visit: (line, lineNo, existing) => {
      const entry = ledgerEntryOf(line, existing?.startedAt ?? '', `${file} line ${lineNo}`);
      lastRound = Math.max(lastRound, entry.round);
      options.onEntry?.(entry);
    },
  });
  writer.contents.warnings.forEach((w) => options.onWarning?.(w));
  // The header is written now: a ledger followed by another grader names its lab from the start.
  writer.start();
  return {
    file,
    get lastRound() {
      return lastRound;
    },
    nextRound: () => ++lastRound,
    append(student, round, at = new Date()) {
      if (!Number.isInteger(round) || round < 1) throw new RangeError(`round must be a whole number from 1 on, got ${round}`);
      const entry: LedgerEntry = { round, at: at.toISOString(), student };
      writer.append(student, { round, at: entry.at });
      lastRound = Math.max(lastRound, round);
      return entry;
    },
    close: () => writer.close(),
  };
}
