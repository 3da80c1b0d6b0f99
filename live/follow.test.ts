import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { at, student } from '../test/support/live-class.js';
import { compileGlob, followLedgers, type FollowedItem, type LedgerFollower } from './follow.js';
import { openLedger } from './ledger.js';

const root = mkdtempSync(join(tmpdir(), 'lab-grade-follow-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  return dir;
};
const header = (startedAt = at(0)) => ({ lab: 'aks-greetings', profile: 'built-in', version: '0.1.0', startedAt });
const line = (round: number, user: string, minute: number) => JSON.stringify({ type: 'student', round, at: at(minute), student: student(user, []) }) + '\n';

/** The next `count` items, or fails after `ms`. */
async function take(follower: LedgerFollower, count: number, ms = 5000): Promise<FollowedItem[]> {
  const iterator = follower[Symbol.asyncIterator]();
  const out: FollowedItem[] = [];
  const deadline = Date.now() + ms;
  while (out.length < count) {
    const left = deadline - Date.now();
    const next = await Promise.race([iterator.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(0, left)))]);
    if (next === 'timeout') throw new Error(`only ${out.length} of ${count} items within ${ms} ms: ${JSON.stringify(out.map(describeItem))}`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

/** Resolves with an item if one comes within `ms`, else undefined (the pending next() is kept). */
function pending(follower: LedgerFollower) {
  const iterator = follower[Symbol.asyncIterator]();
  const next = iterator.next();
  return (ms: number) => Promise.race([next.then((r) => (r.done ? undefined : r.value)), new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}

const describeItem = (i: FollowedItem) => (i.kind === 'entry' ? `${i.file.split('/').pop()}:${i.entry.student.user}@${i.entry.round}` : `${i.kind}:${i.file.split('/').pop()}`);

describe('following ledgers', () => {
  it('reads every matching file from the start, in order per file, leaving other files alone', async () => {
    const dir = freshDir();
    for (const shard of [0, 1]) {
      const l = openLedger(join(dir, `shard-${shard}.jsonl`), header());
      l.append(student(`s${shard}a`, []), 1, new Date(at(1)));
      l.append(student(`s${shard}b`, []), 1, new Date(at(2)));
      l.append(student(`s${shard}a`, []), 2, new Date(at(3)));
      l.close();
    }
    writeFileSync(join(dir, 'notes.txt'), 'not a ledger\n');
    writeFileSync(join(dir, '.shard-9.jsonl'), 'hidden\n');
    const follower = followLedgers(join(dir, '*.jsonl'));
    const items = await take(follower, 8);
    follower.close();
    expect(items.map(describeItem)).toEqual([
      'header:shard-0.jsonl',
      'shard-0.jsonl:s0a@1',
      'shard-0.jsonl:s0b@1',
      'shard-0.jsonl:s0a@2',
      'header:shard-1.jsonl',
      'shard-1.jsonl:s1a@1',
      'shard-1.jsonl:s1b@1',
      'shard-1.jsonl:s1a@2',
    ]);
  });

  for (const watch of [true, false]) {
    it(`${watch ? 'with fs.watch' : 'by polling alone'}: appended lines, a partial line only once its newline comes, and files that appear later`, async () => {
      const dir = freshDir();
      const a = join(dir, 'a.jsonl');
      writeFileSync(a, JSON.stringify({ type: 'header', ...header() }) + '\n');
      const follower = followLedgers(join(dir, '*.jsonl'), { watch, pollMs: watch ? 60_000 : 50 });
      try {
        expect((await take(follower, 1)).map(describeItem)).toEqual(['header:a.jsonl']);
        appendFileSync(a, line(1, 'u1', 1));
        expect((await take(follower, 1)).map(describeItem)).toEqual(['a.jsonl:u1@1']);

        const text = line(1, 'u2', 2);
        appendFileSync(a, text.slice(0, 40));
        const next = pending(follower);
        expect(await next(400)).toBeUndefined();
        appendFileSync(a, text.slice(40));
        const item = await next(3000);
        expect(item && describeItem(item)).toBe('a.jsonl:u2@1');

        const b = join(dir, 'b.jsonl');
        writeFileSync(b, JSON.stringify({ type: 'header', ...header() }) + '\n' + line(1, 'v1', 3));
        expect((await take(follower, 2)).map(describeItem)).toEqual(['header:b.jsonl', 'b.jsonl:v1@1']);
      } finally {
        follower.close();
      }
    });
  }

  it('reports a damaged line and goes on; a pending iteration ends on close', async () => {
    const dir = freshDir();
    const a = join(dir, 'a.jsonl');
    const noChecks = JSON.stringify({ type: 'student', round: 1, at: at(1), student: { user: 'y', checks: 'none' } });
    writeFileSync(
      a,
      JSON.stringify({ type: 'header', ...header() }) +
        '\n' +
        'garbage\n' +
        JSON.stringify({ type: 'student', round: -1, at: at(1), student: student('x', []) }) +
        '\n' +
        noChecks +
        '\n' +
        line(1, 'u1', 1),
    );
    const follower = followLedgers(join(dir, '*.jsonl'), { pollMs: 50 });
    const items = await take(follower, 5);
    expect(items.map((i) => (i.kind === 'warning' ? i.message : describeItem(i)))).toEqual([
      'header:a.jsonl',
      `${a} line 2 is not JSON: skipped`,
      `${a} line 3: round -1 is not a whole number from 1 on: skipped`,
      `${a} line 4: expected a header or a student line: skipped`,
      'a.jsonl:u1@1',
    ]);
    const next = follower[Symbol.asyncIterator]().next();
    follower.close();
    expect(await next).toEqual({ done: true, value: undefined });
  });

  it('a journal without rounds is followed as round 1 at its start time', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'j.jsonl'), JSON.stringify({ type: 'header', ...header(at(7)) }) + '\n' + JSON.stringify({ type: 'student', student: student('u1', []) }) + '\n');
    const follower = followLedgers(join(dir, 'j.jsonl'));
    const [, entry] = await take(follower, 2);
    follower.close();
    expect(entry.kind === 'entry' && [entry.entry.round, entry.entry.at]).toEqual([1, at(7)]);
  });

  it('patterns: wildcards in the file name only', () => {
    const g = compileGlob('results/shard-[0-9]?.jsonl');
    expect(g.dir).toBe('results');
    expect(['shard-1a.jsonl', 'shard-12.jsonl', 'shard-a1.jsonl', 'shard-1.jsonl'].filter(g.matches)).toEqual(['shard-1a.jsonl', 'shard-12.jsonl']);
    expect(compileGlob('r/a.b*').matches('axb')).toBe(false);
    expect(() => compileGlob('results/*/ledger.jsonl')).toThrow('"results/*/ledger.jsonl": wildcards are allowed in the file name only, not in the folder "results/*"');
    expect(() => compileGlob('r/[ab.jsonl')).toThrow(/without a closing/);
  });
});
