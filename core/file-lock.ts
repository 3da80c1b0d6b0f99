/**
 * An exclusive lock on a file for the length of a run: `<file>.lock` beside it, created with O_EXCL and
 * holding the holder's pid, host and start time. Two runs on one journal would otherwise interleave
 * their lines, cut off each other's appends or grade the same students twice.
 *
 * A lock whose process is gone (same host, no such pid) is stale and taken over; so is one naming this
 * very process without this process having taken it: a retried pod of an Indexed Job gets the same host
 * name (`<job>-<index>`) and, started by the same script, often the same pid. A lock of another host
 * cannot be checked and is never taken over. O_EXCL creation works on local file systems, NFS and SMB
 * alike, without native add-ons.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ConfigError } from './errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Tells this holder's lock from a later one of the same pid. */
  token: string;
}

export interface FileLock {
  readonly path: string;
  /** The stale holder this lock was taken over from. */
  readonly tookOverFrom?: LockHolder;
  release(): void;
}

/** A lock being written by its creator is complete within this; an unreadable one older is stale. */
const WRITING_GRACE_MS = 5_000;
const ATTEMPTS = 50;
const held = new Set<string>();

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Whether a pid names a running process on this host (EPERM: it exists, owned by someone else). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Reading = { holder: LockHolder } | { unreadable: true; ageMs: number } | { gone: true };

function readLock(path: string): Reading {
  try {
    const text = readFileSync(path, 'utf8');
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isInteger(h.pid) && typeof h.host === 'string' && typeof h.startedAt === 'string' && typeof h.token === 'string') return { holder: h as LockHolder };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { gone: true };
  }
  try {
    return { unreadable: true, ageMs: Date.now() - statSync(path).mtimeMs };
  } catch {
    return { gone: true };
  }
}

function isStale(path: string, h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  if (h.pid === process.pid) return !held.has(path);
  return !processRunning(h.pid);
}

/** Removes a stale lock unless it changed meanwhile; one process at a time (a guard file, also O_EXCL). */
function removeStale(path: string, seen: Reading): boolean {
  const guard = `${path}.takeover`;
  try {
    closeSync(openSync(guard, 'wx'));
  } catch {
    // Another process is taking it over; a guard left by a crash in these few lines expires.
    try {
      if (Date.now() - statSync(guard).mtimeMs > WRITING_GRACE_MS) unlinkSync(guard);
    } catch {
      /* gone already */
    }
    return false;
  }
  try {
    const now = readLock(path);
    const same = 'holder' in now && 'holder' in seen ? now.holder.token === seen.holder.token : 'unreadable' in now && 'unreadable' in seen;
    if (same) unlinkSync(path);
    return true;
  } finally {
    unlinkSync(guard);
  }
}

export interface LockRefusal {
  holder: LockHolder;
  lockFile: string;
}

/**
 * Takes the lock of `target`, or throws a ConfigError made by `inUse` naming the holder. Released by
 * `release()`, or when the process exits (Ctrl-C included); a kill -9 leaves a stale lock, taken over
 * by the next run.
 */
export function lockFile(target: string, inUse: (refusal: LockRefusal) => string): FileLock {
  const path = `${target}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const seen = readLock(path);
      if ('gone' in seen) continue;
      if ('holder' in seen && !isStale(path, seen.holder)) throw new ConfigError(inUse({ holder: seen.holder, lockFile: path }));
      if ('unreadable' in seen && seen.ageMs < WRITING_GRACE_MS) {
        sleep(20); // its creator is writing it
        continue;
      }
      if (removeStale(path, seen)) tookOverFrom = 'holder' in seen ? seen.holder : { pid: 0, host: '?', startedAt: '?', token: '' };
      else sleep(20);
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    return holdLock(path, me, tookOverFrom);
  }
  throw new ConfigError(`could not take the lock ${path}: another process is writing it or taking it over; try again`);
}

function holdLock(path: string, me: LockHolder, tookOverFrom: LockHolder | undefined): FileLock {
  held.add(path);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(path);
    process.off('exit', release);
    const now = readLock(path);
    // Only our own lock: never one another process took over in the meantime.
    if ('holder' in now && now.holder.token === me.token) {
      try {
        unlinkSync(path);
      } catch {
        /* gone already */
      }
    }
  };
  process.on('exit', release);
  return { path, ...(tookOverFrom ? { tookOverFrom } : {}), release };
}

/** "pid 1234 on host grader-1 since 10:42" (local time; the date too when it is not today). */
export function describeHolder(h: LockHolder, now = new Date()): string {
  const since = new Date(h.startedAt);
  const valid = !Number.isNaN(since.getTime());
  const hhmm = valid ? `${String(since.getHours()).padStart(2, '0')}:${String(since.getMinutes()).padStart(2, '0')}` : h.startedAt;
  const day = valid && since.toDateString() !== now.toDateString() ? `${since.toISOString().slice(0, 10)} ` : '';
  return `pid ${h.pid} on host ${h.host} since ${day}${hhmm}`;
}
