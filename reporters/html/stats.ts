/**
 * The class numbers the HTML charts draw. A pass rate counts what the student is answerable for: pass
 * against pass + fail + blocked (blocked is the student's own root cause failing). An `error` is the
 * grader's problem and `skipped` does not apply, so both are left out, as incomplete students are
 * left out of the mean (anchors gap 1).
 */
import type { CheckResult, RunResult } from '../../core/model.js';
import type { CatalogueEntry } from '../catalogue.js';

export interface Rate {
  passed: number;
  counted: number;
}

export function passRate(checks: Iterable<CheckResult>): Rate {
  const rate = { passed: 0, counted: 0 };
  for (const c of checks) {
    if (c.status === 'error' || c.status === 'skipped') continue;
    rate.counted += 1;
    if (c.status === 'pass') rate.passed += 1;
  }
  return rate;
}

/** Whole percent, or null when nothing was counted (no bar rather than a misleading 0%). */
export const ratePercent = (r: Rate): number | null => (r.counted ? Math.round((r.passed / r.counted) * 100) : null);

function allChecks(run: RunResult, keep: (c: CheckResult) => boolean): CheckResult[] {
  return run.students.flatMap((s) => s.checks.filter(keep));
}

export function checkRates(run: RunResult, catalogue: readonly CatalogueEntry[]): { entry: CatalogueEntry; rate: Rate }[] {
  return catalogue.map((entry) => ({ entry, rate: passRate(allChecks(run, (c) => c.id === entry.id)) }));
}

/**
 * An exercise's rate counts its required checks (bonus and 0-point checks cost nothing); an exercise
 * without any (Exercise 7) is rated by its bonus checks and marked `optional`.
 */
export function exerciseRates(run: RunResult, catalogue: readonly CatalogueEntry[]): { exercise: number; optional: boolean; rate: Rate }[] {
  const exercises = [...new Set(catalogue.map((e) => e.exercise))];
  return exercises.map((exercise) => {
    const optional = !catalogue.some((e) => e.exercise === exercise && !e.bonus && e.maxPoints > 0);
    const counts = (c: CheckResult) => c.exercise === exercise && (optional ? c.bonus : !c.bonus && c.maxPoints > 0);
    return { exercise, optional, rate: passRate(allChecks(run, counts)) };
  });
}

/**
 * Graded students per percent band of `width` points: [0, 10), [10, 20) … [90, 100], the last band
 * closed so 100% has a home. Incomplete students are not counted: their score is not final.
 */
export function scoreHistogram(run: RunResult, width = 10): number[] {
  const bins = new Array<number>(Math.ceil(100 / width)).fill(0);
  for (const s of run.students) {
    if (s.status !== 'graded') continue;
    const bin = Math.min(bins.length - 1, Math.max(0, Math.floor(s.percent / width)));
    bins[bin] += 1;
  }
  return bins;
}
