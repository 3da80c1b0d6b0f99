import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal, planResume, readJournal } from './journal.js';
import { packagePath } from './paths.js';
import type { StudentResult } from './model.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-journal-'));
const header = { lab: 'aks-greetings', profile: 'built-in', version: '0.1.0', startedAt: '2025-01-01T00:00:00.000Z', only: [], checks: ['ex1.vm.reachable'], profileHash: 'a'.repeat(64) };
const student = (user: string, status: StudentResult['status']): StudentResult => ({ user, status, score: 1, maxScore: 2, bonus: 0, percent: 50, passed: false, checks: [], durationMs: 5 });
const targets = ['a', 'b', 'c', 'd'].map((user) => ({ user, resourceGroup: `${user}-rg` }));

describe('journal', () => {
  it('one header, then one fsynced JSON line per student, read back', () => {
    const file = join(dir, 'one', 'j.jsonl');
    const j = openJournal(file, header);
    j.append(student('a', 'graded'));
    j.append(student('b', 'incomplete'));
    j.close();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['header', 'student', 'student']);
    const back = readJournal(file);
    expect(back.header?.lab).toBe('aks-greetings');
    expect([...back.students.keys()]).toEqual(['a', 'b']);
  });

  it('a torn last line is ignored with a warning, and cut off before appending again', () => {
    const file = join(dir, 'torn.jsonl');
    const j = openJournal(file, header);
    j.append(student('a', 'graded'));
    j.close();
    appendFileSync(file, '{"type":"student","student":{"user":"b","sta');
    const torn = readJournal(file);
    expect(torn.warnings.join()).toMatch(/last line is incomplete/);
    expect([...torn.students.keys()]).toEqual(['a']);
    const again = openJournal(file, header);
    again.append(student('b', 'graded'));
    again.close();
    const fixed = readJournal(file);
    expect(fixed.warnings).toEqual([]);
    expect([...fixed.students.keys()]).toEqual(['a', 'b']);
    expect(readFileSync(file, 'utf8').match(/"type":"header"/g)).toHaveLength(1);
  });

  it('--resume keeps graded students and regrades incomplete and missing ones; --rerun-incomplete only the incomplete', () => {
    const file = join(dir, 'resume.jsonl');
    const j = openJournal(file, header);
    j.append(student('a', 'graded'));
    j.append(student('b', 'incomplete'));
    j.append(student('c', 'incomplete'));
    j.append(student('c', 'graded')); // regraded later: the last line wins
    j.close();
    const resume = planResume(readJournal(file), targets, { onlyJournaled: false });
    expect([...resume.settled.keys()].sort()).toEqual(['a', 'c']);
    expect(resume.targets.map((t) => t.user)).toEqual(['a', 'b', 'c', 'd']);
    const rerun = planResume(readJournal(file), targets, { onlyJournaled: true });
    expect(rerun.targets.filter((t) => !rerun.settled.has(t.user)).map((t) => t.user)).toEqual(['b']);
  });

  it('a later header under other rules (a --regrade) starts over: a student not regraded yet is not settled by the old rules', () => {
    const file = join(dir, 'regraded.jsonl');
    const onlyEx1 = { ...header, only: ['ex1'], checks: ['ex1.vm.reachable'] };
    const every = { ...header, only: [], checks: ['ex1.vm.reachable', 'ex6.app.e2e'] };
    writeFileSync(
      file,
      [
        { type: 'header', ...onlyEx1 },
        { type: 'student', student: student('a', 'graded') },
        { type: 'student', student: student('b', 'graded') },
        { type: 'header', ...every },
        { type: 'student', student: student('a', 'graded') },
      ]
        .map((l) => JSON.stringify(l) + '\n')
        .join(''),
    );
    const read = readJournal(file);
    expect(read.header).toMatchObject({ only: [] });
    expect([...read.students.keys()]).toEqual(['a']);
    expect([...planResume(read, targets, { onlyJournaled: false }).settled.keys()]).toEqual(['a']);
  });

  it('a line that does not fit on the disk is taken back: the next one starts a line of its own (a full 12 KiB tmpfs: a page each for the lock, another file and the journal)', () => {
    const full = mkdtempSync(join(tmpdir(), 'lab-grade-journal-full-'));
    const script = `
      import { openJournal, readJournal } from ${JSON.stringify(packagePath('dist', 'core', 'journal.js'))};
      const file = process.env.FULL + '/j.jsonl';
      const j = openJournal(file, ${JSON.stringify(header)});
      const big = { user: 'b', status: 'graded', score: 1, maxScore: 2, bonus: 0, percent: 50, passed: false, checks: [], durationMs: 5, note: 'x'.repeat(20000) };
      const { writeFileSync, unlinkSync } = await import('node:fs');
      writeFileSync(process.env.FULL + '/other', 'x'.repeat(4096));
      j.append({ ...big, user: 'a', note: '' });
      try { j.append(big); } catch (err) { console.log('append:', err.code); }
      unlinkSync(process.env.FULL + '/other'); // room again: the next student fits
      j.append({ ...big, user: 'c', note: '' });
      j.close();
      console.log('students:', [...readJournal(file).students.keys()].join());`;
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=12k tmpfs "$FULL" && "$NODE" --input-type=module -e "$SCRIPT"'], {
      encoding: 'utf8',
      env: { ...process.env, FULL: full, NODE: process.execPath, SCRIPT: script },
    });
    expect(r.stdout, r.stderr).toBe('append: ENOSPC\nstudents: a,c\n');
  });

  it('refuses, without reading it forever, a journal that is a device, a pipe, a folder or a file whose size lies (/proc)', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const refused: Array<[string, string]> = [
      ['/dev/zero', 'must be a regular file; this is a character device'],
      ['/dev/full', 'must be a regular file; this is a character device'],
      [fifo, 'must be a regular file; this is a named pipe'],
      [dir, 'must be a regular file; this is a folder'],
      ['/proc/self/status', 'has more content than its size (0 bytes) says: a special file (like those in /proc or /sys)'],
    ];
    for (const [file, why] of refused) {
      expect(() => openJournal(file, header), file).toThrow(`${file}: the journal ${why}`);
      expect(() => readJournal(file), file).toThrow(`${file}: the journal ${why}`);
    }
  });

  it('refuses a journal of another lab, and a file that is not a journal', () => {
    const other = join(dir, 'other.jsonl');
    const j = openJournal(other, { ...header, lab: 'another-lab' });
    j.start();
    j.close();
    expect(() => openJournal(other, header, { resume: { regrade: false } })).toThrow(/journal is of lab "another-lab"/);
    const junk = join(dir, 'junk.jsonl');
    writeFileSync(junk, 'hello\n');
    expect(() => readJournal(junk)).toThrow(/not JSON/);
  });
});
