/**
 * The class as the live dashboard shows it: one row per student in roster order, one cell per exercise,
 * the student's next step, who is stuck, how many are past each exercise (the funnel) and the class's
 * points per round (median and quartiles). Each graded result updates one row and a few counters, in
 * time independent of the class size, and is handed to subscribers as a per-student delta.
 *
 * A cell's state is the exercise's state as every report decides it (core/progress.ts
 * `exerciseStandings`), from the student's latest result scored with credit over time: `done` when
 * every counted check counts (`earned`: passed at some grading; `final`: passes now), `failing` when a
 * check that passed at an earlier grading fails now (the work was there and broke, or was torn down),
 * and so on. The dashboard adds only what it shows beside the state: the checks that passed before and
 * do not pass now (`brokenNow`). A student not graded yet has every cell `not checked`: nothing is
 * known of their work, which `not started` would claim.
 */
import { randomBytes } from 'node:crypto';
import { progressOf } from '../core/history.js';
import type { Status } from '../core/model.js';
import type { AbsentCode, ExerciseStanding, ExerciseState } from '../core/progress.js';
import type { LabProfile } from '../core/profile.js';
import { EXERCISE_TITLES } from '../reporters/checklist.messages.js';
import { CreditBook, LIVE_DEFAULT_CREDIT, scoreStudentCredit, type CreditMode, type CreditedCheck, type CreditedStudent, type ScoreOptions } from './credit.js';
import type { LedgerEntry } from './ledger.js';

export interface ExerciseColumn {
  exercise: number;
  title: string;
  /** No required points: its bonus checks decide its state. */
  optional: boolean;
  maxPoints: number;
  maxBonus: number;
}

export interface ExerciseCell {
  exercise: number;
  /** The shared vocabulary (core/progress.ts); how each reads comes from reporters/exercise-states.ts. */
  state: ExerciseState;
  /** `waiting`: the earliest exercise whose failure its checks wait on. */
  waitingOn?: number;
  points: number;
  bonus: number;
  /** Checks of this exercise that passed at an earlier grading and do not pass now. */
  brokenNow: string[];
}

export interface NextStep {
  id: string;
  title: string;
  exercise: number;
  /** What the latest grading found (for a check earned earlier, its status now). */
  status: Status;
  message: string;
  /** What to do, naming the lab step. */
  hint?: string;
}

export type RowStatus = 'waiting' | 'graded' | 'incomplete';

export interface StudentRow {
  user: string;
  /** Place in the roster (students graded but not on the roster come after it). */
  position: number;
  /** `waiting`: not graded yet. */
  status: RowStatus;
  round?: number;
  gradedAt?: string;
  score: number;
  maxScore: number;
  bonus: number;
  percent: number;
  passed: boolean;
  exercisesDone: number;
  cells: ExerciseCell[];
  next?: NextStep;
  /** When a check last passed for the first time (the first grading until one does). */
  lastProgressAt?: string;
  /** Minutes from the last progress to the latest grading. */
  noProgressMinutes?: number;
  /**
   * No check newly passed for `stuckAfterMinutes` while the next step fails, and nothing up to it
   * could not be checked (an incomplete student is stuck when what errs comes after the next step).
   */
  stuck: boolean;
}

export interface FunnelStep {
  exercise: number;
  /** Students with the exercise done. */
  done: number;
}

export interface SeriesPoint {
  round: number;
  /** The latest grading time of the round. */
  at: string;
  /** Students graded so far. */
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** What changed with one graded result: the student's row and the class counters it moved. */
export interface StudentDelta {
  version: number;
  row: StudentRow;
  funnel: FunnelStep[];
  graded: number;
  point: SeriesPoint;
}

/** A round the grader could not grade at all (its Azure identity could not get a token…): nobody was graded in it. */
export interface Outage {
  round: number;
  /** ISO time the round was given up. */
  at: string;
  message: string;
}

export const SORTS = ['roster', 'progress', 'idle'] as const;
export type RowSort = (typeof SORTS)[number];

/** The class counters, the funnel and the points per round: its size does not grow with the class. */
export interface ClassSummary {
  lab: string;
  title: string;
  mode: CreditMode;
  passMark: number;
  stuckAfterMinutes: number;
  /**
   * Which sequence `version` counts in: made up anew by each process (a restarted `live` counts its
   * versions from the ledger again), so a page of another process is told to reload, not fed deltas.
   */
  epoch: string;
  version: number;
  updatedAt: string | null;
  rosterSize: number;
  graded: number;
  stuck: number;
  incomplete: number;
  exercises: ExerciseColumn[];
  funnel: FunnelStep[];
  series: SeriesPoint[];
  /** The latest round could not be graded: shown until a round grades again. */
  outage: Outage | null;
  /** Shards (`2/3`) of a sharded class whose ledger has not been seen: their students are not shown. */
  missingShards: string[];
}

export interface ClassSnapshot extends ClassSummary {
  sort: RowSort;
  students: StudentRow[];
}

export interface StudentDetail {
  row: StudentRow;
  /** The latest result scored in the class's mode, with the earned times; undefined while waiting. */
  result?: CreditedStudent;
}

export interface ClassStateOptions {
  profile: LabProfile;
  roster: readonly string[];
  mode?: CreditMode;
  stuckAfterMinutes?: number;
  /**
   * Which reason codes say the thing is not there at all (the exercise not started rather than
   * failing): the reason catalogue's, as every report reads them (`absentIn(reasonCatalogue())`).
   * By default none, as core/progress.ts has it.
   */
  absent?: AbsentCode;
  /** How an earned time reads in messages. */
  clock?: ScoreOptions['clock'];
  /** How many deltas are kept for a page that reconnects (default 1000). */
  keepDeltas?: number;
}

/** The exercises of the profile, in order, with their points. */
export function exerciseColumns(profile: LabProfile): ExerciseColumn[] {
  const columns = new Map<number, ExerciseColumn>();
  for (const [id, p] of Object.entries(profile.checks)) {
    const m = /^ex(\d+)\./.exec(id);
    if (!m) continue;
    const exercise = Number(m[1]);
    const col = columns.get(exercise) ?? { exercise, title: EXERCISE_TITLES[exercise] ?? `Exercise ${exercise}`, optional: true, maxPoints: 0, maxBonus: 0 };
    col.maxPoints += p.points;
    col.maxBonus += p.bonus;
    if (p.points > 0) col.optional = false;
    columns.set(exercise, col);
  }
  return [...columns.values()].sort((a, b) => a.exercise - b.exercise);
}

const statusNow = (c: CreditedCheck): Status => c.now?.status ?? c.status;

/**
 * A cell per column: the exercise's standing as core/progress.ts decides it, and the checks that passed
 * at an earlier grading and do not pass now. A column the result has no check of was not checked.
 */
function exerciseCells(exercises: readonly ExerciseStanding[], columns: readonly ExerciseColumn[]): ExerciseCell[] {
  const byExercise = new Map(exercises.map((e) => [e.exercise, e]));
  return columns.map((col): ExerciseCell => {
    const e = byExercise.get(col.exercise);
    if (!e) return { exercise: col.exercise, state: 'not checked', points: 0, bonus: 0, brokenNow: [] };
    const brokenNow = e.checks.filter((c) => c.earnedAt !== undefined && statusNow(c) !== 'pass' && statusNow(c) !== 'skipped').map((c) => c.id);
    return { exercise: col.exercise, state: e.state, ...(e.waitingOn !== undefined ? { waitingOn: e.waitingOn } : {}), points: e.points, bonus: e.bonus, brokenNow };
  });
}

/** The first failing check of the next exercise, as the student's checklist names it, with what it is now. */
function nextStep(c: CreditedCheck | undefined): NextStep | undefined {
  if (!c) return undefined;
  const hint = c.now ? c.now.hint : c.hint;
  return { id: c.id, title: c.title, exercise: c.exercise, status: statusNow(c), message: c.now?.message ?? c.message, ...(hint !== undefined ? { hint } : {}) };
}

const MINUTE = 60_000;

/**
 * Whether what the grader could not check might hide the work on the next step: an exercise up to it
 * that is not gradable (the VM unreachable while the student works on Exercise 2). What could not be
 * checked after the next step hides nothing of it: a student whose next step visibly fails is stuck.
 */
const hidesProgress = (cells: readonly ExerciseCell[], next: NextStep): boolean => cells.some((c) => c.exercise <= next.exercise && c.state === 'not gradable');

function waitingRow(user: string, position: number, columns: readonly ExerciseColumn[]): StudentRow {
  return {
    user,
    position,
    status: 'waiting',
    score: 0,
    maxScore: columns.reduce((s, c) => s + c.maxPoints, 0),
    bonus: 0,
    percent: 0,
    passed: false,
    exercisesDone: 0,
    cells: columns.map((c) => ({ exercise: c.exercise, state: 'not checked', points: 0, bonus: 0, brokenNow: [] })),
    stuck: false,
  };
}

/** Quantiles (linear between the two nearest ranks) of a histogram of scores. */
function seriesPoint(histogram: Map<number, number>, round: number, at: string): SeriesPoint {
  const values = [...histogram.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const n = values.reduce((s, [, k]) => s + k, 0);
  const nth = (i: number) => {
    let seen = 0;
    for (const [v, k] of values) {
      seen += k;
      if (i < seen) return v;
    }
    return values.length ? values[values.length - 1][0] : 0;
  };
  const q = (p: number) => {
    if (n === 0) return 0;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = nth(lo);
    return Math.round((a + (h - lo) * (nth(Math.min(lo + 1, n - 1)) - a)) * 100) / 100;
  };
  return { round, at, n, min: q(0), q1: q(0.25), median: q(0.5), q3: q(0.75), max: q(1) };
}

export class ClassState {
  readonly book = new CreditBook();
  readonly columns: readonly ExerciseColumn[];
  readonly mode: CreditMode;
  readonly stuckAfterMinutes: number;
  private readonly rowsByUser = new Map<string, StudentRow>();
  private readonly doneCounts: number[];
  private readonly histogram = new Map<number, number>();
  private readonly series = new Map<number, SeriesPoint>();
  private readonly listeners = new Set<(delta: StudentDelta) => void>();
  private readonly summaryListeners = new Set<() => void>();
  private outage: Outage | null = null;
  private missingShards: string[] = [];
  private readonly recent: StudentDelta[] = [];
  private readonly keepDeltas: number;
  private graded = 0;
  private stuck = 0;
  private incomplete = 0;
  private updatedAt: string | null = null;
  version = 0;
  readonly epoch = randomBytes(6).toString('hex');

  constructor(private readonly options: ClassStateOptions) {
    this.columns = exerciseColumns(options.profile);
    this.mode = options.mode ?? LIVE_DEFAULT_CREDIT;
    this.stuckAfterMinutes = options.stuckAfterMinutes ?? 15;
    this.keepDeltas = options.keepDeltas ?? 1000;
    this.doneCounts = this.columns.map(() => 0);
    options.roster.forEach((user, i) => {
      if (!this.rowsByUser.has(user)) this.rowsByUser.set(user, waitingRow(user, i, this.columns));
    });
  }

  /** Folds one graded result in and tells the subscribers. Work per call does not grow with the class. */
  ingest(entry: LedgerEntry): StudentDelta {
    const credit = this.book.ingest(entry);
    const user = credit.user;
    const old = this.rowsByUser.get(user);
    const result = scoreStudentCredit(credit, this.options.profile, this.mode, this.options.clock);
    const progress = progressOf(result, this.options.absent);
    const cells = exerciseCells(progress.exercises, this.columns);
    const next = nextStep(progress.firstFailing);
    const noProgress = Math.max(0, Date.parse(credit.latestAt) - Date.parse(credit.lastProgressAt));
    const row: StudentRow = {
      user,
      position: old?.position ?? this.rowsByUser.size,
      status: result.status,
      round: credit.latestRound,
      gradedAt: credit.latestAt,
      score: result.score,
      maxScore: result.maxScore,
      bonus: result.bonus,
      percent: result.percent,
      passed: result.passed,
      exercisesDone: cells.filter((c) => c.state === 'done').length,
      cells,
      ...(next ? { next } : {}),
      lastProgressAt: credit.lastProgressAt,
      noProgressMinutes: Math.floor(noProgress / MINUTE),
      stuck: next !== undefined && next.status !== 'error' && !hidesProgress(cells, next) && noProgress >= this.stuckAfterMinutes * MINUTE,
    };
    this.stuck += Number(row.stuck) - Number(old?.stuck ?? false);
    this.incomplete += Number(row.status === 'incomplete') - Number(old?.status === 'incomplete');
    if (old && old.status !== 'waiting') {
      this.bump(this.histogram, old.score, -1);
      old.cells.forEach((c, i) => (this.doneCounts[i] -= c.state === 'done' ? 1 : 0));
    } else {
      this.graded++;
    }
    this.bump(this.histogram, row.score, +1);
    row.cells.forEach((c, i) => (this.doneCounts[i] += c.state === 'done' ? 1 : 0));
    this.rowsByUser.set(user, row);

    const prior = this.series.get(entry.round);
    const roundAt = prior && Date.parse(prior.at) > Date.parse(entry.at) ? prior.at : entry.at;
    const point = seriesPoint(this.histogram, entry.round, roundAt);
    this.series.set(entry.round, point);
    if (this.updatedAt === null || Date.parse(entry.at) > Date.parse(this.updatedAt)) this.updatedAt = entry.at;

    const delta: StudentDelta = { version: ++this.version, row, funnel: this.funnel(), graded: this.graded, point };
    this.recent.push(delta);
    if (this.recent.length > this.keepDeltas) this.recent.shift();
    for (const listener of this.listeners) listener(delta);
    return delta;
  }

  private bump(map: Map<number, number>, key: number, by: number): void {
    const n = (map.get(key) ?? 0) + by;
    if (n === 0) map.delete(key);
    else map.set(key, n);
  }

  funnel(): FunnelStep[] {
    return this.columns.map((c, i) => ({ exercise: c.exercise, done: this.doneCounts[i] }));
  }

  /** Called with each delta; returns the unsubscribe function. */
  subscribe(listener: (delta: StudentDelta) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Called when the summary changes without a graded result (an outage, shards seen): returns the unsubscribe function. */
  subscribeSummary(listener: () => void): () => void {
    this.summaryListeners.add(listener);
    return () => void this.summaryListeners.delete(listener);
  }

  /** A round that could not be graded; null once a round grades again. */
  setOutage(outage: Outage | null): void {
    if (outage === null && this.outage === null) return;
    this.outage = outage;
    this.summaryChanged();
  }

  /** The shards (`2/3`) whose ledger has not been seen yet. */
  setMissingShards(shards: readonly string[]): void {
    if (shards.join() === this.missingShards.join()) return;
    this.missingShards = [...shards];
    this.summaryChanged();
  }

  /** Whether the summary carries something to show besides the counts (an outage, missing shards). */
  get hasNotices(): boolean {
    return this.outage !== null || this.missingShards.length > 0;
  }

  private summaryChanged(): void {
    for (const listener of this.summaryListeners) listener();
  }

  /**
   * The deltas after `version`, or undefined when the page must reload the whole class: they are no
   * longer kept, or `version` is one this state never reached (a page of another run on the same port).
   */
  deltasSince(version: number): StudentDelta[] | undefined {
    if (version > this.version) return undefined;
    if (version === this.version) return [];
    const first = this.recent[0]?.version ?? this.version + 1;
    if (version + 1 < first) return undefined;
    return this.recent.filter((d) => d.version > version);
  }

  row(user: string): StudentRow | undefined {
    return this.rowsByUser.get(user);
  }

  rows(sort: RowSort = 'roster'): StudentRow[] {
    const rows = [...this.rowsByUser.values()];
    return rows.sort(ROW_ORDER[sort]);
  }

  student(user: string): StudentDetail | undefined {
    const row = this.rowsByUser.get(user);
    if (!row) return undefined;
    const credit = this.book.get(user);
    return { row, ...(credit ? { result: scoreStudentCredit(credit, this.options.profile, this.mode, this.options.clock) } : {}) };
  }

  /** Every graded student scored in the class's mode, in roster order: what the reporters get. */
  results(): CreditedStudent[] {
    return this.rows('roster').flatMap((r) => {
      const credit = this.book.get(r.user);
      return credit ? [scoreStudentCredit(credit, this.options.profile, this.mode, this.options.clock)] : [];
    });
  }

  summary(): ClassSummary {
    const { profile } = this.options;
    return {
      lab: profile.lab,
      title: profile.title,
      mode: this.mode,
      passMark: profile.passMark,
      stuckAfterMinutes: this.stuckAfterMinutes,
      epoch: this.epoch,
      version: this.version,
      updatedAt: this.updatedAt,
      rosterSize: this.options.roster.length,
      graded: this.graded,
      stuck: this.stuck,
      incomplete: this.incomplete,
      exercises: [...this.columns],
      funnel: this.funnel(),
      series: [...this.series.values()].sort((a, b) => a.round - b.round),
      outage: this.outage,
      missingShards: [...this.missingShards],
    };
  }

  snapshot(sort: RowSort = 'roster'): ClassSnapshot {
    return { ...this.summary(), sort, students: this.rows(sort) };
  }
}

const byPosition = (a: StudentRow, b: StudentRow) => a.position - b.position;
const waitingLast = (a: StudentRow, b: StudentRow) => Number(a.status === 'waiting') - Number(b.status === 'waiting');

const ROW_ORDER: Record<RowSort, (a: StudentRow, b: StudentRow) => number> = {
  roster: byPosition,
  /** Furthest first: exercises done, then points. */
  progress: (a, b) => waitingLast(a, b) || b.exercisesDone - a.exercisesDone || b.score - a.score || byPosition(a, b),
  /** Longest without progress first, the stuck before the others. */
  idle: (a, b) => waitingLast(a, b) || Number(b.stuck) - Number(a.stuck) || (b.noProgressMinutes ?? 0) - (a.noProgressMinutes ?? 0) || byPosition(a, b),
};
