import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardOf } from './shard.js';

const users = Array.from({ length: 200 }, (_, i) => ({ user: `labuser${i}` }));

describe('--shard I/N', () => {
  it('N shards cover every student exactly once', () => {
    const slices = [1, 2, 3].map((index) => inShard(users, { index, count: 3 }).map((u) => u.user));
    expect(slices.flat().sort()).toEqual(users.map((u) => u.user).sort());
    for (const s of slices) expect(s.length).toBeGreaterThan(40); // roughly even
  });

  it('a student stays in their shard when the roster is re-ordered or grows', () => {
    const before = inShard(users, { index: 2, count: 3 }).map((u) => u.user);
    const after = inShard([{ user: 'newcomer' }, ...[...users].reverse()], { index: 2, count: 3 }).map((u) => u.user);
    expect(after.filter((u) => u !== 'newcomer').sort()).toEqual([...before].sort());
    expect(shardOf('labuser7', 5)).toBe(shardOf('labuser7', 5));
  });

  it('refuses what is not I/N with 1 ≤ I ≤ N', () => {
    expect(parseShard(' 2/3 ')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '-1/2']) expect(() => parseShard(bad)).toThrow(/--shard|I\/N/);
  });
});
