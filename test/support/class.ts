/**
 * Classes of any size for tests: N scenario files cloned from the built-in class (round robin), each
 * with a unique user. A clone is its template with the template's user name replaced everywhere
 * (resource group, registry names, image references, greetings), so it grades exactly like the
 * template does, only under another name.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { packagePath } from '../../core/paths.js';

export const BUILT_IN_CLASS_DIR = packagePath('fixtures', 'scenarios');

export interface ClassOptions {
  /** Where to write the files (default: a new temp folder). */
  dir?: string;
  /** Added to every student's `faults:` (e.g. latencyMs to make a run last). */
  faults?: Record<string, unknown>;
  /** Faults for some students only, by index in the class. */
  faultsFor?: (index: number) => Record<string, unknown> | undefined;
  /** Only these built-in templates (file names), default all 11. */
  templates?: string[];
}

export interface GeneratedClass {
  dir: string;
  /** Users in roster order (the order of the files). */
  users: string[];
  /** user -> the built-in user it was cloned from. */
  templateOf: Map<string, string>;
}

interface Template {
  user: string;
  text: string;
}

function builtInTemplates(only?: string[]): Template[] {
  const files = readdirSync(BUILT_IN_CLASS_DIR)
    .filter((n) => /^\d\d-.*\.ya?ml$/.test(n))
    .filter((n) => !only || only.includes(n))
    .sort();
  return files.map((f) => {
    const text = readFileSync(join(BUILT_IN_CLASS_DIR, f), 'utf8');
    return { user: (parse(text) as { user: string }).user, text };
  });
}

/** "c007u03": student 7 of the class, cloned from labuser03; short so registry names stay valid. */
export function cloneUser(index: number, templateUser: string): string {
  return `c${String(index).padStart(3, '0')}u${templateUser.replace(/^\D+/, '')}`;
}

export function writeClass(n: number, opts: ClassOptions = {}): GeneratedClass {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'lab-grade-class-'));
  mkdirSync(dir, { recursive: true });
  const templates = builtInTemplates(opts.templates);
  const users: string[] = [];
  const templateOf = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length];
    const user = cloneUser(i, t.user);
    // The template's name never prefixes another template's (labuser01 vs labuser010 is excluded).
    const doc = parse(t.text.replace(new RegExp(`${t.user}(?!\\d)`, 'g'), user)) as Record<string, unknown>;
    const faults = { ...((doc.faults as Record<string, unknown> | undefined) ?? {}), ...opts.faults, ...opts.faultsFor?.(i) };
    if (Object.keys(faults).length) doc.faults = faults;
    writeFileSync(join(dir, `${String(i).padStart(3, '0')}-${user}.yaml`), stringify(doc));
    users.push(user);
    templateOf.set(user, t.user);
  }
  return { dir, users, templateOf };
}

/** What a grade is, without durations, messages (timings, nonces) or evidence: for comparing runs. */
export interface Verdicts {
  status: string;
  score: number;
  bonus: number;
  percent: number;
  checks: string[];
}

export function verdictsOf(
  students: ReadonlyArray<{
    user: string;
    status: string;
    score: number;
    bonus: number;
    percent: number;
    checks: ReadonlyArray<{ id: string; status: string; points: number; blockedBy?: string | null }>;
  }>,
): Map<string, Verdicts> {
  return new Map(
    students.map((s) => [
      s.user,
      { status: s.status, score: s.score, bonus: s.bonus, percent: s.percent, checks: s.checks.map((c) => `${c.id} ${c.status} ${c.points}${c.blockedBy ? ` <${c.blockedBy}` : ''}`) },
    ]),
  );
}

/**
 * Where two runs' verdicts differ, one line per student and field ("user check: A ≠ B"), so a failing
 * comparison says which student and which check instead of "Map{…(11)}".
 */
export function verdictDifferences(a: ReadonlyMap<string, Verdicts>, b: ReadonlyMap<string, Verdicts>): string[] {
  const out: string[] = [];
  for (const user of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(user);
    const y = b.get(user);
    if (!x || !y) {
      out.push(`${user}: ${x ? 'only in the first run' : 'only in the second run'}`);
      continue;
    }
    for (const field of ['status', 'score', 'bonus', 'percent'] as const) if (x[field] !== y[field]) out.push(`${user} ${field}: ${x[field]} ≠ ${y[field]}`);
    const ys = new Set(y.checks);
    const xs = new Set(x.checks);
    for (const c of x.checks) if (!ys.has(c)) out.push(`${user}: ${c} ≠ ${y.checks.find((d) => d.split(' ')[0] === c.split(' ')[0]) ?? 'absent'}`);
    for (const c of y.checks) if (!xs.has(c) && !x.checks.some((d) => d.split(' ')[0] === c.split(' ')[0])) out.push(`${user}: absent ≠ ${c}`);
  }
  return out;
}
