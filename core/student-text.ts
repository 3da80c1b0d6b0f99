/**
 * Text a student controls, as a result may carry it: a bounded excerpt in which every character that
 * could end a line, drive a terminal, reorder or hide text is written as a visible escape (`\n`,
 * `\u202e`). A student's image name, compose service or event message then stays on its line in
 * every report and cannot forge one. Checks quote student text through `excerpt` (checks/text.ts);
 * the engine bounds every result once more (`boundResultText`), so a check that forgets cannot let
 * student text through whole.
 */
import type { CheckResult, Evidence } from './model.js';
import { redactText } from './redact.js';

/**
 * C0 and C1 controls (newline, tab, ESC, NEL included), the line and paragraph separators, the
 * bidirectional marks, embeddings, overrides and isolates, zero-width characters and lone surrogates.
 */
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeOf = (ch: string): string => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

export interface ExcerptOptions {
  /** Keep line breaks as they are (hints: the grader writes YAML snippets on several lines). */
  keepNewlines?: boolean;
}

/**
 * At most `max` characters of `text`, hidden characters escaped, with `…` when cut. Only the part
 * shown is looked at, so a 100 KB string costs no more than its excerpt; an escape and a surrogate
 * pair are never cut in half.
 */
export function excerpt(text: string, max: number, opts: ExcerptOptions = {}): string {
  const room = Math.max(1, max);
  if (text.length <= room && !hasHidden(text, opts)) return text;
  let out = '';
  for (let i = 0; i < text.length;) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + width);
    const piece = HIDDEN.test(ch) && !(opts.keepNewlines && ch === '\n') ? escapeOf(ch) : ch;
    const last = i + width >= text.length;
    // The ellipsis needs a character of room unless this is the end of the text.
    if (out.length + piece.length > (last ? room : room - 1)) return `${out}…`;
    out += piece;
    i += width;
  }
  return out;
}

const HIDDEN_GLOBAL = new RegExp(HIDDEN.source, 'g');
function hasHidden(text: string, opts: ExcerptOptions): boolean {
  for (const m of text.matchAll(HIDDEN_GLOBAL)) if (!(opts.keepNewlines && m[0] === '\n')) return true;
  return false;
}

/**
 * `text` without the hidden characters `excerpt` escapes, except those in `keep` (a report keeps its
 * own line breaks and tabs): for text shown whole, where an escape would read as noise.
 */
export const dropHidden = (text: string, keep = ''): string => text.replace(HIDDEN_GLOBAL, (ch) => (keep.includes(ch) ? ch : ''));

/**
 * `text` on one line: each run of white space holding a line break or a tab becomes one space. Runs
 * are matched whole and then looked into: `\s*[\n\t]\s*` would backtrack through a long run of spaces
 * (30 s for 50 000 of them).
 */
export const joinLines = (text: string): string => text.replace(/\s+/g, (run) => (/[\n\r\t]/.test(run) ? ' ' : run));

/**
 * What a result carries at most. A message quotes a few excerpts in the grader's sentence; evidence
 * holds observed values (a kubelet's event message is a few hundred characters); found and expected
 * are one value each.
 */
export const RESULT_TEXT_LIMITS = {
  messageChars: 1_000,
  hintChars: 2_000,
  valueChars: 500,
  evidenceStringChars: 1_000,
  evidenceKeyChars: 100,
  /** Items of one evidence list, keys of one evidence object. */
  evidenceItems: 50,
  evidenceDepth: 8,
};

const L = RESULT_TEXT_LIMITS;

function boundEvidenceValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return excerpt(value, L.evidenceStringChars);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= L.evidenceDepth) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, L.evidenceItems).map((v) => boundEvidenceValue(v, depth + 1));
    return value.length > L.evidenceItems ? [...items, `… (${value.length - L.evidenceItems} more)`] : items;
  }
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, L.evidenceItems)) out[excerpt(k, L.evidenceKeyChars)] = boundEvidenceValue(v, depth + 1);
  if (entries.length > L.evidenceItems) out['…'] = `${entries.length - L.evidenceItems} more`;
  return out;
}

/** A message as it may be shown before its result exists (what `--wait` polls for): redacted, then bounded. */
export const reportableMessage = (message: string): string => excerpt(redactText(message), L.messageChars);

/**
 * A result as it may be reported: every text field an excerpt within its bound, hidden characters
 * escaped (a hint keeps the grader's line breaks), evidence bounded in strings, items and depth.
 * Applied after redaction, so a secret is never cut into a fragment that redaction would miss.
 */
export function boundResultText(r: CheckResult): CheckResult {
  return {
    ...r,
    message: excerpt(r.message, L.messageChars),
    ...(r.hint !== undefined ? { hint: excerpt(r.hint, L.hintChars, { keepNewlines: true }) } : {}),
    evidence: boundEvidenceValue(r.evidence, 0) as Evidence,
    ...(r.found !== undefined ? { found: excerpt(r.found, L.valueChars) } : {}),
    ...(r.expected !== undefined ? { expected: excerpt(r.expected, L.valueChars) } : {}),
  };
}
