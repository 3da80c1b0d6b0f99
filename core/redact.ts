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

/**
 * Known secrets, oldest first; and by a number made of their first characters, so a text is scanned
 * once whatever their number, without cutting a string out of it at every character (that was most
 * of redaction's cost, 1 % of a class run's CPU).
 */
const known = new Set<string>();
const byPrefix = new Map<number, Set<string>>();

/** The first MIN_SECRET_LENGTH characters of `text` from `at`, as a number (equal prefixes, equal numbers). */
function prefixAt(text: string, at: number): number {
  let n = 0;
  for (let i = at; i < at + MIN_SECRET_LENGTH; i++) n = (Math.imul(n, 31) + text.charCodeAt(i)) | 0;
  return n;
}
const prefixOf = (value: string) => prefixAt(value, 0);

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

/** 31 to the power MIN_SECRET_LENGTH - 1, in prefixAt's 32-bit arithmetic: what a window's first character weighs. */
const FIRST_WEIGHT = Array.from({ length: MIN_SECRET_LENGTH - 1 }).reduce<number>((w) => Math.imul(w, 31), 1);

/** The known secrets that occur in `text`, longest first (one may contain another). */
function secretsIn(text: string): string[] {
  const found = new Set<string>();
  // Stryker disable next-line ArrayDeclaration: no secret is shorter than the text, so any list is searched in vain
  if (text.length < MIN_SECRET_LENGTH) return [];
  // Each window's number from the one before: drop its first character, shift, add the next one.
  let window = prefixAt(text, 0);
  for (let i = 0; ; i++) {
    // Numbers can be equal for different prefixes: each candidate is compared whole.
    const candidates = byPrefix.get(window);
    if (candidates) for (const c of candidates) if (text.startsWith(c, i)) found.add(c);
    // Stryker disable next-line ArithmeticOperator: with `-`, the windows past the end hold no whole secret, so none is found there
    if (i + MIN_SECRET_LENGTH >= text.length) break;
    window = (Math.imul(window - Math.imul(text.charCodeAt(i), FIRST_WEIGHT), 31) + text.charCodeAt(i + MIN_SECRET_LENGTH)) | 0;
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
