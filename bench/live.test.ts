/**
 * The live workshop row of `npm run bench` measures what it says: every round, every result's way from
 * the ledger to the dashboard's event stream, and the grader's memory per round.
 */
import { describe, expect, it } from 'vitest';
import { goalLine, liveGoals } from './live-goals.js';
import { measureLive, type LiveMeasurement, type LiveRound } from './live.js';

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

describe('npm run bench: the live goals, met or missed', () => {
  const round = (n: number, wallMs: number, updateMax: number, heapUsedMb: number): LiveRound => ({
    round: n,
    wallMs,
    graded: 200,
    updateMs: { median: updateMax / 4, p99: updateMax / 2, max: updateMax, count: Number.isFinite(updateMax) ? 200 : 0 },
    heapUsedMb,
    rssMb: 320,
    ledgerMb: 2.4 * n,
  });
  const measured = (rounds: LiveRound[], gcExposed = true): LiveMeasurement => ({
    options: { students: 200, latencyMs: 40, concurrency: 32, intervalSeconds: 60, rounds: rounds.length },
    gcExposed,
    rounds,
  });
  const lines = (m: LiveMeasurement) => liveGoals(m).map(goalLine);

  it('met: every round within the interval, every update within 1 s, the heap from round 2 within 5 %', () => {
    expect(lines(measured([round(1, 12_330, 154, 77.9), round(2, 10_910, 110, 80.3), round(3, 60_000, 1000, 84.3)]))).toEqual([
      'round ≤ interval (60 s): met (longest round 60.00 s)',
      'update ≤ 1 s: met (slowest update 1000 ms)',
      'heap drift ≤ 5 % from round 2: met (heap after GC 80.3 → 84.3 MB (+4.0 MB, round 2 to 3))',
    ]);
  });

  it('missed: a round over the interval, an update over 1 s, the heap grown by more than 5 % of round 2', () => {
    expect(liveGoals(measured([round(1, 12_000, 100, 70), round(2, 60_001, 1001, 80), round(3, 11_000, 90, 84.1)])).map((g) => [g.verdict, g.found])).toEqual([
      ['missed', 'longest round 60.00 s'],
      ['missed', 'slowest update 1001 ms'],
      ['missed', 'heap after GC 80.0 → 84.1 MB (+4.1 MB, round 2 to 3)'],
    ]);
  });

  it('not measured: the heap with fewer than 3 rounds, updates when none was read; a heap not collected first says so', () => {
    expect(liveGoals(measured([round(1, 5000, Number.NaN, 70), round(2, 5000, Number.NaN, 71)], false)).map((g) => [g.verdict, g.found])).toEqual([
      ['met', 'longest round 5.00 s'],
      ['not measured', 'no update read'],
      ['not measured', 'needs 3 rounds'],
    ]);
    expect(liveGoals(measured([round(1, 5000, 10, 70), round(2, 5000, 10, 71), round(3, 5000, 10, 70)], false))[2].found).toBe(
      'heap (no --expose-gc: not collected first) 71.0 → 70.0 MB (-1.0 MB, round 2 to 3)',
    );
  });
});
