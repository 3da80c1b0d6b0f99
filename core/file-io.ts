/**
 * Files the user named (a journal, a result file, a roster, a report), read and written so that nothing
 * is lost quietly:
 * - read only when an ordinary file of bounded size: a device (`/dev/zero` never ends), a FIFO (opening
 *   it waits for a writer) or a file whose size lies (`/proc`, `/sys`: size 0, content anyway) would
 *   hang the run, exhaust its memory or be written to by mistake; each is refused with the file named;
 * - written whole: a write to a nearly full disk may write part of the text and return no error.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors.js';

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

/** Opens `file` to read it, or throws a ConfigError naming it: "cannot read the journal (ENOENT)". */
export function openToRead(file: string, what: string, flags: string | number = 'r'): number {
  try {
    return openSync(file, flags);
  } catch (err) {
    throw new ConfigError(`cannot read ${what} (${codeOf(err)})`, file);
  }
}

/** Opens `file` and checks what it is; the caller reads `size` bytes from `fd` and closes it. */
function openRegular(file: string, what: string, maxBytes: number): { fd: number; size: number } {
  // Non-blocking, so a named pipe is refused below instead of waiting for a writer.
  const fd = openToRead(file, what, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError(`${what} must be a regular file; this is ${kindOf(st)}`, file);
    if (st.size > maxBytes) throw new ConfigError(`${what} is ${st.size} bytes, more than the ${maxBytes} allowed`, file);
    // A byte beyond its size: a file whose size lies (or one being written to right now).
    if (readSync(fd, Buffer.alloc(1), 0, 1, st.size) > 0) {
      throw new ConfigError(`${what} has more content than its size (${st.size} bytes) says: a special file (like those in /proc or /sys) or one being written to`, file);
    }
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read ${what} (${codeOf(err)})`, file);
  }
}

/** Refuses `file` (a ConfigError naming it) unless it is a regular file of at most `maxBytes` whose size is true. */
export function checkRegularFile(file: string, what: string, maxBytes: number): void {
  closeSync(openRegular(file, what, maxBytes).fd);
}

/** The bytes of `file`, refused as `checkRegularFile` does. `what` names it in errors ("the journal"). */
export function readRegularFile(file: string, what: string, maxBytes: number): Buffer {
  const { fd, size } = openRegular(file, what, maxBytes);
  try {
    const buf = Buffer.alloc(size);
    let length = 0;
    while (length < size) {
      const n = readSync(fd, buf, length, size - length, length);
      if (n === 0) break; // cut short meanwhile: what is there
      length += n;
    }
    return buf.subarray(0, length);
  } catch (err) {
    throw new ConfigError(`cannot read ${what} (${codeOf(err)})`, file);
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `text` at the file's position, or throws (ENOSPC, EIO...): a short write is not success. */
export function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  for (let done = 0; done < buf.length;) {
    const n = writeSync(fd, buf, done, buf.length - done);
    if (n <= 0) throw Object.assign(new Error(`write returned ${n}: no space left?`), { code: 'ENOSPC' });
    done += n;
  }
}

/** Symbolic links followed before giving up (Linux's own limit). */
const MAX_LINK_HOPS = 40;

/**
 * The file a write to `file` really lands on: symbolic links followed (a link to a file not made yet
 * included) and the folder's real path, so one file has one name whatever spelling the user gave. A
 * report renamed onto a link would replace the link and leave its target stale; a lock taken on a
 * link's name would not see a second run given the target's.
 */
export function landingPath(file: string): string {
  let path = resolve(file);
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      break; // not there yet: written where named
    }
    if (!st.isSymbolicLink()) break;
    path = resolve(dirname(path), readlinkSync(path));
  }
  let dir = dirname(path);
  try {
    dir = realpathSync(dir);
  } catch {
    /* a folder that does not exist: opening the file names it */
  }
  return join(dir, basename(path));
}

/** The system's special folders: a "file" there is a device, a process's descriptor or a kernel setting (/dev/shm is memory-backed storage). */
const SPECIAL_FOLDERS = ['/dev/', '/proc/', '/sys/'];
const isSpecialPlace = (path: string) => !`${path}/`.startsWith('/dev/shm/') && SPECIAL_FOLDERS.some((f) => `${path}/`.startsWith(f));

/**
 * Refuses (a ConfigError naming `file`) a place an output file cannot be put by renaming a finished
 * file onto it: a folder, a device, a named pipe, a socket, or anything in /dev, /proc or /sys
 * (`/dev/stdout` included). Renaming onto a device would replace the device itself for every user of
 * the machine. Returns where the file lands (`landingPath`).
 */
export function outputFilePlace(file: string, what: string, stdoutHint: string): string {
  const path = landingPath(file);
  // The name too: /dev/stdout lands wherever standard output goes (a pipe, a terminal, a file).
  if (isSpecialPlace(resolve(file)) || isSpecialPlace(path)) {
    throw new ConfigError(`${what} cannot replace a special file (in /dev, /proc or /sys); ${stdoutHint}`, file);
  }
  let st: Stats | undefined;
  try {
    st = lstatSync(path);
  } catch {
    /* a new file */
  }
  if (st && !st.isFile()) throw new ConfigError(`${what} must be a regular file (or a new one); this is ${kindOf(st)}`, file);
  return path;
}
