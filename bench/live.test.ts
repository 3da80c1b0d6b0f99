/**
 * The live workshop row of `npm run bench` measures what it says: every round, every result's way from
 * the ledger to the dashboard's event stream, and the grader's memory per round.
 */
import { describe, expect, it } from 'vitest';
import { measureLive } from './live.js';

describe('npm run bench: the live workshop row', () => {
  it('times each round, each result from the ledger to the dashboard, and the memory after each round', async () => {
    const m = await measureLive({ students: 4, latencyMs: 10, concurrency: 4, intervalSeconds: 2, rounds: 2 });
    expect(m.rounds.map((r) => [r.round, r.graded])).toEqual([
      [1, 4],
      [2, 4],
    ]);
    // Every result of round 1 reached the event stream while round 2 ran (the last round's may be cut off by the end).
    expect(m.rounds[0].updateMs.count).toBe(4);
    expect(m.rounds[0].updateMs.median).toBeGreaterThanOrEqual(0);
    expect(m.rounds[0].updateMs.max).toBeGreaterThanOrEqual(m.rounds[0].updateMs.median);
    for (const r of m.rounds) {
      expect(r.wallMs).toBeGreaterThan(0);
      expect(r.heapUsedMb).toBeGreaterThan(1);
      expect(r.rssMb).toBeGreaterThan(r.heapUsedMb);
    }
    expect(m.rounds[1].ledgerMb).toBeGreaterThan(m.rounds[0].ledgerMb);
  }, 90_000);
});
