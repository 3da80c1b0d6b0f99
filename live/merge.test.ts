import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { readResultFile } from '../app/merge.js';
import { ConfigError } from '../core/errors.js';
import { openJournal } from '../core/journal.js';
import type { RunResult } from '../core/model.js';
import { renderJson } from '../reporters/json.js';
import { loadClassSmall } from '../fixtures/results/support.js';
import { PROFILE, at, exercisesPassing, student } from '../test/support/live-class.js';
import { collectedNotices } from '../test/support/notices.js';
import { openLedger } from './ledger.js';
import { mergeCredit } from './merge.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const header = { lab: 'aks-greetings', profile: 'built-in', version: '0.1.0', startedAt: at(0) };
const errorOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
};
const utcClock = (iso: string) => iso.slice(11, 16);
const EX1_TO_6 = exercisesPassing(1, 2, 3, 4, 5, 6).filter((id) => id !== 'ex6.selfheal');
const TORN_DOWN = EX1_TO_6.filter((id) => !/service|e2e/.test(id));
const schema = JSON.parse(readFileSync(new URL('../reporters/result.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true }).compile(schema);

function ledger(name: string, rows: Array<[round: number, minute: number, user: string, passing: string[]]>, version = '0.1.0'): string {
  const file = join(dir, name);
  const l = openLedger(file, { ...header, version });
  for (const [round, minute, user, passing] of rows) l.append(student(user, passing), round, new Date(at(minute)));
  l.close();
  return file;
}

describe('merge with credit over time', () => {
  it('ledgers of two runs of one workshop: earned keeps what passed in the morning, final takes the latest result', () => {
    const morning = ledger('morning.jsonl', [
      [1, 10, 'ann', exercisesPassing(1, 2)],
      [2, 42, 'ann', EX1_TO_6],
      [2, 43, 'bob', exercisesPassing(1)],
    ]);
    const afternoon = ledger(
      'afternoon.jsonl',
      [
        [1, 200, 'ann', TORN_DOWN],
        [1, 201, 'bob', exercisesPassing(1, 2)],
      ],
      '0.2.0',
    );
    const earned = mergeCredit([afternoon, morning], { mode: 'earned', profile: PROFILE, clock: utcClock });
    expect(earned.students.map((s) => [s.user, s.score, s.credit, s.gradedAt])).toEqual([
      ['ann', 34, 'earned', at(200)],
      ['bob', 7, 'earned', at(201)],
    ]);
    expect(earned.students[0].checks.find((c) => c.id === 'ex6.myapp.service')).toMatchObject({ status: 'pass', earnedAt: at(42), message: 'earned 10:42, failing now: ex6.myapp.service not found' });
    expect(earned.warnings).toEqual(['the files come from lab-grade versions 0.2.0, 0.1.0']);
    const final = mergeCredit([morning, afternoon], { mode: 'final', profile: PROFILE });
    expect(final.students.map((s) => [s.user, s.score])).toEqual([
      ['ann', 28],
      ['bob', 7],
    ]);
    expect(final.lab).toBe('aks-greetings');
  });

  it('a JSON report and a journal count as one grading each, at their time; a student in two of them is refused', () => {
    const run = loadClassSmall();
    const report = join(dir, 'shard-0.json');
    writeFileSync(report, renderJson({ ...run, students: run.students.slice(0, 2) }));
    const journal = join(dir, 'shard-1.jsonl');
    const j = openJournal(journal, { ...header, startedAt: '2025-11-29T10:20:00.000Z' });
    j.append(run.students[2]);
    j.close();
    const merged = mergeCredit([report, journal], { mode: 'final', profile: PROFILE });
    expect(merged.students.map((s) => [s.user, s.score, s.gradedAt, s.status])).toEqual(run.students.map((s, i) => [s.user, s.score, i < 2 ? run.generatedAt : '2025-11-29T10:20:00.000Z', s.status]));
    expect(() => mergeCredit([report, join(dir, '.', 'shard-0.json')], { mode: 'final', profile: PROFILE })).toThrow(`${join(dir, 'shard-0.json')}: is named twice: its students would count twice`);
    const twice = join(dir, 'shard-0-again.json');
    writeFileSync(twice, renderJson({ ...run, students: run.students.slice(1, 2) }));
    expect(() => mergeCredit([report, twice], { mode: 'earned', profile: PROFILE })).toThrow(
      `${twice}: student labuser08 is also in ${report}: each student must come from one file (a shard merged twice?)`,
    );
    // A ledger's student may be in a report too: the ledger lines carry their own time.
    const withLedger = ledger('with-report.jsonl', [[1, 5, 'labuser08', exercisesPassing(1)]]);
    expect(mergeCredit([report, withLedger], { mode: 'earned', profile: PROFILE }).students.map((s) => s.user)).toEqual(['labuser07', 'labuser08']);
  });

  it('refuses files of different labs and files that are no results, naming them', () => {
    const ours = ledger('ours.jsonl', [[1, 1, 'ann', []]]);
    const theirs = join(dir, 'theirs.jsonl');
    openLedger(theirs, { ...header, lab: 'other-lab' }).close();
    expect(() => mergeCredit([ours, theirs], { mode: 'earned', profile: PROFILE })).toThrow(`${theirs}: is a result of lab "other-lab", but ${ours} is of "aks-greetings": not one class`);
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'hello\n');
    expect(() => mergeCredit([junk], { mode: 'earned', profile: PROFILE })).toThrow(`${junk}: neither a lab-grade JSON report nor a journal or ledger`);
    expect(() => mergeCredit([], { mode: 'earned', profile: PROFILE })).toThrow(/name at least one ledger/);
  });

  it('a file that is missing, a folder or a named pipe is refused as plain merge refuses it, named, without waiting on the pipe', () => {
    const missing = join(dir, 'no-such-ledger.jsonl');
    const folder = mkdtempSync(join(dir, 'a-folder-'));
    const pipe = join(dir, 'a-pipe.jsonl');
    execFileSync('mkfifo', [pipe]);
    for (const file of [missing, folder, pipe]) {
      const plain = errorOf(() => readResultFile(file, collectedNotices()));
      const credit = errorOf(() => mergeCredit([file], { mode: 'earned', profile: PROFILE }));
      expect(credit).toBeInstanceOf(ConfigError);
      expect({ file: (credit as ConfigError).file, message: (credit as ConfigError).message }).toEqual({ file, message: (plain as ConfigError).message });
    }
    expect((errorOf(() => mergeCredit([missing], { mode: 'final', profile: PROFILE })) as ConfigError).message).toBe(`${missing}: cannot read the result file (ENOENT)`);
  });

  it('a torn last line is a warning, not an error', () => {
    const file = ledger('torn.jsonl', [[1, 1, 'ann', exercisesPassing(1)]]);
    appendFileSync(file, '{"type":"student","round":2,');
    const merged = mergeCredit([file], { mode: 'earned', profile: PROFILE });
    expect(merged.students.map((s) => s.user)).toEqual(['ann']);
    expect(merged.warnings).toEqual([`${file}: the last line is incomplete (the run was killed while writing it): ignored`]);
  });

  it('its JSON report (with the earned times) validates against the schema and merges back to the same scores', () => {
    const file = ledger('roundtrip.jsonl', [
      [1, 42, 'ann', EX1_TO_6],
      [2, 70, 'ann', TORN_DOWN],
      [2, 71, 'bob', exercisesPassing(1, 2)],
    ]);
    for (const mode of ['earned', 'final'] as const) {
      const merged = mergeCredit([file], { mode, profile: PROFILE, clock: utcClock });
      const text = renderJson(merged as RunResult);
      const doc = JSON.parse(text) as { students: Array<Record<string, unknown> & { checks: Array<Record<string, unknown>> }> };
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      const service = doc.students[0].checks.find((c) => c.id === 'ex6.myapp.service')!;
      expect(service).toMatchObject({ earnedAt: at(42), earnedRound: 1 });
      if (mode === 'earned') expect(service.now).toEqual({ status: 'fail', message: 'ex6.myapp.service not found', hint: 'Exercise 6: do what the lab says for ex6.myapp.service', evidence: {} });
      else expect(service).not.toHaveProperty('now');
      expect(doc.students[0]).toMatchObject({ credit: mode, gradedAt: at(70), round: 2 });

      const report = join(dir, `roundtrip-${mode}.json`);
      writeFileSync(report, text);
      for (const again of ['earned', 'final'] as const) {
        const back = mergeCredit([report], { mode: again, profile: PROFILE, clock: utcClock });
        const direct = mergeCredit([file], { mode: again, profile: PROFILE, clock: utcClock });
        expect(
          back.students.map((s) => [s.user, s.score, s.status]),
          `${mode} report read as ${again}`,
        ).toEqual(direct.students.map((s) => [s.user, s.score, s.status]));
        if (mode === 'earned') expect(back.students[0].checks.find((c) => c.id === 'ex6.myapp.service')?.earnedAt).toBe(at(42));
      }
    }
  });
});
