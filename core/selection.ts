/** Which checks a run executes (`--only` plus what they depend on) and which it reports. */
import type { CheckDef } from './check.js';
import { ConfigError } from './errors.js';

export interface Selection {
  /** Checks to execute, in catalogue order. */
  run: CheckDef[];
  /** Ids to report and score (the selection itself, without the dependencies pulled in). */
  report: Set<string>;
}

/** `--only ex6` selects an exercise, `--only ex6.app` a prefix, `--only ex6.app.e2e` one check. */
export function selectChecks(all: readonly CheckDef[], only: readonly string[] = []): Selection {
  if (only.length === 0) return { run: [...all], report: new Set(all.map((c) => c.id)) };
  const report = new Set<string>();
  for (const pattern of only) {
    const matched = all.filter((c) => c.id === pattern || c.id.startsWith(pattern + '.'));
    if (matched.length === 0) {
      throw new ConfigError(`unknown check or exercise ${JSON.stringify(pattern)}; known: ex1..ex7 and ${all.map((c) => c.id).join(', ')}`, undefined, '--only');
    }
    for (const c of matched) report.add(c.id);
  }
  const byId = new Map(all.map((c) => [c.id, c]));
  const needed = new Set<string>();
  const visit = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) visit(dep);
  };
  for (const id of report) visit(id);
  return { run: all.filter((c) => needed.has(c.id)), report };
}

/** Catalogue sanity: unique ids, known dependencies, no cycles. Throws at start-up, not mid-run. */
export function validateCatalogue(all: readonly CheckDef[]): void {
  const ids = new Set<string>();
  for (const c of all) {
    if (ids.has(c.id)) throw new Error(`duplicate check id ${c.id}`);
    ids.add(c.id);
  }
  for (const c of all) {
    for (const dep of [...c.dependsOn, ...(c.after ?? [])]) {
      if (!ids.has(dep)) throw new Error(`check ${c.id} depends on unknown check ${dep}`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(all.map((c) => [c.id, c]));
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`dependency cycle: ${[...path, id].join(' -> ')}`);
    state.set(id, 'visiting');
    const c = byId.get(id)!;
    for (const dep of [...c.dependsOn, ...(c.after ?? [])]) visit(dep, [...path, id]);
    state.set(id, 'done');
  };
  for (const c of all) visit(c.id, []);
}
