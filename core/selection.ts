/**
 * The catalogue of checks as the engine runs it: validated once (unique ids and codes, known
 * dependencies, facts with one provider, no cycles), ordered so that every check comes after what it
 * depends on, uses or must follow, whatever order the registry lists them in; and the selection of a
 * run (`--only` plus what the selected checks depend on).
 */
import type { CheckDef } from './check.js';
import { ConfigError } from './errors.js';
import { didYouMean } from './suggest.js';

declare const orderedBrand: unique symbol;

/**
 * Checks each listed after the checks it waits for. Only orderCatalogue makes one (selectChecks keeps
 * its order), so the engine can start each check knowing what it waits for has started before it.
 */
export type OrderedChecks = readonly CheckDef[] & { readonly [orderedBrand]: true };

export interface Selection {
  /** Checks to execute, each after the checks it waits for. */
  run: OrderedChecks;
  /** Ids to report and score (the selection itself, without the dependencies pulled in). */
  report: Set<string>;
}

/** The checks a check waits for: its dependencies, its `after` list and the providers of the facts it uses. */
function waitsFor(check: CheckDef, providers: ReadonlyMap<string, string>): string[] {
  const fromFacts = (check.uses ?? []).map((f) => providers.get(f)).filter((id): id is string => !!id && id !== check.id);
  return [...new Set([...check.dependsOn, ...(check.after ?? []), ...fromFacts])];
}

/** Which check provides each fact. */
export function factProviders(all: readonly CheckDef[]): Map<string, string> {
  const providers = new Map<string, string>();
  for (const c of all) for (const f of c.provides ?? []) providers.set(f, c.id);
  return providers;
}

/**
 * The catalogue checked and ordered. Throws an Error naming the check and what is wrong: a broken
 * catalogue is refused at start-up, never discovered mid-run.
 */
export function orderCatalogue(all: readonly CheckDef[]): OrderedChecks {
  const byId = new Map<string, CheckDef>();
  const codes = new Map<string, string>();
  const providers = new Map<string, string>();
  for (const c of all) {
    if (byId.has(c.id)) throw new Error(`check catalogue: duplicate check id ${c.id}`);
    byId.set(c.id, c);
    for (const { code } of Object.values(c.reasons)) {
      const other = codes.get(code);
      if (other && other !== c.id) throw new Error(`check catalogue: reason code ${code} is used by both ${other} and ${c.id}`);
      codes.set(code, c.id);
    }
    for (const f of c.provides ?? []) {
      if (providers.has(f)) throw new Error(`check catalogue: fact ${f} is provided by both ${providers.get(f)} and ${c.id}`);
      providers.set(f, c.id);
    }
  }
  for (const c of all) {
    for (const dep of [...c.dependsOn, ...(c.after ?? [])]) {
      if (!byId.has(dep)) throw new Error(`check catalogue: ${c.id} depends on unknown check ${dep}`);
    }
    for (const f of c.uses ?? []) if (!providers.has(f)) throw new Error(`check catalogue: ${c.id} uses fact ${f}, which no check provides`);
  }
  // Depth-first, in catalogue order: the result keeps the registry's order wherever it is free to.
  const ordered: CheckDef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: CheckDef, path: string[]) => {
    if (state.get(c.id) === 'done') return;
    if (state.get(c.id) === 'visiting') throw new Error(`check catalogue: dependency cycle ${[...path, c.id].join(' -> ')}`);
    state.set(c.id, 'visiting');
    for (const id of waitsFor(c, providers)) visit(byId.get(id)!, [...path, c.id]);
    state.set(c.id, 'done');
    ordered.push(c);
  };
  for (const c of all) visit(c, []);
  return ordered as readonly CheckDef[] as OrderedChecks;
}

/** What `--only` may name: every exercise, every dotted prefix of an id, every id. */
function selectable(all: readonly CheckDef[]): string[] {
  const names = new Set<string>();
  for (const c of all) {
    const parts = c.id.split('.');
    for (let n = 1; n <= parts.length; n++) names.add(parts.slice(0, n).join('.'));
  }
  return [...names];
}

/** The ids `--only` patterns name: an exercise (`ex6`), a prefix (`ex6.app`) or an id (`ex6.app.e2e`). */
function selectedIds(all: readonly CheckDef[], only: readonly string[] = []): Set<string> {
  if (only.length === 0) return new Set(all.map((c) => c.id));
  const report = new Set<string>();
  for (const pattern of only) {
    const matched = all.filter((c) => c.id === pattern || c.id.startsWith(pattern + '.'));
    if (matched.length === 0) {
      const hint = didYouMean(pattern, selectable(all)) || '; an exercise (ex6), a prefix (ex6.app) or a check id: `lab-grade checks` lists them';
      throw new ConfigError(`unknown check or exercise ${JSON.stringify(pattern)}${hint}`, undefined, '--only');
    }
    for (const c of matched) report.add(c.id);
  }
  return report;
}

/** What a run executes for `--only`: the selected checks and everything they depend on, in running order. */
export function selectChecks(all: readonly CheckDef[], only: readonly string[] = []): Selection {
  const ordered = orderCatalogue(all);
  const report = selectedIds(ordered, only);
  if (only.length === 0) return { run: ordered, report };
  const byId = new Map(ordered.map((c) => [c.id, c]));
  const providers = factProviders(ordered);
  const needed = new Set<string>();
  // A check's dependencies run, and the providers of the facts it reads: a selected check decides as it would in a full run.
  const visit = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    const def = byId.get(id);
    for (const dep of def?.dependsOn ?? []) visit(dep);
    for (const fact of def?.uses ?? []) visit(providers.get(fact)!);
  };
  for (const id of report) visit(id);
  // A subsequence of an ordered list is ordered.
  return { run: ordered.filter((c) => needed.has(c.id)) as readonly CheckDef[] as OrderedChecks, report };
}
