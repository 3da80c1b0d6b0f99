/**
 * The shards of a sharded class among result files (JSON reports, journals, ledgers): which shard each
 * file says it holds, and which shards of the split none of them holds. A class graded in rounds may
 * have several ledgers of one shard (a grader restarted on a new ledger); a single run's shard given
 * twice is a shard merged twice.
 */
import { ConfigError } from '../core/errors.js';
import { inShard, type Shard } from '../core/shard.js';

/** The `shard` a result file records, checked: `{}` when it records none. */
export function shardOf(value: unknown, file: string): { shard?: Shard } {
  if (value === undefined) return {};
  const s = value as Partial<Shard>;
  if (!Number.isInteger(s?.index) || !Number.isInteger(s?.count) || s.index! < 1 || s.index! > s.count!)
    throw new ConfigError(`shard: expected {index, count} with 1 ≤ index ≤ count, got ${JSON.stringify(value)}`, file);
  return { shard: { index: s.index!, count: s.count! } };
}

export const shardName = (s: Shard): string => `${s.index}/${s.count}`;

export interface ShardedFile {
  file: string;
  shard?: Shard;
}

/**
 * The shards of the files' split that no file holds. Refuses shards of different splits, and a shard
 * in two files unless `repeats` (ledgers: a shard's grader may have been restarted on a new ledger).
 */
export function missingShards(files: readonly ShardedFile[], o: { repeats: boolean }): Shard[] {
  const sharded = files.filter((f): f is Required<ShardedFile> => f.shard !== undefined);
  const first = sharded[0];
  if (!first) return [];
  const seen = new Map<number, string>();
  for (const f of sharded) {
    if (f.shard.count !== first.shard.count)
      throw new ConfigError(`is shard ${shardName(f.shard)}, but ${first.file} is shard ${shardName(first.shard)}: not slices of one split of the class`, f.file);
    const other = seen.get(f.shard.index);
    if (other !== undefined && !o.repeats) throw new ConfigError(`is shard ${shardName(f.shard)} like ${other}: each shard once (one merged twice, or graded twice?)`, f.file);
    seen.set(f.shard.index, f.file);
  }
  const count = first.shard.count;
  return Array.from({ length: count }, (_, i) => ({ index: i + 1, count })).filter((s) => !seen.has(s.index));
}

/** "shard 2/3 is missing: 3 students of the roster are not in the merged report" (`where`: "on the dashboard yet"). */
export function missingShardWarning(shard: Shard, roster: readonly { user: string }[] | undefined, where = 'in the merged report'): string {
  if (!roster) return `shard ${shardName(shard)} is missing: its students are not ${where}`;
  const n = inShard(roster, shard).length;
  return `shard ${shardName(shard)} is missing: ${n} student${n === 1 ? '' : 's'} of the roster ${n === 1 ? 'is' : 'are'} not ${where}`;
}
