/**
 * A student's progress: where they stand in each exercise (core/progress.ts), the exercise to work on
 * next and what to fix in it, and a small local history of self-checks (~/.lab-grade/history.jsonl,
 * one JSON object per line, the last 500 runs) so a student sees what changed since their last check
 * and their progress over time.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CheckResult, Status, StudentResult, StudentStatus } from './model.js';
import { exerciseMark, exerciseStandings, type AbsentCode, type ExerciseMark, type ExerciseStanding } from './progress.js';

export interface Progress {
  exercises: ExerciseStanding[];
  /** The exercise to work on: the first failing, in progress or not started one, required before optional. */
  next?: ExerciseStanding;
  /** What to fix in it: its failing checks (required first), and the root cause of each blocked one. */
  failures: CheckResult[];
  /** The first of them. */
  firstFailing?: CheckResult;
}

const OPEN = new Set<ExerciseStanding['state']>(['failing', 'in progress', 'not started']);

export function progressOf(student: StudentResult, absent?: AbsentCode): Progress {
  const exercises = exerciseStandings(student.checks, absent);
  const open = exercises.filter((e) => OPEN.has(e.state));
  const next = open.find((e) => !e.optional) ?? open[0];
  const failures = next ? failuresOf(next, student.checks) : [];
  return { exercises, next, failures, firstFailing: failures[0] };
}

function failuresOf(next: ExerciseStanding, all: CheckResult[]): CheckResult[] {
  const ordered = [...next.checks.filter((c) => !c.bonus), ...next.checks.filter((c) => c.bonus)];
  const out = ordered.filter((c) => c.status === 'fail');
  for (const blocked of ordered.filter((c) => c.status === 'blocked')) {
    const root = all.find((c) => c.id === blocked.blockedBy) ?? blocked;
    if (!out.includes(root)) out.push(root);
  }
  return out;
}

// ---------- history ----------

export interface HistoryEntry {
  at: string;
  user: string;
  lab: string;
  status: StudentStatus;
  score: number;
  maxScore: number;
  bonus: number;
  /** How each exercise read (`next` marks the one to work on; never in a partial run). */
  exercises: Record<string, ExerciseMark>;
  checks: Record<string, Status>;
  /** Each blocked check's root cause: a partial run compares only what it graded itself. */
  blockedBy?: Record<string, string>;
  /** A run of some checks only (`--only`): its points are not the lab's, and it is no whole check to compare with. */
  only?: string[];
}

export interface StatusChange {
  id: string;
  from: Status;
  to: Status;
}

const HISTORY_CAP = 500;

/** `$LAB_GRADE_HOME/history.jsonl`, by default in ~/.lab-grade. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LAB_GRADE_HOME || join(homedir(), '.lab-grade'), 'history.jsonl');
}

export interface EntryOptions {
  at?: Date;
  absent?: AbsentCode;
  /** The run's `--only` selection: recorded as a partial run. */
  only?: readonly string[];
}

/** Each blocked check's root cause. */
export const blockedByOf = (student: StudentResult): Record<string, string> => Object.fromEntries(student.checks.flatMap((c) => (c.status === 'blocked' && c.blockedBy ? [[c.id, c.blockedBy]] : [])));

export function historyEntry(student: StudentResult, lab: string, o: EntryOptions = {}): HistoryEntry {
  const { at = new Date(), absent, only = [] } = o;
  const progress = progressOf(student, absent);
  const blockedBy = blockedByOf(student);
  return {
    at: at.toISOString(),
    user: student.user,
    lab,
    status: student.status,
    score: student.score,
    maxScore: student.maxScore,
    bonus: student.bonus,
    exercises: Object.fromEntries(progress.exercises.map((e) => [String(e.exercise), exerciseMark(e, !only.length && e === progress.next)])),
    checks: Object.fromEntries(student.checks.map((c) => [c.id, c.status])),
    ...(Object.keys(blockedBy).length ? { blockedBy } : {}),
    ...(only.length ? { only: [...only] } : {}),
  };
}

/** Every readable entry, oldest first; a damaged line (a crash mid-write) is left out, not fatal. */
export function readHistory(file: string): HistoryEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as HistoryEntry;
      if (typeof e.at === 'string' && typeof e.user === 'string' && e.checks && e.exercises) entries.push(e);
    } catch {
      // skip
    }
  }
  return entries;
}

/** Appends one run; past the cap, the file is rewritten with the newest runs (atomically, by rename). */
export function appendHistory(file: string, entry: HistoryEntry, cap = HISTORY_CAP): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, JSON.stringify(entry) + '\n', { mode: 0o600 });
  const entries = readHistory(file);
  if (entries.length <= cap) return;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    entries
      .slice(-cap)
      .map((e) => JSON.stringify(e) + '\n')
      .join(''),
    { mode: 0o600 },
  );
  renameSync(tmp, file);
}

/** The newest entry of this user and lab; with `whole`, partial (`--only`) runs are passed over. */
export function lastEntry(entries: readonly HistoryEntry[], user: string, lab: string, o: { whole?: boolean } = {}): HistoryEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.user === user && e.lab === lab && !(o.whole && e.only?.length)) return e;
  }
  return undefined;
}

/**
 * What changed since an earlier run. A partial run (`--only`) grades its selection only: a check
 * blocked, in either run, by a check outside it is left out (a whole check blocks Exercise 6 behind
 * Exercise 5, which a run of Exercise 6 alone does not grade), and so is a check blocked in an earlier
 * run that did not record by what, so a selection never reads as a change of the work.
 */
export function changesSince(before: Pick<HistoryEntry, 'checks' | 'blockedBy'>, now: StudentResult, o: { partial: boolean }): StatusChange[] {
  const changes = changesBetween(before.checks, Object.fromEntries(now.checks.map((c) => [c.id, c.status])));
  if (!o.partial) return changes;
  const graded = new Set(now.checks.map((c) => c.id));
  const blockedNow = new Map(now.checks.map((c) => [c.id, c.blockedBy]));
  const outside = (blocker: string | undefined) => blocker === undefined || !graded.has(blocker);
  return changes.filter((c) => !(c.from === 'blocked' && outside(before.blockedBy?.[c.id])) && !(c.to === 'blocked' && outside(blockedNow.get(c.id))));
}

/** Checks whose status differs, in the order of `after` (lab order); checks new or gone are left out. */
export function changesBetween(before: Record<string, Status>, after: Record<string, Status>): StatusChange[] {
  return Object.entries(after)
    .filter(([id, to]) => before[id] !== undefined && before[id] !== to)
    .map(([id, to]) => ({ id, from: before[id], to }));
}
