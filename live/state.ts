/**
 * The class as the live dashboard shows it: one row per student in roster order, one cell per exercise,
 * the student's next step, who is stuck, how many are past each exercise (the funnel) and the class's
 * points per round (median and quartiles). Each graded result updates one row and a few counters, in
 * time independent of the class size, and is handed to subscribers as a per-student delta.
 *
 * Cell states of an exercise (its counted checks: the required ones, or the bonus ones of an exercise
 * with no required points, such as Exercise 7; checks not applicable now left out):
 * - `done`: every counted check counts (`earned`: passed at some grading; `final`: passes now);
 * - `not gradable`: otherwise, if a counted check that does not count is `error`, or blocked by a
 *   check that is `error`: the grader could not find out (also when nothing of it was checked);
 * - `failing`: otherwise, if a check of it that passed at an earlier grading fails now (the work was
 *   there and broke, or was torn down), or a counted check fails for a reason other than something
 *   missing (only a reason code tells that apart: without one, a failure reads as "not found yet");
 * - `in progress`: otherwise, if a check of it with points counts;
 * - `not started`: nothing of it found: its checks fail at a missing step, or are blocked.
 */
import { randomBytes } from 'node:crypto';
import { progressOf } from '../core/history.js';
import type { CheckResult, Status } from '../core/model.js';
import type { ExerciseState } from '../core/progress.js';
import type { LabProfile } from '../core/profile.js';
import { EXERCISE_TITLES } from '../reporters/checklist.messages.js';
import { CreditBook, scoreStudentCredit, type CreditMode, type CreditedCheck, type CreditedStudent, type EarnedMap, type ScoreOptions } from './credit.js';
import type { LedgerEntry } from './ledger.js';

/**
 * The states a dashboard cell takes: those of the shared vocabulary (core/progress.ts) that credit over
 * time decides here (see the module comment); how each reads comes from reporters/exercise-states.ts.
 */
export const CELL_STATES = ['done', 'in progress', 'failing', 'not started', 'not gradable'] as const satisfies readonly ExerciseState[];
export type CellState = (typeof CELL_STATES)[number];

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
  state: CellState;
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
   * Whether a failing check only found something missing (the exercise not started) rather than
   * something wrong. By default a reason `code` naming something missing, and any failure without a code.
   */
  isMissing?: (check: CheckResult) => boolean;
  /** How an earned time reads in messages. */
  clock?: ScoreOptions['clock'];
  /** How many deltas are kept for a page that reconnects (default 1000). */
  keepDeltas?: number;
}

const MISSING_CODE = /(^|[._-])(missing|absent|not[._-]?found|none|no[._-]\w+)([._-]|$)/i;

function defaultIsMissing(check: CheckResult): boolean {
  const code = (check as { code?: unknown }).code;
  return typeof code === 'string' ? MISSING_CODE.test(code) : true;
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

/** The state of each exercise for one student (see the module comment). */
function exerciseCells(result: CreditedStudent, earned: EarnedMap, columns: readonly ExerciseColumn[], isMissing = defaultIsMissing): ExerciseCell[] {
  const byId = new Map(result.checks.map((c) => [c.id, c]));
  return columns.map((col) => {
    const checks = result.checks.filter((c) => c.exercise === col.exercise);
    const counted = checks.filter((c) => (col.optional ? c.bonus : !c.bonus && c.maxPoints > 0)).filter((c) => c.status !== 'skipped');
    const brokenNow = checks.filter((c) => earned.has(c.id) && statusNow(c) !== 'pass' && statusNow(c) !== 'skipped').map((c) => c.id);
    const cell = (state: CellState): ExerciseCell => ({
      exercise: col.exercise,
      state,
      points: checks.filter((c) => !c.bonus).reduce((s, c) => s + c.points, 0),
      bonus: checks.filter((c) => c.bonus).reduce((s, c) => s + c.points, 0),
      brokenNow,
    });
    const open = counted.filter((c) => c.status !== 'pass');
    if (counted.length > 0 && open.length === 0) return cell('done');
    const unknown = (c: CreditedCheck) =>
      c.status === 'error' || (c.status === 'blocked' && c.blockedBy !== undefined && byId.get(c.blockedBy) !== undefined && statusNow(byId.get(c.blockedBy)!) === 'error');
    if (counted.length === 0 || open.some(unknown)) return cell('not gradable');
    const broke = checks.some((c) => earned.has(c.id) && statusNow(c) === 'fail');
    if (broke || open.some((c) => c.status === 'fail' && !isMissing(c))) return cell('failing');
    if (checks.some((c) => c.maxPoints > 0 && c.status === 'pass')) return cell('in progress');
    return cell('not started');
  });
}

/** The first failing check of the next exercise, as the student's checklist names it, with what it is now. */
function nextStep(result: CreditedStudent): NextStep | undefined {
  const c = progressOf(result).firstFailing as CreditedCheck | undefined;
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
    cells: columns.map((c) => ({ exercise: c.exercise, state: 'not started', points: 0, bonus: 0, brokenNow: [] })),
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
    this.mode = options.mode ?? 'earned';
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
    const cells = exerciseCells(result, credit.earned, this.columns, this.options.isMissing);
    const next = nextStep(result);
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
