/**
 * `--shard I/N`: a stable slice of the roster. A student's shard is a hash of the user name mod N, so
 * it does not move when the roster is re-ordered or other students are added; N shards of one
 * roster cover every student exactly once.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from './errors.js';

export interface Shard {
  /** 1-based, as on the command line. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new ConfigError(`expected I/N with 1 ≤ I ≤ N (e.g. 2/4), got ${JSON.stringify(text)}`, undefined, '--shard');
  return { index, count };
}

/** The 1-based shard a user belongs to among `count`. */
export function shardOf(user: string, count: number): number {
  const h = createHash('sha256').update(user).digest();
  return (h.readUInt32BE(0) % count) + 1;
}

export function inShard<T extends { user: string }>(items: readonly T[], shard: Shard | undefined): T[] {
  return shard ? items.filter((t) => shardOf(t.user, shard.count) === shard.index) : [...items];
}
