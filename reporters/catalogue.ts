/**
 * The checks of a run in catalogue order, read from the results themselves (a saved result carries no
 * profile). Students normally share one check list; if they differ (a profile changed between runs
 * merged into one file), the union keeps each student's relative order, so columns never jump about.
 */
import type { CheckResult, RunResult } from '../core/model.js';

export type CatalogueEntry = Pick<CheckResult, 'id' | 'exercise' | 'title' | 'maxPoints' | 'bonus'>;

export function checkCatalogue(run: RunResult): CatalogueEntry[] {
  const entries: CatalogueEntry[] = [];
  for (const student of run.students) {
    // Where the previous check of this student sits: a check not seen yet goes right after it.
    let previous = -1;
    for (const { id, exercise, title, maxPoints, bonus } of student.checks) {
      let at = entries.findIndex((e) => e.id === id);
      if (at < 0) {
        at = previous + 1;
        entries.splice(at, 0, { id, exercise, title, maxPoints, bonus });
      }
      previous = at;
    }
  }
  return entries;
}
