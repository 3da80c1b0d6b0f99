import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeHolder, lockFile, type LockHolder } from './file-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-lock-'));
const inUse = ({ holder }: { holder: LockHolder }) => `in use by ${describeHolder(holder)}`;
const holderOf = (target: string) => JSON.parse(readFileSync(`${target}.lock`, 'utf8')) as LockHolder;

describe('lockFile', () => {
  it('holds the lock until released; a second taker in this process is refused; the lock file goes with the release', () => {
    const target = join(dir, 'a.jsonl');
    const lock = lockFile(target, inUse);
    expect(holderOf(target)).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockFile(target, inUse)).toThrow(`in use by pid ${process.pid} on host ${hostname()} since`);
    lock.release();
    expect(existsSync(`${target}.lock`)).toBe(false);
    lockFile(target, inUse).release();
  });

  it('a lock of a live process on this host is respected', async () => {
    const target = join(dir, 'live.jsonl');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(`${target}.lock`, JSON.stringify({ pid: child.pid, host: hostname(), startedAt: new Date().toISOString(), token: 't' }));
      expect(() => lockFile(target, inUse)).toThrow(`in use by pid ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('close', r));
    const lock = lockFile(target, inUse); // gone now: stale
    expect(lock.tookOverFrom?.pid).toBe(child.pid);
    lock.release();
  });

  it('a lock naming this very process that this process never took is stale (a restarted container: same host name, same pid)', () => {
    const target = join(dir, 'restarted.jsonl');
    writeFileSync(`${target}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2025-03-01T09:00:00.000Z', token: 'before-the-restart' }));
    const lock = lockFile(target, inUse);
    expect(lock.tookOverFrom).toMatchObject({ pid: process.pid, token: 'before-the-restart' });
    expect(holderOf(target).token).not.toBe('before-the-restart');
    lock.release();
  });

  it('a lock file without a holder is left alone while its creator may be writing it, and taken over once old', () => {
    const target = join(dir, 'empty.jsonl');
    writeFileSync(`${target}.lock`, '');
    const t0 = Date.now();
    expect(() => lockFile(target, inUse)).toThrow(/could not take the lock/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${target}.lock`, old, old);
    lockFile(target, inUse).release();
  });

  it('describes a holder with the time it started, and the date when not today', () => {
    const h = { pid: 7, host: 'grader-1', startedAt: new Date(2025, 2, 1, 10, 42).toISOString(), token: '' };
    expect(describeHolder(h, new Date(2025, 2, 1, 12, 0))).toBe('pid 7 on host grader-1 since 10:42');
    expect(describeHolder(h, new Date(2025, 2, 2, 12, 0))).toMatch(/^pid 7 on host grader-1 since 2025-03-0[12] 10:42$/);
  });
});
