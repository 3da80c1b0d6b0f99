import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { describeHolder, type LockHolder } from '../core/file-lock.js';
import { openJournal, readJournal } from '../core/journal.js';
import { packagePath } from '../core/paths.js';
import { PROFILE, at, student } from '../test/support/live-class.js';
import { thrown } from '../test/support/thrown.js';
import { CreditBook, scoreStudentCredit } from './credit.js';
import { openLedger, readLedger, type LedgerEntry } from './ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = { lab: 'aks-greetings', profile: 'built-in', version: '0.1.0', startedAt: at(0) };
const entriesOf = (file: string) => {
  const out: LedgerEntry[] = [];
  const scan = readLedger(file, (e) => out.push(e));
  return { ...scan, out };
};

describe('ledger', () => {
  it("is the journal's format with a round and a time on each student line, fsync'd per student", () => {
    const file = join(dir, 'a', 'ledger.jsonl');
    const ledger = openLedger(file, header);
    expect(ledger.lastRound).toBe(0);
    const r1 = ledger.nextRound();
    ledger.append(student('u1', ['ex1.vm.reachable']), r1, new Date(at(1)));
    ledger.append(student('u2', []), r1, new Date(at(2)));
    const r2 = ledger.nextRound();
    const entry = ledger.append(student('u1', ['ex1.vm.reachable', 'ex1.docker.installed']), r2, new Date(at(3)));
    ledger.close();
    expect(entry).toMatchObject({ round: 2, at: at(3) });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ type: 'header', ...header });
    expect(lines.slice(1).map((l) => [l.type, l.round, l.at, (l.student as { user: string }).user])).toEqual([
      ['student', 1, at(1), 'u1'],
      ['student', 1, at(2), 'u2'],
      ['student', 2, at(3), 'u1'],
    ]);
    // Still a journal: --resume and merge read it as one.
    expect([...readJournal(file).students.keys()]).toEqual(['u1', 'u2']);
  });

  it('reopened, it continues with the next round and rebuilds credit by reading itself back', () => {
    const file = join(dir, 'reopen.jsonl');
    const first = openLedger(file, header);
    first.append(student('u1', ['ex3.cluster.exists']), first.nextRound(), new Date(at(10)));
    first.append(student('u1', []), first.nextRound(), new Date(at(20)));
    first.close();

    const book = new CreditBook();
    const again = openLedger(file, { ...header, startedAt: at(30) }, { onEntry: (e) => book.ingest(e) });
    expect(again.lastRound).toBe(2);
    expect(again.nextRound()).toBe(3);
    const credit = book.get('u1')!;
    expect(credit.earned.get('ex3.cluster.exists')).toMatchObject({ at: at(10), round: 1 });
    expect(scoreStudentCredit(credit, PROFILE, 'earned').checks.find((c) => c.id === 'ex3.cluster.exists')?.status).toBe('pass');
    again.append(student('u1', []), 3, new Date(at(31)));
    again.close();
    const back = entriesOf(file);
    expect(back.out.map((e) => e.round)).toEqual([1, 2, 3]);
    expect(readFileSync(file, 'utf8').match(/"type":"header"/g)).toHaveLength(1);
  });

  it('a journal continued as a ledger: its lines are round 1 at the start time of its header', () => {
    const file = join(dir, 'journal.jsonl');
    const j = openJournal(file, header);
    j.append(student('u1', ['ex1.vm.reachable']));
    j.close();
    const seen: LedgerEntry[] = [];
    const ledger = openLedger(file, { ...header, startedAt: at(50) }, { onEntry: (e) => seen.push(e) });
    expect(seen.map((e) => [e.round, e.at])).toEqual([[1, at(0)]]);
    expect(ledger.nextRound()).toBe(2);
    ledger.close();
  });

  it('refuses, naming the file and line, a round or time that is not one', () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify({ type: 'header', ...header })}\n${JSON.stringify({ type: 'student', round: 0, at: at(1), student: student('u1', []) })}\n`);
    expect(() => entriesOf(file)).toThrow(`${file} line 2: round 0 is not a whole number from 1 on`);
    writeFileSync(file, `${JSON.stringify({ type: 'header', ...header })}\n${JSON.stringify({ type: 'student', round: 1, at: 'yesterday', student: student('u1', []) })}\n`);
    expect(() => entriesOf(file)).toThrow(`${file} line 2: at "yesterday" is not an ISO date-time`);
    expect(() => openLedger(file, header)).toThrow(/line 2: at "yesterday"/);
    const other = join(dir, 'other-lab.jsonl');
    openLedger(other, { ...header, lab: 'another-lab' }).close();
    expect(() => openLedger(other, header)).toThrow(/journal is of lab "another-lab"/);
  });

  it('in use by another workshop, or not writable, it is refused naming --ledger (the option that chooses another)', () => {
    const file = join(dir, 'in-use.jsonl');
    const first = openLedger(file, header);
    onTestFinished(() => first.close());
    const holder = JSON.parse(readFileSync(`${file}.lock`, 'utf8')) as LockHolder;
    expect(thrown(() => openLedger(file, header)).message).toBe(`ledger ${file} is in use by lab-grade ${describeHolder(holder)}; wait for it or pass another --ledger`);
    // Its folder is a file.
    expect(() => openLedger(join(file, 'inside.jsonl'), header)).toThrow(expect.objectContaining({ constructor: ConfigError, key: '--ledger' }));
  });

  it('a torn last line is cut with a warning before appending', () => {
    const file = join(dir, 'torn.jsonl');
    const l = openLedger(file, header);
    l.append(student('u1', []), 1, new Date(at(1)));
    l.close();
    const whole = statSync(file).size;
    appendFileSync(file, '{"type":"student","round":1,"at":"2025-03-01T10:02:00.000Z","student":{"user":"u2","sta');
    const warnings: string[] = [];
    const again = openLedger(file, header, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([`${file}: the last line is incomplete (the run was killed while writing it): ignored`]);
    expect(statSync(file).size).toBe(whole);
    again.append(student('u2', []), 1, new Date(at(3)));
    again.close();
    expect(entriesOf(file).out.map((e) => e.student.user)).toEqual(['u1', 'u2']);
  });

  it('SIGKILL in the middle of an append loses nothing already written; the torn tail is cut with a warning', async () => {
    // The real module, built, in a process of its own; each student carries 4 MB of evidence so a
    // write takes long enough to be caught in the middle.
    const script = `
      import { openLedger } from ${JSON.stringify(packagePath('dist', 'live', 'ledger.js'))};
      const ledger = openLedger(process.argv[1], ${JSON.stringify(header)});
      const big = 'x'.repeat(4 << 20);
      const base = ${JSON.stringify(student('u', ['ex1.vm.reachable']))};
      for (let round = 1; ; round++) {
        ledger.append({ ...base, user: 'u' + round, checks: [{ ...base.checks[0], evidence: { big } }, ...base.checks.slice(1)] }, round);
        process.stdout.write(round + '\\n');
      }`;
    /** Starts a writer and kills it the moment the file ends inside a line; says whether it still did at its death. */
    const killMidAppend = async (file: string) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      let acknowledged = 0;
      child.stdout.on('data', (d: Buffer) => (acknowledged = Math.max(acknowledged, ...String(d).trim().split('\n').map(Number))));
      const closed = new Promise((resolve) => child.on('close', resolve));
      onTestFinished(() => void child.kill('SIGKILL'));
      const deadline = Date.now() + 20_000;
      while (acknowledged < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(acknowledged).toBeGreaterThanOrEqual(3);
      const fd = openSync(file, 'r');
      const last = Buffer.alloc(1);
      const lastByte = () => (readSync(fd, last, 0, 1, statSync(file).size - 1), last[0]);
      while (lastByte() === 10 && Date.now() < deadline) {
        /* spin: the next write starts within milliseconds */
      }
      child.kill('SIGKILL');
      await closed;
      const torn = lastByte() !== 10;
      closeSync(fd);
      return { acknowledgedAtKill: acknowledged, torn };
    };
    // On a busy machine the write may finish between looking and killing: then that try proves
    // nothing, and another writer is started.
    let file = '';
    let attempt = { acknowledgedAtKill: 0, torn: false };
    for (let i = 1; i <= 5 && !attempt.torn; i++) {
      file = join(dir, `killed-${i}.jsonl`);
      attempt = await killMidAppend(file);
    }
    expect(attempt.torn).toBe(true);
    const { acknowledgedAtKill } = attempt;

    const book = new CreditBook();
    const warnings: string[] = [];
    const reopened = openLedger(file, header, { onEntry: (e) => book.ingest(e), onWarning: (w) => warnings.push(w) });
    // The killed writer's lock is taken over (its process is gone), and its torn line cut off.
    expect(warnings).toEqual([expect.stringMatching(/that process is gone: lock taken over/), expect.stringMatching(/last line is incomplete/)]);
    // Every acknowledged student is there, in order, and nothing else but at most the one in flight.
    expect(book.size).toBeGreaterThanOrEqual(acknowledgedAtKill);
    expect(book.size).toBeLessThanOrEqual(acknowledgedAtKill + 1);
    expect(reopened.lastRound).toBe(book.size);
    reopened.append(student('after', []), reopened.nextRound());
    reopened.close();
    const back = entriesOf(file);
    expect(back.warnings).toEqual([]);
    expect(back.out.map((e) => e.round)).toEqual(Array.from({ length: book.size + 1 }, (_, i) => i + 1));
  });

  it('reads a ledger far larger than its memory allows, line by line', () => {
    // ~96 MB of ledger read by a process whose JavaScript heap may not exceed 48 MB: holding the file,
    // or every result in it, would not fit.
    const file = join(dir, 'big.jsonl');
    const line = JSON.stringify({
      type: 'student',
      round: 1,
      at: at(1),
      student: { ...student('u', ['ex1.vm.reachable']), checks: student('u', []).checks.map((c) => ({ ...c, evidence: { pad: 'y'.repeat(1000) } })) },
    });
    const count = Math.ceil((96 << 20) / line.length);
    const fd = openSync(file, 'w');
    appendFileSync(fd, JSON.stringify({ type: 'header', ...header }) + '\n');
    for (let i = 0; i < count; i++) appendFileSync(fd, line.replace('"user":"u"', `"user":"u${i % 200}"`).replace('"round":1', `"round":${1 + Math.floor(i / 200)}`) + '\n');
    closeSync(fd);
    const script = `
      import { readLedger } from ${JSON.stringify(packagePath('dist', 'live', 'ledger.js'))};
      import { CreditBook } from ${JSON.stringify(packagePath('dist', 'live', 'credit.js'))};
      const book = new CreditBook();
      const scan = readLedger(process.argv[1], (e) => book.ingest(e));
      console.log(JSON.stringify({ entries: scan.entries, lastRound: scan.lastRound, students: book.size }));`;
    const run = spawnSync(process.execPath, ['--max-old-space-size=48', '--input-type=module', '-e', script, file], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ entries: count, lastRound: 1 + Math.floor((count - 1) / 200), students: 200 });
  });
});
