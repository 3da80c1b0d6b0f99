/**
 * Where a student stands in each exercise, from the results alone: `done`, `failing`, `not started`
 * (everything the exercise builds is missing, or its checks are blocked at a missing first step) or
 * `not gradable` (the grader could not find out: an error, or none of it reachable from here). The class matrix
 * of the HTML report and the student's checklist both read it.
 */
import type { CheckResult } from './model.js';
import { ENGINE_REASONS } from './reasons.js';

export type ExerciseCell = 'done' | 'failing' | 'not started' | 'not gradable';

export interface ExerciseStanding {
  exercise: number;
  state: ExerciseCell;
  /** No required points (Exercise 7): its bonus checks decide its state. */
  optional: boolean;
  points: number;
  maxPoints: number;
  bonus: number;
  maxBonus: number;
  checks: CheckResult[];
  /** Why it is `not gradable`: the line that would make it reachable, or why it could not be graded. */
  reason?: string;
  /** `not gradable` because a check could not be graded (rather than not reachable from here). */
  errored?: boolean;
}

/** Whether a reason code says the thing is not there at all (not created yet), rather than wrong. */
export type AbsentCode = (code: string) => boolean;

const NOTHING_ABSENT: AbsentCode = () => false;

/** What one check says about its exercise, its root cause followed when it is blocked. */
type Finding = 'pass' | 'absent' | 'error' | 'fail';

const sum = (list: readonly CheckResult[], pick: (c: CheckResult) => number) => list.reduce((s, c) => s + pick(c), 0);

/** The student's standing in each exercise that has checks, in lab order. */
export function exerciseStandings(checks: readonly CheckResult[], absent: AbsentCode = NOTHING_ABSENT): ExerciseStanding[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const groups = new Map<number, CheckResult[]>();
  for (const c of checks) groups.set(c.exercise, [...(groups.get(c.exercise) ?? []), c]);

  const finding = (c: CheckResult): Finding | undefined => {
    const root = c.status === 'blocked' && c.blockedBy ? byId.get(c.blockedBy) : c;
    // A root credited from an earlier pass (credit over time) blocks by what it is now.
    const status = (c !== root && root?.now?.status) || (root?.status ?? 'fail');
    if (c.status === 'skipped') return undefined;
    if (status === 'pass') return 'pass';
    if (status === 'error') return 'error';
    return root?.status === 'fail' && root.code && absent(root.code) ? 'absent' : 'fail';
  };

  return [...groups].map(([exercise, list]) => {
    const required = list.filter((c) => !c.bonus && c.maxPoints > 0);
    const optional = required.length === 0;
    // Bonus checks of a required exercise (ex2.app.served) and 0-point checks never decide its state.
    const counted = optional ? list.filter((c) => c.bonus) : required;
    const standing: ExerciseStanding = {
      exercise,
      state: 'done',
      optional,
      points: sum(
        list.filter((c) => !c.bonus),
        (c) => c.points,
      ),
      maxPoints: sum(
        list.filter((c) => !c.bonus),
        (c) => c.maxPoints,
      ),
      bonus: sum(
        list.filter((c) => c.bonus),
        (c) => c.points,
      ),
      maxBonus: sum(
        list.filter((c) => c.bonus),
        (c) => c.maxPoints,
      ),
      checks: list,
    };
    // Nothing of it could run here (no access, or it does not apply in this mode): nothing to say it is done.
    const skipped = counted.filter((c) => c.status === 'skipped');
    // The line that would make it reachable says more than a check's own "cannot tell".
    const why = skipped.find((c) => c.code === ENGINE_REASONS.unavailable.code) ?? skipped[0];
    if (counted.length && skipped.length === counted.length) return { ...standing, state: 'not gradable', reason: why.message };
    const found = counted.map((c) => ({ check: c, finding: finding(c) })).filter((f) => f.finding !== undefined);
    const first = (kind: Finding) => found.find((f) => f.finding === kind)?.check;
    const errored = first('error');
    if (first('fail')) return { ...standing, state: 'failing' };
    if (errored) {
      const root = errored.status === 'blocked' && errored.blockedBy ? (byId.get(errored.blockedBy) ?? errored) : errored;
      return { ...standing, state: 'not gradable', reason: root.message, errored: true };
    }
    // A check not reachable from here beside passing ones (a self-check without Azure) leaves the exercise done as far as it was checked.
    if (first('absent')) return { ...standing, state: found.some((f) => f.finding === 'pass') ? 'failing' : 'not started' };
    return standing;
  });
}
