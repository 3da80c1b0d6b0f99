/**
 * The network-pace lower bound of grading one student, from the engine's own dependency graph.
 *
 * Model: every server answers after L ms (faults.latencyMs) and everything else is free. A check can
 * start once its `dependsOn` and `after` checks have finished; then it needs `own` sequential answers
 * (a request whose input is the previous answer: list the clusters → fetch the kubeconfig → GET
 * /version). So a check cannot finish before `chain(check) = own(check) + max(chain(dependency))`
 * answers, and the student not before the longest chain × L.
 *
 * `own` is measured, not guessed: a traced run grades each kind of student with a large L, alone
 * enough that L dominates, and counts `own = round((finished(check) - max(finished(dependency))) / L)`.
 * Answers that another check already asked for (the engine shares every probe call) cost nothing again,
 * so this is the chain the grader must wait for, given its reads.
 */
import type { CheckDef } from '../core/check.js';
import type { StudentMeasure } from './measure.js';

export interface CheckStep {
  id: string;
  /** Sequential answers this check waits for after its dependencies. */
  own: number;
}

export interface StudentBound {
  template: string;
  /** The longest chain, in answers. */
  answers: number;
  /** Its checks, first to last, with their own answers. */
  path: CheckStep[];
}

const before = (def: CheckDef) => [...def.dependsOn, ...(def.after ?? [])];

/** Own sequential answers of each check of one traced student. */
export function ownAnswers(catalogue: readonly CheckDef[], student: StudentMeasure, latencyMs: number): Map<string, number> {
  const finished = new Map(student.checks.map((c) => [c.id, c.durationMs]));
  const own = new Map<string, number>();
  for (const def of catalogue) {
    const end = finished.get(def.id);
    if (end === undefined) continue;
    const ready = Math.max(0, ...before(def).map((d) => finished.get(d) ?? 0));
    own.set(def.id, Math.max(0, Math.round((end - ready) / latencyMs)));
  }
  return own;
}

/** The longest chain through the dependency graph, with `own` answers per check. */
export function longestChain(catalogue: readonly CheckDef[], own: Map<string, number>): { answers: number; path: CheckStep[] } {
  const byId = new Map(catalogue.map((c) => [c.id, c]));
  const memo = new Map<string, { answers: number; path: CheckStep[] }>();
  const chain = (id: string): { answers: number; path: CheckStep[] } => {
    const hit = memo.get(id);
    if (hit) return hit;
    const def = byId.get(id)!;
    const longestDep = before(def)
      .filter((d) => byId.has(d))
      .map(chain)
      .reduce((a, b) => (b.answers > a.answers ? b : a), { answers: 0, path: [] as CheckStep[] });
    const step = { id, own: own.get(id) ?? 0 };
    const result = { answers: longestDep.answers + step.own, path: [...longestDep.path, step] };
    memo.set(id, result);
    return result;
  };
  return catalogue.map((c) => chain(c.id)).reduce((a, b) => (b.answers > a.answers ? b : a));
}

/** Bounds per kind of student, from a traced run. */
export function boundsFromTrace(catalogue: readonly CheckDef[], traced: StudentMeasure[], latencyMs: number): Map<string, StudentBound> {
  const out = new Map<string, StudentBound>();
  for (const s of traced) {
    const { answers, path } = longestChain(catalogue, ownAnswers(catalogue, s, latencyMs));
    out.set(s.template, { template: s.template, answers, path: path.filter((p) => p.own > 0) });
  }
  return out;
}

/** The class's lower bound: every student at its chain's pace, `concurrency` at a time. */
export function classLowerBoundMs(students: StudentMeasure[], bounds: Map<string, StudentBound>, latencyMs: number, concurrency: number): number {
  const total = students.reduce((sum, s) => sum + (bounds.get(s.template)?.answers ?? 0) * latencyMs, 0);
  return total / Math.min(concurrency, students.length);
}
