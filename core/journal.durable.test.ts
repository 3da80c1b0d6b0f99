/**
 * A journal line is on disk before the next student is reported: each append writes the line and then
 * fsyncs that file, before it returns. Killing the process cannot show this (the page cache survives a
 * kill; only a power loss or a kernel crash would lose an unsynced line), so the test watches the calls.
 * The same calls inject the faults no file system of a test gives at will: a disk that fills in the
 * middle of a line, a journal removed between its check and its reading.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { StudentResult } from './model.js';

const calls: Array<{ call: 'write' | 'fsync'; fd: number; text?: string }> = [];
/** Faults to inject: the bytes the disk still takes; what happens just before a file is opened for reading. */
const faults: { room: number; beforeRead?: (path: string) => void } = { room: Infinity };
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, buffer: Buffer | string, ...rest: unknown[]) => {
    calls.push({ call: 'write', fd, text: String(buffer) });
    if (typeof buffer !== 'string' && faults.room !== Infinity) {
      // A full disk: what fits is written, then ENOSPC.
      if (faults.room === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const [offset, length] = rest as [number, number];
      const n = fs.writeSync(fd, buffer, offset, Math.min(length, faults.room));
      faults.room -= n;
      return n;
    }
    return (fs.writeSync as (...a: unknown[]) => number)(fd, buffer, ...rest);
  }) as typeof fs.writeSync;
  const fsyncSync = (fd: number) => {
    calls.push({ call: 'fsync', fd });
    fs.fsyncSync(fd);
  };
  const openSync = ((path: string, flags: string, ...rest: unknown[]) => {
    if (flags === 'r') faults.beforeRead?.(path);
    return (fs.openSync as (...a: unknown[]) => number)(path, flags, ...rest);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, writeSync, fsyncSync, openSync }, writeSync, fsyncSync, openSync };
});

const { openJournal, readJournal } = await import('./journal.js');
const dir = mkdtempSync(join(tmpdir(), 'lab-grade-journal-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = { lab: 'aks-greetings', profile: 'built-in', version: '0.1.0', startedAt: '2025-01-01T00:00:00.000Z', only: [], checks: ['ex1.vm.reachable'], profileHash: 'a'.repeat(64) };
const student = (user: string): StudentResult => ({ user, status: 'graded', score: 1, maxScore: 2, bonus: 0, percent: 50, passed: false, checks: [], durationMs: 5 });

describe('journal durability', () => {
  it('every line (header and students) is written, then fsynced, before append returns', () => {
    const file = join(dir, 'j.jsonl');
    const journal = openJournal(file, header);
    calls.length = 0;
    journal.append(student('a'));
    const afterFirst = calls.map((c) => c.call);
    journal.append(student('b'));
    journal.close();

    const journalCalls = calls.filter((c) => c.call === 'fsync' || c.text?.includes('"type":'));
    const fd = journalCalls[0].fd;
    expect(journalCalls.every((c) => c.fd === fd)).toBe(true);
    expect(journalCalls.map((c) => c.call)).toEqual(['write', 'fsync', 'write', 'fsync', 'write', 'fsync']);
    expect(journalCalls.filter((c) => c.call === 'write').map((c) => (JSON.parse(c.text!) as { type: string }).type)).toEqual(['header', 'student', 'student']);
    // The first student's line was synced by the time its append returned.
    expect(afterFirst.filter((c) => c === 'fsync')).toHaveLength(2);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it("a workshop's ledger too: each graded student's line is written and fsynced before append returns", async () => {
    const { openLedger } = await import('../live/ledger.js');
    const ledger = openLedger(join(dir, 'ledger.jsonl'), header);
    calls.length = 0;
    ledger.append(student('a'), ledger.nextRound());
    expect(calls.map((c) => c.call)).toEqual(['write', 'fsync']);
    expect(JSON.parse(calls[0].text!)).toMatchObject({ type: 'student', round: 1, student: { user: 'a' } });
    expect(calls[1].fd).toBe(calls[0].fd);
    ledger.close();
  });

  it('a line cut short by a full disk is taken back: the append fails with ENOSPC, the next line starts a line of its own', () => {
    const file = join(dir, 'full.jsonl');
    const journal = openJournal(file, header);
    journal.append(student('a'));
    const before = readFileSync(file, 'utf8');
    faults.room = 20;
    try {
      expect(() => journal.append(student('b'))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    } finally {
      faults.room = Infinity;
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
    journal.append(student('c'));
    journal.close();
    expect([...readJournal(file).students.keys()]).toEqual(['a', 'c']);
  });

  it('a journal that cannot be opened after its check (removed meanwhile; an error with no code) is reported with the error code', () => {
    const file = join(dir, 'vanishing.jsonl');
    const cases: Array<[(path: string) => void, string]> = [
      [(path) => unlinkSync(path), 'ENOENT'],
      [
        () => {
          throw new Error('not from the system');
        },
        'error',
      ],
    ];
    for (const [beforeRead, code] of cases) {
      writeFileSync(file, `${JSON.stringify({ type: 'header', ...header })}\n`);
      faults.beforeRead = beforeRead;
      try {
        expect(() => readJournal(file)).toThrow(`${file}: cannot read the journal (${code})`);
      } finally {
        faults.beforeRead = undefined;
      }
    }
  });
});
