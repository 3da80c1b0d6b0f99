/**
 * Where a student stands in each exercise, from the results alone. The one place exercise states are
 * decided: the checklist, the history, the HTML matrix and the class views all read it.
 * - `done`: every counted check passes (counted: the required checks, or the bonus ones of an exercise
 *   with no required points, such as Exercise 7);
 * - `not checked`: none of them could run here (no access from here, or not in this mode);
 * - `failing`: a counted check fails, or is blocked by a failure in this exercise, for a reason other
 *   than something missing; or, with credit over time, a counted check that passed at an earlier
 *   grading fails now (the work was there and broke, whatever its reason code). Credited from that
 *   earlier pass (`earned` mode) it still counts towards `done`: it is what broke only in an exercise
 *   that is not done;
 * - `not gradable`: otherwise, a counted check could not be graded (an error, or blocked by one);
 * - `in progress`: otherwise, something of it is missing and something of it passes;
 * - `not started`: otherwise, something of it is missing and nothing of it passes;
 * - `waiting`: otherwise, a counted check is blocked by a failure in another exercise (`waitingOn`):
 *   nothing of this one can be checked until that is fixed, so it is not this exercise's failure.
 */
import type { CheckResult } from './model.js';
import { ENGINE_REASONS } from './reasons.js';

export type ExerciseState = 'done' | 'in progress' | 'failing' | 'waiting' | 'not started' | 'not checked' | 'not gradable';

/**
 * How an exercise reads in a report: its state, except that the exercise to work on is `next` (a
 * student's view), and a bonus exercise that is not done reads as what it earned: it costs nothing.
 */
export type ExerciseMark = ExerciseState | 'next' | 'partly earned' | 'bonus not earned';

export function exerciseMark(e: Pick<ExerciseStanding, 'state' | 'optional' | 'bonus'>, next = false): ExerciseMark {
  if (next) return 'next';
  if (e.optional && (e.state === 'failing' || e.state === 'in progress')) return e.bonus > 0 ? 'partly earned' : 'bonus not earned';
  return e.state;
}

export interface ExerciseStanding {
  exercise: number;
  state: ExerciseState;
  /** `waiting`: the earliest exercise whose failure its checks wait on. */
  waitingOn?: number;
  /** No required points (Exercise 7): its bonus checks decide its state. */
  optional: boolean;
  points: number;
  maxPoints: number;
  bonus: number;
  maxBonus: number;
  checks: CheckResult[];
  /** Why it is `not checked` (the line that would make it reachable) or `not gradable` (why it could not be graded). */
  reason?: string;
}

/** Whether a reason code says the thing is not there at all (not created yet), rather than wrong. */
export type AbsentCode = (code: string) => boolean;

const NOTHING_ABSENT: AbsentCode = () => false;

/**
 * The AbsentCode of a reason catalogue (`code → { absent }`, as app/reasons.ts builds it and RunInfo
 * carries it): every view reads "not there yet" from that one table.
 */
export function absentIn(reasons: Readonly<Record<string, { absent?: boolean }>>): AbsentCode {
  return (code) => Object.hasOwn(reasons, code) && reasons[code].absent === true;
}

/** Credit over time: a check that passed at an earlier grading (`earnedAt`) and fails now (`now`: as credited in `earned` mode). */
const brokeNow = (c: CheckResult): boolean => c.earnedAt !== undefined && (c.now?.status ?? c.status) === 'fail';

/** What one check says about its exercise, its root cause followed when it is blocked. */
interface Finding {
  /** `broken`: credited from an earlier pass, failing now (see brokeNow). */
  kind: 'pass' | 'broken' | 'absent' | 'fail' | 'error' | 'waiting';
  /** The exercise of the check that decided it: this one's, or its root cause's. */
  exercise: number;
  root?: CheckResult;
}

/** `ex5.pull.authorized` → 5: the exercise of a root cause the results do not hold (a partial run's). */
const exerciseOfId = (id: string): number | undefined => {
  const m = /^ex(\d+)\./.exec(id);
  return m ? Number(m[1]) : undefined;
};

const sum = (list: readonly CheckResult[], pick: (c: CheckResult) => number) => list.reduce((s, c) => s + pick(c), 0);

/** The student's standing in each exercise that has checks, in lab order. */
export function exerciseStandings(checks: readonly CheckResult[], absent: AbsentCode = NOTHING_ABSENT): ExerciseStanding[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const groups = new Map<number, CheckResult[]>();
  for (const c of checks) groups.set(c.exercise, [...(groups.get(c.exercise) ?? []), c]);

  const finding = (c: CheckResult): Finding | undefined => {
    if (c.status === 'skipped') return undefined;
    const blockedBy = c.status === 'blocked' ? c.blockedBy : undefined;
    const root = (blockedBy && byId.get(blockedBy)) || c;
    // Blocked by a check this run did not report (a partial run): a failure of its exercise.
    const elsewhere = blockedBy && root === c ? exerciseOfId(blockedBy) : undefined;
    if (elsewhere !== undefined && elsewhere !== c.exercise) return { kind: 'waiting', exercise: elsewhere };
    // A root credited from an earlier pass (credit over time) blocks by what it is now.
    const status = (c !== root && root.now?.status) || root.status;
    // Blocked behind a check that could not run here: not checked either.
    if (status === 'skipped') return undefined;
    const found = (kind: Finding['kind']): Finding => ({ kind, exercise: root.exercise, root });
    if (c === root && status === 'pass' && brokeNow(c)) return found('broken');
    if (status === 'pass') return found('pass');
    if (status === 'error') return found('error');
    // Blocked by another exercise's failure: that exercise is the one to fix, not this one.
    if (root.exercise !== c.exercise) return found('waiting');
    // What passed at an earlier grading was there: failing now, it broke, whatever its code says.
    return found(root.status === 'fail' && root.code && absent(root.code) && !brokeNow(root) ? 'absent' : 'fail');
  };

  return [...groups].map(([exercise, list]) => {
    const required = list.filter((c) => !c.bonus && c.maxPoints > 0);
    const optional = required.length === 0;
    const bonusChecks = list.filter((c) => c.bonus);
    const others = list.filter((c) => !c.bonus);
    // Bonus checks of a required exercise (ex2.app.served) and 0-point checks never decide its state.
    const counted = optional ? bonusChecks : required;
    const standing: ExerciseStanding = {
      exercise,
      state: 'done',
      optional,
      points: sum(others, (c) => c.points),
      maxPoints: sum(others, (c) => c.maxPoints),
      bonus: sum(bonusChecks, (c) => c.points),
      maxBonus: sum(bonusChecks, (c) => c.maxPoints),
      checks: list,
    };
    const found = counted.map(finding).filter((f): f is Finding => f !== undefined);
    // Nothing of it could run here (no access, or it does not apply in this mode): nothing to say it is done.
    if (counted.length && found.length === 0) {
      const skipped = counted.map((c) => (c.status === 'blocked' && c.blockedBy && byId.get(c.blockedBy)) || c);
      // The line that would make it reachable says more than a check's own "cannot tell".
      const why = skipped.find((c) => c.code === ENGINE_REASONS.unavailable.code) ?? skipped[0];
      return { ...standing, state: 'not checked', reason: why.message };
    }
    // Credited checks count towards done; in an exercise not done, what broke is a failure of it.
    if (found.every((f) => f.kind === 'pass' || f.kind === 'broken')) return standing;
    const first = (kind: Finding['kind']) => found.find((f) => f.kind === kind);
    if (first('fail') || first('broken')) return { ...standing, state: 'failing' };
    const errored = first('error');
    if (errored) return { ...standing, state: 'not gradable', reason: errored.root?.message };
    // A check not reachable from here beside passing ones (a self-check without Azure) leaves the exercise done as far as it was checked.
    if (first('absent')) return { ...standing, state: first('pass') ? 'in progress' : 'not started' };
    const waiting = found.filter((f) => f.kind === 'waiting');
    if (waiting.length) return { ...standing, state: 'waiting', waitingOn: Math.min(...waiting.map((f) => f.exercise)) };
    return standing;
  });
}
