/**
 * The live workshop's goals, judged from a measurement: `npm run bench` prints each as met or missed
 * with the figure that decides it, so a run is read against the goals without doing the sums.
 */
import type { LiveMeasurement } from './live.js';
import { fixed } from './table.js';

/** The dashboard has a result this soon after it is written to the ledger. */
const UPDATE_GOAL_MS = 1000;
/**
 * Memory is flat when the heap after round 2 (the first round with every student's result and earned
 * map in place) grows by no more than this share of it by the last round.
 */
const HEAP_DRIFT_GOAL = 0.05;

export interface GoalVerdict {
  goal: string;
  /** `not measured`: too few rounds (or results) to judge. */
  verdict: 'met' | 'missed' | 'not measured';
  /** The figure that decides it. */
  found: string;
}

const ms = (n: number) => `${fixed(n, 0)} ms`;

/** A goal judged from its figure, or `not measured` (and why) when there is none. */
const judge = (goal: string, figure: { ok: boolean; found: string } | string): GoalVerdict =>
  typeof figure === 'string' ? { goal, verdict: 'not measured', found: figure } : { goal, verdict: figure.ok ? 'met' : 'missed', found: figure.found };

export function liveGoals(m: LiveMeasurement): GoalVerdict[] {
  const { rounds } = m;
  const interval = m.options.intervalSeconds;
  const longest = Math.max(...rounds.map((r) => r.wallMs));
  const updates = rounds.map((r) => r.updateMs.max).filter(Number.isFinite);
  const slowest = Math.max(...updates);
  const later = rounds.slice(1);
  const [from, to] = [later[0]?.heapUsedMb ?? 0, later.at(-1)?.heapUsedMb ?? 0];
  const heapName = m.gcExposed ? 'heap after GC' : 'heap (no --expose-gc: not collected first)';
  const drift = to - from;
  return [
    judge(`round ≤ interval (${interval} s)`, rounds.length ? { ok: longest <= interval * 1000, found: `longest round ${fixed(longest / 1000, 2)} s` } : 'no round'),
    judge(`update ≤ ${UPDATE_GOAL_MS / 1000} s`, updates.length ? { ok: slowest <= UPDATE_GOAL_MS, found: `slowest update ${ms(slowest)}` } : 'no update read'),
    judge(
      `heap drift ≤ ${HEAP_DRIFT_GOAL * 100} % from round 2`,
      later.length > 1
        ? { ok: drift <= from * HEAP_DRIFT_GOAL, found: `${heapName} ${fixed(from, 1)} → ${fixed(to, 1)} MB (${drift >= 0 ? '+' : ''}${fixed(drift, 1)} MB, round 2 to ${later.at(-1)!.round})` }
        : 'needs 3 rounds',
    ),
  ];
}

/** `round ≤ interval (60 s): met (longest round 13.23 s)` */
export const goalLine = (g: GoalVerdict): string => `${g.goal}: ${g.verdict} (${g.found})`;
