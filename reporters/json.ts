/**
 * The machine-readable result, described by reporters/result.schema.json. Gradebook scripts key on
 * these names, so fields may be added but never renamed. Built field by field rather than dumping the
 * RunResult, so the key order is stable and a field that is optional in the model (`hint`,
 * `blockedBy`) is present as null instead of missing.
 */
import type { CheckResult, Evidence, RunResult, StudentResult } from '../core/model.js';
import type { Reporter, ReporterOptions } from './types.js';

export interface JsonCheck {
  id: string;
  exercise: number;
  title: string;
  status: CheckResult['status'];
  points: number;
  maxPoints: number;
  message: string;
  hint: string | null;
  evidence: Evidence;
  durationMs: number;
  // Extras beyond the documented contract.
  bonus: boolean;
  blockedBy: string | null;
  // Credit over time (a class graded in rounds), present only then.
  earnedAt?: string;
  earnedRound?: number;
  now?: { status: CheckResult['status']; message: string; hint: string | null; evidence: Evidence };
}

export interface JsonStudent {
  user: string;
  status: StudentResult['status'];
  score: number;
  maxScore: number;
  bonus: number;
  percent: number;
  passed: boolean;
  checks: JsonCheck[];
  durationMs: number;
  // Credit over time, present only then.
  credit?: 'earned' | 'final';
  gradedAt?: string;
  round?: number;
}

/** What a result scored with credit over time adds (optional: a single grading run has none of it). */
interface CreditFields {
  check: Partial<Pick<JsonCheck, 'earnedAt' | 'earnedRound'>> & { now?: { status: CheckResult['status']; message: string; hint?: string; evidence: Evidence } };
  student: Partial<Pick<JsonStudent, 'credit' | 'gradedAt' | 'round'>>;
}

export interface JsonDocument {
  lab: string;
  generatedAt: string;
  grader: { version: string };
  /** Only in a shard's report (`--shard I/N`). */
  shard?: { index: number; count: number };
  students: JsonStudent[];
}

function toJsonCheck(check: CheckResult): JsonCheck {
  const c = check as CheckResult & CreditFields['check'];
  return {
    id: c.id,
    exercise: c.exercise,
    title: c.title,
    status: c.status,
    points: c.points,
    maxPoints: c.maxPoints,
    message: c.message,
    hint: c.hint ?? null,
    evidence: c.evidence ?? {},
    durationMs: c.durationMs,
    bonus: c.bonus,
    blockedBy: c.blockedBy ?? null,
    ...(c.earnedAt !== undefined ? { earnedAt: c.earnedAt, earnedRound: c.earnedRound } : {}),
    ...(c.now ? { now: { status: c.now.status, message: c.now.message, hint: c.now.hint ?? null, evidence: c.now.evidence ?? {} } } : {}),
  };
}

function toJsonStudent(student: StudentResult): JsonStudent {
  const s = student as StudentResult & CreditFields['student'];
  return {
    user: s.user,
    status: s.status,
    score: s.score,
    maxScore: s.maxScore,
    bonus: s.bonus,
    percent: s.percent,
    passed: s.passed,
    checks: s.checks.map(toJsonCheck),
    durationMs: s.durationMs,
    ...(s.credit !== undefined ? { credit: s.credit } : {}),
    ...(s.gradedAt !== undefined ? { gradedAt: s.gradedAt } : {}),
    ...(s.round !== undefined ? { round: s.round } : {}),
  };
}

/** A student of a JSON report back in the result model: nulls become absent fields again. */
export function fromJsonStudent(s: JsonStudent): StudentResult {
  return {
    ...s,
    checks: s.checks.map(({ hint, blockedBy, now, ...c }) => ({
      ...c,
      ...(hint !== null && hint !== undefined ? { hint } : {}),
      ...(blockedBy !== null && blockedBy !== undefined ? { blockedBy } : {}),
      ...(now ? { now: { status: now.status, message: now.message, ...(now.hint !== null ? { hint: now.hint } : {}), evidence: now.evidence } } : {}),
    })),
  };
}

export function toJsonDocument(run: RunResult): JsonDocument {
  return {
    lab: run.lab,
    generatedAt: run.generatedAt,
    grader: { version: run.grader.version },
    ...(run.shard ? { shard: { index: run.shard.index, count: run.shard.count } } : {}),
    students: run.students.map(toJsonStudent),
  };
}

/** Evidence is free-form: a bigint or a Date from a probe must not make the whole report throw. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function renderJson(run: RunResult): string {
  return JSON.stringify(toJsonDocument(run), replacer, 2) + '\n';
}

export const createJsonReporter = (options: ReporterOptions): Reporter => ({
  onRunEnd(run: RunResult): void {
    options.output.write(renderJson(run));
  },
});
