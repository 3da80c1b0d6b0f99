/**
 * The parts of docs/rubric.md and README.md that the code already knows (each check's title, points,
 * kind and dependencies; every reason code with its summary; what `lab-grade checks` prints), written
 * from the catalogue and the built-in lab profile so the pages cannot drift from them. `npm run docs`
 * rewrites them in place; the prose around them is written by hand. docs/rubric.test.ts fails when a
 * file is not what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listChecks } from '../app/checks-list.js';
import { reasonCatalogue } from '../app/reasons.js';
import { ALL_CHECKS } from '../checks/index.js';
import type { CheckDef } from '../core/check.js';
import { packagePath } from '../core/paths.js';
import { loadProfile, type LabProfile } from '../core/profile.js';
import { ENGINE_REASONS } from '../core/reasons.js';
import { factProviders, orderCatalogue } from '../core/selection.js';
import { checkKind } from '../reporters/format.js';
import { bufferOutput } from '../reporters/replay.js';

export const RUBRIC_FILE = packagePath('docs', 'rubric.md');
export const README_FILE = packagePath('README.md');

const code = (text: string) => `\`${text}\``;
const list = (ids: readonly string[]) => (ids.length ? ids.map(code).join(', ') : '—');

/** `2`, `+1 bonus`, `0`: points as `lab-grade checks` prints them. */
const pointsText = (p: LabProfile['checks'][string]) => (p.bonus ? `+${p.bonus} bonus` : String(p.points));

function checksTable(catalogue: readonly CheckDef[], profile: LabProfile): string {
  const providers = factProviders(catalogue);
  const dependents = (id: string) => catalogue.filter((c) => c.dependsOn.includes(id));
  const rows = catalogue.map((c) => {
    const points = profile.checks[c.id];
    const kind = checkKind({ bonus: points.bonus > 0, maxPoints: points.bonus || points.points });
    const prerequisite = kind === 'informational' && dependents(c.id).length > 0;
    const waits = [...(c.after ?? []), ...(c.uses ?? []).map((f) => providers.get(f) ?? '')].filter((id) => id && id !== c.id && !c.dependsOn.includes(id));
    return `| ${code(c.id)} | ${c.title(profile)} | ${pointsText(points)} | ${prerequisite ? 'prerequisite' : kind}${c.disruptive ? ', disruptive' : ''} | ${list(c.dependsOn)} | ${list([...new Set(waits)])} |`;
  });
  return ['| id | title | points | kind | depends on | runs after |', '| --- | --- | --: | --- | --- | --- |', ...rows].join('\n');
}

function reasonsTable(catalogue: readonly CheckDef[], profile: LabProfile): string {
  // Summaries and what the reports and progress views read as "not started", from the one place they learn it.
  const views = reasonCatalogue(profile.expect, catalogue);
  const engine = Object.values(ENGINE_REASONS).map((r) => `| ${r.code} | any check | ${views[r.code].summary} |`);
  const checks = catalogue.flatMap((c) =>
    Object.values(c.reasons)
      .slice()
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((r) => `| ${r.code} | ${code(c.id)} | ${views[r.code].summary}${views[r.code].absent ? ' (not started)' : ''} |`),
  );
  return ['| code | reported by | summary |', '| --- | --- | --- |', ...engine, ...checks].join('\n');
}

/** Each generated region of the page: its name in the markers and its text. */
export function generatedRegions(catalogue: readonly CheckDef[] = ALL_CHECKS, profile: LabProfile = loadProfile(undefined, catalogue)): Record<string, string> {
  const ordered = orderCatalogue(catalogue);
  // Lab order (the registry's), as reports list checks.
  const inLabOrder = catalogue.filter((c) => ordered.includes(c));
  const on = inLabOrder.filter((c) => profile.checks[c.id].enabled);
  return {
    checks: `${checksTable(inLabOrder, profile)}\n\n${on.length} checks: ${totals(on, profile)}.`,
    reasons: reasonsTable(inLabOrder, profile),
  };
}

/** `34 required points, up to 5 bonus; pass mark 70 %` for the checks that are on. */
function totals(on: readonly CheckDef[], profile: LabProfile): string {
  const required = on.reduce((s, c) => s + profile.checks[c.id].points, 0);
  const bonus = Math.min(
    on.reduce((s, c) => s + profile.checks[c.id].bonus, 0),
    profile.bonusCap,
  );
  return `${required} required points, up to ${bonus} bonus; pass mark ${profile.passMark} %`;
}

/** The README's table of what each check passes on, in lab order, from each check's `passes`. */
function passesTable(catalogue: readonly CheckDef[], profile: LabProfile): string {
  const rows = catalogue.map((c) => {
    if (!c.passes) throw new Error(`${c.id}: no \`passes\` line for the README's table of the checks: give its defineCheck one`);
    return `| ${code(c.id)} | ${pointsText(profile.checks[c.id])} | ${c.passes} |`;
  });
  const on = catalogue.filter((c) => profile.checks[c.id].enabled);
  return ['| id | points | passes when |', '| --- | --- | --- |', ...rows].join('\n') + `\n\n${totals(on, profile)}.`;
}

/** `lab-grade checks` run from the package folder, as the README shows it (test/readme.test.ts runs it too). */
function checksListing(): string {
  const out = bufferOutput();
  listChecks({ format: 'console', cwd: packagePath() }, out);
  return ['```console', '$ lab-grade checks', out.text().trimEnd(), '```'].join('\n');
}

/** Each generated region of the README: its name in the markers and its text. */
export function readmeRegions(catalogue: readonly CheckDef[] = ALL_CHECKS, profile: LabProfile = loadProfile(undefined, catalogue)): Record<string, string> {
  return { 'checks-list': checksListing(), 'checks-table': passesTable(catalogue, profile) };
}

const REGION = /(<!-- generated: ([\w-]+) \(npm run docs\) -->\n)(?:[\s\S]*?\n)??(<!-- end generated -->)/g;

/** The page with every generated region written anew; throws when a marker names no known region. */
export function withGeneratedRegions(page: string, regions: Record<string, string> = generatedRegions(), file = 'docs/rubric.md'): string {
  return page.replace(REGION, (_, open: string, name: string, close: string) => {
    if (!(name in regions)) throw new Error(`${file}: no generated region named ${name}`);
    return `${open}${regions[name]}\n${close}`;
  });
}

/** The names of the generated regions the page has markers for. */
export const regionNames = (page: string): string[] => [...page.matchAll(REGION)].map((m) => m[2]);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(RUBRIC_FILE, withGeneratedRegions(readFileSync(RUBRIC_FILE, 'utf8')));
  writeFileSync(README_FILE, withGeneratedRegions(readFileSync(README_FILE, 'utf8'), readmeRegions(), 'README.md'));
}
