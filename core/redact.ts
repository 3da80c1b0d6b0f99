/**
 * Redaction of secrets in anything that is reported: known secret values (registered when a Secret
 * is made or a probe learns a credential) and well-known secret shapes (bearer tokens, passwords in
 * URLs, keys named like secrets).
 */
const MIN_SECRET_LENGTH = 6;
/**
 * Secrets kept at most: a day-long workshop learns a new registry token per student and round. The
 * least recently registered go first; a secret is registered while its student is graded, so those
 * being reported are always among the newest.
 */
const MAX_KNOWN = 10_000;

/** Known secrets, oldest first; and by their first characters, so a text is scanned once whatever their number. */
const known = new Set<string>();
const byPrefix = new Map<string, Set<string>>();
const prefixOf = (value: string) => value.slice(0, MIN_SECRET_LENGTH);

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  // Registered again: the newest once more.
  known.delete(value);
  known.add(value);
  const prefix = prefixOf(value);
  byPrefix.set(prefix, (byPrefix.get(prefix) ?? new Set()).add(value));
  if (known.size > MAX_KNOWN) forget(known.values().next().value as string);
}

function forget(value: string): void {
  known.delete(value);
  const same = byPrefix.get(prefixOf(value));
  // Stryker disable next-line OptionalChaining: forget() is only given known values, whose prefix set always exists
  same?.delete(value);
  // Stryker disable next-line ConditionalExpression,OptionalChaining: an empty prefix set left behind holds no candidate, so it only costs memory
  if (same?.size === 0) byPrefix.delete(prefixOf(value));
}

/** The known secrets that occur in `text`, longest first (one may contain another). */
function secretsIn(text: string): string[] {
  const found = new Set<string>();
  // Stryker disable next-line ArithmeticOperator: the extra windows past the end are shorter than every registered prefix, so they find nothing
  for (let i = 0; i + MIN_SECRET_LENGTH <= text.length; i++) {
    const candidates = byPrefix.get(text.slice(i, i + MIN_SECRET_LENGTH));
    if (candidates) for (const c of candidates) if (text.startsWith(c, i)) found.add(c);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

const SECRET_KEY = /(pass(word)?|secret|token|credential|authorization|client-key|private[-_]?key|api[-_]?key)/i;
const PATTERNS: Array<[RegExp, string]> = [
  // A credential, not a word: it has a digit or a symbol, or two capitals ("A Basic registry" stays).
  [/(Bearer|Basic)\s+(?=[A-Za-z0-9._~+/=-]*(?:[0-9._~+/=-]|[A-Z][a-z]*[A-Z]))[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]'],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1[redacted]@'],
];

export function redactText(text: string): string {
  let out = text;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a fast path; with no secret known, secretsIn finds none
  if (byPrefix.size > 0) for (const value of secretsIn(text)) out = out.split(value).join('[redacted]');
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

/** Deep copy with secret-looking keys masked and every string scrubbed. */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 20) return '[too deep]' as T;
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return redact((value as unknown as { toJSON(): unknown }).toJSON(), depth + 1) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && (typeof v === 'string' || typeof v === 'number') ? '[redacted]' : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
