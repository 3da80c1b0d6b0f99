/**
 * Label and field selectors as the API server parses them (the subset kubectl and client-node use):
 * `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`; fields: dotted paths with =, ==, !=.
 */
export type Labels = Record<string, string> | undefined;
export type Matcher<T> = (value: T) => boolean;

export class SelectorError extends Error {}

/** Splits at commas outside parentheses. */
function requirements(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((r) => r.trim()).filter((r) => r !== '');
}

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const VALUE = String.raw`[-A-Za-z0-9_.]*`;

function oneLabelRequirement(req: string): Matcher<Labels> {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(req))) {
    const [, key, op, value] = m;
    return op === '!=' ? (l) => l?.[key] !== value : (l) => l?.[key] === value;
  }
  if ((m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(req))) {
    const [, key, op, list] = m;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => l?.[key] !== undefined && values.has(l[key]) : (l) => l?.[key] === undefined || !values.has(l[key]);
  }
  if ((m = new RegExp(`^!\\s*(${KEY})$`).exec(req))) {
    const key = m[1];
    return (l) => l?.[key] === undefined;
  }
  if ((m = new RegExp(`^(${KEY})$`).exec(req))) {
    const key = m[1];
    return (l) => l?.[key] !== undefined;
  }
  throw new SelectorError(`unable to parse requirement: ${JSON.stringify(req)}`);
}

export function parseLabelSelector(selector: string): Matcher<Labels> {
  const all = requirements(selector).map(oneLabelRequirement);
  return (labels) => all.every((m) => m(labels));
}

function fieldAt(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? undefined : String(cur);
}

export function parseFieldSelector(selector: string): Matcher<unknown> {
  const all = requirements(selector).map((req): Matcher<unknown> => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${req}'`);
    const [, path, op, value] = m;
    // Unset fields compare as "" (e.g. spec.nodeName= selects unscheduled pods).
    return op === '!=' ? (o) => (fieldAt(o, path) ?? '') !== value : (o) => (fieldAt(o, path) ?? '') === value;
  });
  return (obj) => all.every((m) => m(obj));
}

/** A Service selector / matchLabels map: every pair must match. */
export function matchesMap(selector: Record<string, string> | undefined, labels: Labels): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
