/**
 * A journal line is on disk before the next student is reported: each append writes the line and then
 * fsyncs that file, before it returns. Killing the process cannot show this (the page cache survives a
 * kill; only a power loss or a kernel crash would lose an unsynced line), so the test watches the calls.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { StudentResult } from './model.js';

const calls: Array<{ call: 'write' | 'fsync'; fd: number; text?: string }> = [];
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, buffer: Buffer | string, ...rest: unknown[]) => {
    calls.push({ call: 'write', fd, text: String(buffer) });
    return (fs.writeSync as (...a: unknown[]) => number)(fd, buffer, ...rest);
  }) as typeof fs.writeSync;
  const fsyncSync = (fd: number) => {
    calls.push({ call: 'fsync', fd });
    fs.fsyncSync(fd);
  };
  return { ...fs, default: { ...fs, writeSync, fsyncSync }, writeSync, fsyncSync };
});

const { openJournal } = await import('./journal.js');

const header = { lab: 'aks-greetings', profile: 'built-in', version: '0.1.0', startedAt: '2025-01-01T00:00:00.000Z', only: [], checks: ['ex1.vm.reachable'], profileHash: 'a'.repeat(64) };
const student = (user: string): StudentResult => ({ user, status: 'graded', score: 1, maxScore: 2, bonus: 0, percent: 50, passed: false, checks: [], durationMs: 5 });

describe('journal durability', () => {
  it('every line (header and students) is written, then fsynced, before append returns', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lab-grade-journal-sync-')), 'j.jsonl');
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
});
