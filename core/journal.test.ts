import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal, planResume, readJournal } from './journal.js';
import type { StudentResult } from './model.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-journal-'));
const header = { lab: 'aks-greetings', profile: 'built-in', version: '0.1.0', startedAt: '2025-01-01T00:00:00.000Z' };
const student = (user: string, status: StudentResult['status']): StudentResult => ({ user, status, score: 1, maxScore: 2, bonus: 0, percent: 50, passed: false, checks: [], durationMs: 5 });
const targets = ['a', 'b', 'c', 'd'].map((user) => ({ user, resourceGroup: `${user}-rg` }));

describe('journal', () => {
  it('one header, then one fsynced JSON line per student, read back', () => {
    const file = join(dir, 'one', 'j.jsonl');
    const j = openJournal(file, header);
    j.append(student('a', 'graded'));
    j.append(student('b', 'incomplete'));
    j.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
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
    const resume = planResume(file, targets, { lab: 'aks-greetings', onlyJournaled: false });
    expect([...resume.settled.keys()].sort()).toEqual(['a', 'c']);
    expect(resume.targets.map((t) => t.user)).toEqual(['a', 'b', 'c', 'd']);
    const rerun = planResume(file, targets, { lab: 'aks-greetings', onlyJournaled: true });
    expect(rerun.targets.filter((t) => !rerun.settled.has(t.user)).map((t) => t.user)).toEqual(['b']);
  });

  it('refuses a journal of another lab, and a file that is not a journal', () => {
    const other = join(dir, 'other.jsonl');
    openJournal(other, { ...header, lab: 'another-lab' }).close();
    expect(() => planResume(other, targets, { lab: 'aks-greetings', onlyJournaled: false })).toThrow(/journal is of lab "another-lab"/);
    const junk = join(dir, 'junk.jsonl');
    writeFileSync(junk, 'hello\n');
    expect(() => readJournal(junk)).toThrow(/not JSON/);
  });
});
