/**
 * A student's progress: per exercise `done` / `next` / `failing` / `not checked`, and a small local
 * history of self-checks (~/.lab-grade/history.jsonl, one JSON object per line, the last 500 runs) so
 * a student sees what changed since their last check and their progress over time.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CheckResult, Status, StudentResult, StudentStatus } from './model.js';

export type ExerciseState = 'done' | 'next' | 'failing' | 'not checked';

export interface ExerciseProgress {
  exercise: number;
  state: ExerciseState;
  /** No required points (Exercise 7): its bonus checks decide its state. */
  optional: boolean;
  points: number;
  maxPoints: number;
  bonus: number;
  maxBonus: number;
  checks: CheckResult[];
  /** Why it is `not checked`: the line that would make it reachable, or why it could not be graded. */
  reason?: string;
}

export interface Progress {
  exercises: ExerciseProgress[];
  /** The exercise to work on: the first failing one, required before optional. */
  next?: ExerciseProgress;
  /** The check whose hint to show: the first failure of the next exercise (or the root cause it is blocked by). */
  firstFailing?: CheckResult;
}

const isRequired = (c: CheckResult) => !c.bonus && c.maxPoints > 0;

export function progressOf(student: StudentResult): Progress {
  const groups = new Map<number, CheckResult[]>();
  for (const c of student.checks) groups.set(c.exercise, [...(groups.get(c.exercise) ?? []), c]);
  const exercises = [...groups].map(([exercise, checks]) => exerciseProgress(exercise, checks));
  const failing = exercises.filter((e) => e.state === 'failing');
  const next = failing.find((e) => !e.optional) ?? failing[0];
  if (next) next.state = 'next';
  return { exercises, next, firstFailing: next && firstFailure(next, student.checks) };
}

function exerciseProgress(exercise: number, checks: CheckResult[]): ExerciseProgress {
  const optional = !checks.some(isRequired);
  // Bonus checks of a required exercise (ex2.app.served) are informational: they never make it failing.
  const counted = checks.filter((c) => (optional ? c.bonus : !c.bonus));
  const ran = counted.filter((c) => c.status !== 'skipped');
  const sum = (list: CheckResult[], key: 'points' | 'maxPoints') => list.reduce((s, c) => s + c[key], 0);
  const p: ExerciseProgress = {
    exercise,
    state: 'done',
    optional,
    points: sum(checks.filter((c) => !c.bonus), 'points'),
    maxPoints: sum(checks.filter((c) => !c.bonus), 'maxPoints'),
    bonus: sum(checks.filter((c) => c.bonus), 'points'),
    maxBonus: sum(checks.filter((c) => c.bonus), 'maxPoints'),
    checks,
  };
  const errored = ran.find((c) => c.status === 'error');
  if (ran.length === 0) return { ...p, state: 'not checked', reason: (counted[0] ?? checks[0])?.message };
  if (ran.some((c) => c.status === 'fail' || c.status === 'blocked')) return { ...p, state: 'failing' };
  if (errored) return { ...p, state: 'not checked', reason: `could not check (${errored.message}); run it again` };
  return p;
}

function firstFailure(next: ExerciseProgress, all: CheckResult[]): CheckResult | undefined {
  const ordered = [...next.checks.filter((c) => !c.bonus), ...next.checks.filter((c) => c.bonus)];
  const failed = ordered.find((c) => c.status === 'fail');
  if (failed) return failed;
  const blocked = ordered.find((c) => c.status === 'blocked');
  return blocked && (all.find((c) => c.id === blocked.blockedBy) ?? blocked);
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
  exercises: Record<string, ExerciseState>;
  checks: Record<string, Status>;
}

export interface StatusChange {
  id: string;
  from: Status;
  to: Status;
}

export const HISTORY_CAP = 500;

/** `$LAB_GRADE_HOME/history.jsonl`, by default in ~/.lab-grade. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LAB_GRADE_HOME || join(homedir(), '.lab-grade'), 'history.jsonl');
}

export function historyEntry(student: StudentResult, lab: string, at = new Date()): HistoryEntry {
  const progress = progressOf(student);
  return {
    at: at.toISOString(),
    user: student.user,
    lab,
    status: student.status,
    score: student.score,
    maxScore: student.maxScore,
    bonus: student.bonus,
    exercises: Object.fromEntries(progress.exercises.map((e) => [String(e.exercise), e.state])),
    checks: Object.fromEntries(student.checks.map((c) => [c.id, c.status])),
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
  writeFileSync(tmp, entries.slice(-cap).map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
  renameSync(tmp, file);
}

export function lastEntry(entries: readonly HistoryEntry[], user: string, lab: string): HistoryEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].user === user && entries[i].lab === lab) return entries[i];
  return undefined;
}

/** Checks whose status differs, in the order of `after` (lab order); checks new or gone are left out. */
export function changesBetween(before: Record<string, Status>, after: Record<string, Status>): StatusChange[] {
  return Object.entries(after)
    .filter(([id, to]) => before[id] !== undefined && before[id] !== to)
    .map(([id, to]) => ({ id, from: before[id], to }));
}
