/**
 * Earned credit: a class graded several times during a workshop keeps, per student and check, the
 * first time the check passed and that pass's message and evidence. The lab itself tears work down
 * (Exercise 5 deletes its pod, Exercise 7 step 2 deletes the Services of Exercise 6), so one snapshot
 * cannot tell a student whose work was removed from one who never did it.
 *
 * Two scores: `earned` (a check that passed at any graded time counts, shown with its time) and
 * `final` (the last snapshot only, as a single grading run scores it).
 */
import type { CheckResult, Evidence, Status, StudentResult } from '../core/model.js';
import type { LabProfile } from '../core/profile.js';
import { pointsFor, scoreStudent } from '../core/score.js';
import type { LedgerEntry } from './ledger.js';

export type CreditMode = 'earned' | 'final';

/** How `lab-grade live` scores a workshop, and `merge` its ledger, when neither the command nor the class config says. */
export const LIVE_DEFAULT_CREDIT: CreditMode = 'earned';

/**
 * A report's title naming the credit it was scored with: "… (earned credit)". A single grading
 * (`gradings: 'one'`) has nothing earlier to credit, so its earned score is its final one: it says so.
 */
export function creditTitle(title: string, mode: CreditMode, o: { gradings?: 'one' | 'many' } = {}): string {
  return o.gradings === 'one' && mode === 'earned' ? `${title} (earned credit: one grading, the same as final)` : `${title} (${mode} credit)`;
}

/** The first pass of a check. */
export interface EarnedCheck {
  /** ISO time of the grading that first saw it pass. */
  at: string;
  round: number;
  message: string;
  evidence: Evidence;
}

export type EarnedMap = ReadonlyMap<string, EarnedCheck>;

/** What is kept of one student across a day: the latest result and the first pass of each check. */
export interface StudentCredit {
  user: string;
  latest: StudentResult;
  latestAt: string;
  latestRound: number;
  /** When the student was first graded. */
  firstAt: string;
  earned: Map<string, EarnedCheck>;
  /** The latest time a check passed for the first time (`firstAt` until one does). */
  lastProgressAt: string;
}

const time = (iso: string) => Date.parse(iso);

/**
 * Folds one graded result into the student's credit. Entries may come out of time order (several
 * shards' ledgers read at once): the earliest pass and the latest result win whatever the order.
 */
export function recordEntry(credit: StudentCredit | undefined, entry: LedgerEntry): StudentCredit {
  const { student, at, round } = entry;
  const c: StudentCredit = credit ?? { user: student.user, latest: student, latestAt: at, latestRound: round, firstAt: at, earned: new Map(), lastProgressAt: at };
  if (credit) {
    if (time(at) >= time(c.latestAt)) Object.assign(c, { latest: student, latestAt: at, latestRound: round });
    if (time(at) < time(c.firstAt)) c.firstAt = at;
  }
  for (const check of student.checks ?? []) {
    if (check.status !== 'pass') continue;
    const had = c.earned.get(check.id);
    if (had && time(had.at) <= time(at)) continue;
    c.earned.set(check.id, { at, round, message: check.message, evidence: check.evidence ?? {} });
  }
  c.lastProgressAt = c.firstAt;
  for (const e of c.earned.values()) if (time(e.at) > time(c.lastProgressAt)) c.lastProgressAt = e.at;
  return c;
}

/** Every student's credit, keyed by user. Holds nothing but each student's latest result and earned map. */
export class CreditBook {
  private readonly students = new Map<string, StudentCredit>();

  ingest(entry: LedgerEntry): StudentCredit {
    const user = entry.student.user;
    const credit = recordEntry(this.students.get(user), entry);
    this.students.set(user, credit);
    return credit;
  }

  get(user: string): StudentCredit | undefined {
    return this.students.get(user);
  }

  values(): IterableIterator<StudentCredit> {
    return this.students.values();
  }

  get size(): number {
    return this.students.size;
  }
}

/** A check as scored with credit over time. */
export interface CreditedCheck extends CheckResult {
  /** The first time this check passed (ISO), whichever the mode. */
  earnedAt?: string;
  earnedRound?: number;
  /**
   * In `earned` mode, a check credited from an earlier pass that does not pass in the latest result:
   * what the latest grading found. Its `status` is then `pass`, its evidence the earned pass's.
   */
  now?: { status: Status; message: string; hint?: string; evidence: Evidence };
}

export interface CreditedStudent extends StudentResult {
  credit: CreditMode;
  checks: CreditedCheck[];
  /** ISO time and round of the latest result. */
  gradedAt?: string;
  round?: number;
}

export interface ScoreOptions {
  /** How an earned time reads in a message ("10:42"); the grader's local clock by default. */
  clock?: (iso: string, latestIso?: string) => string;
  gradedAt?: string;
  round?: number;
}

/** `10:42` when on the day of the latest grading, `2025-03-01 10:42` otherwise (local time). */
export function localClock(iso: string, latestIso?: string): string {
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hm = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const sameDay = latestIso !== undefined && new Date(latestIso).toDateString() === at.toDateString();
  return sameDay ? hm : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${hm}`;
}

const NOW_WORDS: Record<Exclude<Status, 'pass'>, string> = {
  fail: 'failing now',
  blocked: 'blocked now',
  error: 'could not check now',
  skipped: 'not checked now',
};

/**
 * Scores a student's latest result with their earned map: a pure function, so every reporter can be
 * fed its output. Points come from the profile (a check it does not know keeps its own points).
 * In `earned` mode a check earned earlier counts even if it fails, errs, is blocked or skipped now, and
 * its message says both ("earned 10:42, failing now: Service myapp not found"); the student is
 * incomplete only if a check that never passed is `error` in the latest result. In `final` mode the
 * latest result is scored as it is; both modes record each check's first pass time.
 */
export function scoreCredit(earned: EarnedMap, latest: StudentResult, profile: LabProfile, mode: CreditMode, options: ScoreOptions = {}): CreditedStudent {
  const clock = options.clock ?? localClock;
  const latestAt = options.gradedAt;
  const checks = (latest.checks ?? []).map((c): CreditedCheck => {
    const first = earned.get(c.id);
    const credited = mode === 'earned' && first !== undefined && c.status !== 'pass' ? c.status : undefined;
    const status: Status = credited ? 'pass' : c.status;
    const out: CreditedCheck = { ...c, status };
    if (c.id in profile.checks) Object.assign(out, pointsFor(c.id, status, profile));
    else out.points = status === 'pass' ? c.maxPoints : 0;
    if (first) {
      out.earnedAt = first.at;
      out.earnedRound = first.round;
    }
    if (credited && first) {
      out.message = `earned ${clock(first.at, latestAt)}, ${NOW_WORDS[credited]}: ${c.message}`;
      out.evidence = first.evidence;
      out.now = { status: c.status, message: c.message, ...(c.hint !== undefined ? { hint: c.hint } : {}), evidence: c.evidence ?? {} };
      delete out.blockedBy;
    }
    return out;
  });
  // An earned check is `pass` here, so only an error of a check that never passed makes the student incomplete.
  const scored = scoreStudent(latest.user, checks, profile, latest.durationMs ?? 0);
  return {
    ...scored,
    checks,
    credit: mode,
    ...(options.gradedAt !== undefined ? { gradedAt: options.gradedAt } : {}),
    ...(options.round !== undefined ? { round: options.round } : {}),
  };
}

/** A student's credit scored in `mode` (the latest result, its time and round). */
export function scoreStudentCredit(credit: StudentCredit, profile: LabProfile, mode: CreditMode, clock?: ScoreOptions['clock']): CreditedStudent {
  return scoreCredit(credit.earned, credit.latest, profile, mode, { clock, gradedAt: credit.latestAt, round: credit.latestRound });
}
