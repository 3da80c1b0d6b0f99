/**
 * Redaction of secrets in anything that is reported: known secret values (registered when a Secret
 * is made or a probe learns a credential) and well-known secret shapes (bearer tokens, passwords in
 * URLs, keys named like secrets).
 */
const known = new Set<string>();
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) known.add(value);
}

const SECRET_KEY = /(pass(word)?|secret|token|credential|authorization|client-key|private[-_]?key|api[-_]?key)/i;
const PATTERNS: Array<[RegExp, string]> = [
  // A credential, not a word: it has a digit or a symbol, or two capitals ("A Basic registry" stays).
  [/(Bearer|Basic)\s+(?=[A-Za-z0-9._~+/=-]*(?:[0-9._~+/=-]|[A-Z][a-z]*[A-Z]))[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]'],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1[redacted]@'],
];

export function redactText(text: string): string {
  let out = text;
  // A text shorter than any registered secret cannot contain one (most reported strings are short).
  if (text.length >= MIN_SECRET_LENGTH) for (const value of known) if (out.includes(value)) out = out.split(value).join('[redacted]');
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
