/**
 * Follows ledgers as they grow: every file matching a pattern (several graders' ledgers on a shared
 * volume, `results/*.jsonl`), read from the start, then each line as it is appended, files that appear
 * later included. Woken by fs.watch where the file system reports changes, and by polling where it
 * does not (network volumes often do not). Entries come in file order per file; a last line without
 * its newline yet waits for it. Read in bounded chunks as the consumer asks, so a day-long ledger
 * is never held in memory.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { parseJournalLine, type JournalHeader } from '../core/journal.js';
import { ledgerEntryOf, type LedgerEntry } from './ledger.js';

export type FollowedItem =
  | { kind: 'header'; file: string; header: JournalHeader }
  | { kind: 'entry'; file: string; entry: LedgerEntry }
  /** A line that is not a ledger line, a file that shrank: reported, skipped, and following goes on. */
  | { kind: 'warning'; file: string; message: string };

export interface LedgerFollower extends AsyncIterable<FollowedItem> {
  /** Stops following; a pending iteration ends. */
  close(): void;
}

export interface FollowOptions {
  /** How often to look for new files and lines when no change is reported (ms, default 1000). */
  pollMs?: number;
  /** Use fs.watch as well as polling (default true). */
  watch?: boolean;
}

const GLOB_CHARS = /[*?[]/;

/**
 * `dir/name-pattern`: `*`, `?` and `[...]` in the file name (not in the folder, which is watched).
 * Like a shell, `*` does not match a leading dot.
 */
export function compileGlob(pattern: string): { dir: string; matches(name: string): boolean } {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (GLOB_CHARS.test(dir)) throw new ConfigError(`${JSON.stringify(pattern)}: wildcards are allowed in the file name only, not in the folder ${JSON.stringify(dir)}`);
  let source = '';
  for (let i = 0; i < base.length; i++) {
    const ch = base[i];
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const end = base.indexOf(']', i + 2);
      if (end === -1) throw new ConfigError(`${JSON.stringify(pattern)}: "[" without a closing "]"`);
      const set = base.slice(i + 1, end).replace(/\\/g, '\\\\');
      source += set.startsWith('!') ? `[^${set.slice(1)}]` : `[${set}]`;
      i = end;
    } else source += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`);
  const dotOk = base.startsWith('.');
  return { dir, matches: (name) => re.test(name) && (dotOk || !name.startsWith('.')) };
}

const CHUNK = 1 << 20;
/** Reads are synchronous, so one buffer serves every file of every follower. */
let sharedChunk: Buffer | undefined;

interface Cursor {
  file: string;
  /** Bytes of complete lines consumed. */
  consumed: number;
  /** Bytes read after them, waiting for a newline. */
  partial: Buffer[];
  partialLength: number;
  lineNo: number;
  header?: JournalHeader;
}

/** Reads what was appended since the last call, up to about one chunk of complete lines. */
function readMore(cursor: Cursor): FollowedItem[] {
  const items: FollowedItem[] = [];
  let fd: number;
  try {
    fd = openSync(cursor.file, 'r');
  } catch {
    return items; // gone or not readable (yet): looked at again on the next wake
  }
  try {
    const size = fstatSync(fd).size;
    if (size < cursor.consumed + cursor.partialLength) {
      items.push({ kind: 'warning', file: cursor.file, message: `${cursor.file} shrank from ${cursor.consumed + cursor.partialLength} to ${size} bytes: read again from the start` });
      Object.assign(cursor, { consumed: 0, partial: [], partialLength: 0, lineNo: 0, header: undefined });
    }
    if (size === cursor.consumed + cursor.partialLength) return items;
    const chunk = (sharedChunk ??= Buffer.allocUnsafe(CHUNK));
    // Read until at least one line is complete or the end is reached: a long line spans chunks.
    while (items.length === 0) {
      const position = cursor.consumed + cursor.partialLength;
      const n = readSync(fd, chunk, 0, CHUNK, position);
      if (n === 0) break;
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1 && nl < n; nl = chunk.indexOf(10, start)) {
        const line = Buffer.concat([...cursor.partial, chunk.subarray(start, nl)]);
        cursor.consumed += line.length + 1;
        cursor.partial = [];
        cursor.partialLength = 0;
        start = nl + 1;
        const item = itemOf(cursor, line.toString('utf8'), ++cursor.lineNo);
        if (item) items.push(item);
      }
      if (start < n) {
        cursor.partial.push(Buffer.from(chunk.subarray(start, n)));
        cursor.partialLength += n - start;
      }
    }
  } finally {
    closeSync(fd);
  }
  return items;
}

function itemOf(cursor: Cursor, text: string, lineNo: number): FollowedItem | undefined {
  if (!text.trim()) return undefined;
  const where = `${cursor.file} line ${lineNo}`;
  const line = parseJournalLine(text);
  if (line === undefined) return { kind: 'warning', file: cursor.file, message: `${where} is not JSON: skipped` };
  if (line.type === 'header') {
    cursor.header ??= line;
    return { kind: 'header', file: cursor.file, header: line };
  }
  if (line.type !== 'student') return { kind: 'warning', file: cursor.file, message: `${where}: expected a header or a student line: skipped` };
  try {
    return { kind: 'entry', file: cursor.file, entry: ledgerEntryOf(line, cursor.header?.startedAt ?? '', where) };
  } catch (err) {
    return { kind: 'warning', file: cursor.file, message: `${(err as Error).message}: skipped` };
  }
}

export function followLedgers(pattern: string, options: FollowOptions = {}): LedgerFollower {
  const glob = compileGlob(pattern);
  const cursors = new Map<string, Cursor>();
  let closed = false;
  let dirty = true;
  let wake: (() => void) | undefined;
  const poke = () => {
    dirty = true;
    const w = wake;
    wake = undefined;
    w?.();
  };

  let watcher: FSWatcher | undefined;
  const startWatching = () => {
    if (watcher || options.watch === false || closed) return;
    try {
      watcher = watch(glob.dir, { persistent: false }, poke);
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined; // the folder may not exist yet: polling finds it, then it is watched
    }
  };
  const timer = setInterval(() => {
    startWatching();
    poke();
  }, options.pollMs ?? 1000);
  startWatching();

  const stop = () => {
    closed = true;
    clearInterval(timer);
    watcher?.close();
    watcher = undefined;
    poke();
  };

  const discover = () => {
    let names: string[];
    try {
      names = readdirSync(glob.dir);
    } catch {
      return;
    }
    for (const name of names.filter(glob.matches).sort()) {
      const file = join(glob.dir, name);
      if (!cursors.has(file)) cursors.set(file, { file, consumed: 0, partial: [], partialLength: 0, lineNo: 0 });
    }
  };

  async function* run(): AsyncGenerator<FollowedItem> {
    try {
      while (!closed) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        if (closed) break;
        dirty = false;
        discover();
        for (const cursor of cursors.values()) {
          // Drain a file before the next: its entries stay in order, and each chunk is handed on before more is read.
          for (let items = readMore(cursor); items.length > 0 && !closed; items = readMore(cursor)) yield* items;
        }
      }
    } finally {
      stop();
    }
  }

  const iterator = run();
  return { [Symbol.asyncIterator]: () => iterator, close: stop };
}
