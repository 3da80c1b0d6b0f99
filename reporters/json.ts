/**
 * The machine-readable result, described by reporters/result.schema.json. Gradebook scripts key on
 * these names, so fields may be added but never renamed. Built field by field rather than dumping the
 * RunResult, so the key order is stable and a field that is optional in the model (`hint`,
 * `blockedBy`, `code`) is present as null instead of missing. The profile's title, pass mark and bonus
 * cap travel with the results (`lab-grade merge` needs no profile to judge them), and a partial run
 * (`--only`) says which checks it selected and draws no verdict (`passed` is null).
 */
import type { CheckResult, Evidence, RunResult, StudentResult } from '../core/model.js';
import { wholeStudents } from '../core/result-spool.js';
import { documentReporter } from './document.js';
import type { Reporter, ReporterOptions, RunInfo } from './types.js';

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
  /** The stable reason code of every result but a pass. */
  code: string | null;
}

export interface JsonStudent {
  user: string;
  status: StudentResult['status'];
  score: number;
  maxScore: number;
  bonus: number;
  percent: number;
  /** null in a partial run (`only`): its points are those of the selection, no pass-mark verdict. */
  passed: boolean | null;
  checks: JsonCheck[];
  durationMs: number;
  // Credit over time, present only then.
  credit?: 'earned' | 'final';
  gradedAt?: string;
  round?: number;
}

export interface JsonDocument {
  lab: string;
  generatedAt: string;
  grader: { version: string };
  /** Only in a shard's report (`--shard I/N`). */
  shard?: { index: number; count: number };
  /** The lab profile's, when the run knew it (a replay of an older result may not). */
  title?: string;
  passMark?: number;
  /** Bonus points counted at most; null: no cap. */
  bonusCap?: number | null;
  /** A partial run: the `--only` selection. */
  only?: string[];
  students: JsonStudent[];
}

function toJsonCheck(c: CheckResult): JsonCheck {
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
    code: c.code ?? null,
  };
}

function toJsonStudent(s: StudentResult, partial: boolean): JsonStudent {
  return {
    user: s.user,
    status: s.status,
    score: s.score,
    maxScore: s.maxScore,
    bonus: s.bonus,
    percent: s.percent,
    passed: partial ? null : s.passed,
    checks: s.checks.map(toJsonCheck),
    durationMs: s.durationMs,
    ...(s.credit !== undefined ? { credit: s.credit } : {}),
    ...(s.gradedAt !== undefined ? { gradedAt: s.gradedAt } : {}),
    ...(s.round !== undefined ? { round: s.round } : {}),
  };
}

/**
 * A student of a JSON report back in the result model: nulls become absent fields again. A partial
 * run's student (`passed` null) did not pass: the document's `only` says there was no verdict.
 */
export function fromJsonStudent(s: JsonStudent): StudentResult {
  return {
    ...s,
    passed: s.passed ?? false,
    checks: s.checks.map(({ hint, blockedBy, code, now, ...c }) => ({
      ...c,
      ...(hint !== null && hint !== undefined ? { hint } : {}),
      ...(blockedBy !== null && blockedBy !== undefined ? { blockedBy } : {}),
      ...(code !== null && code !== undefined ? { code } : {}),
      ...(now ? { now: { status: now.status, message: now.message, ...(now.hint !== null ? { hint: now.hint } : {}), evidence: now.evidence } } : {}),
    })),
  };
}

export function toJsonDocument(run: RunResult, info?: RunInfo): JsonDocument {
  const partial = isPartial(info);
  return { ...documentHead(run, info), students: Array.from(wholeStudents(run), (s) => toJsonStudent(s, partial)) };
}

const isPartial = (info: RunInfo | undefined): boolean => !!info?.only?.length;

/** Everything of the document but its students (they come last). */
function documentHead(run: RunResult, info?: RunInfo): Omit<JsonDocument, 'students'> {
  return {
    lab: run.lab,
    generatedAt: run.generatedAt,
    grader: { version: run.grader.version },
    ...(run.shard ? { shard: { index: run.shard.index, count: run.shard.count } } : {}),
    ...(info ? { title: info.title, passMark: info.passMark, bonusCap: info.bonusCap ?? null } : {}),
    ...(info?.only?.length ? { only: [...info.only] } : {}),
  };
}

/** Evidence is free-form: a bigint or a Date from a probe must not make the whole report throw. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * The document as JSON.stringify(toJsonDocument(run, info), replacer, 2) writes it, in pieces: the head,
 * then one student at a time, so a class of 1000 is never one string (nor a second copy of its results).
 */
export function writeJson(run: RunResult, info: RunInfo | undefined, write: (text: string) => void): void {
  const head = JSON.stringify(documentHead(run, info), replacer, 2);
  if (run.students.length === 0) {
    write(`${head.slice(0, -2)},\n  "students": []\n}\n`);
    return;
  }
  write(`${head.slice(0, -2)},\n  "students": [`);
  const partial = isPartial(info);
  let i = 0;
  for (const student of wholeStudents(run)) {
    const text = JSON.stringify(toJsonStudent(student, partial), replacer, 2).replaceAll('\n', '\n    ');
    write(`${i++ === 0 ? '' : ','}\n    ${text}`);
  }
  write('\n  ]\n}\n');
}

export function renderJson(run: RunResult, info?: RunInfo): string {
  let text = '';
  writeJson(run, info, (piece) => (text += piece));
  return text;
}

export const createJsonReporter = (options: ReporterOptions): Reporter => documentReporter(options, writeJson);
