/**
 * Text a student controls, made safe for a report: no terminal control characters, no bidirectional
 * overrides (which make text read differently from what it is), bounded in length, on one line where a
 * format needs one; and `code spans` told apart from prose so each format can render them as code.
 */
import { dropHidden, joinLines } from '../core/student-text.js';

/** What a text report shows of one student string at most. */
const TEXT_CAP = 2_000;

/**
 * Student-controlled text must not drive a terminal, reorder or hide what a reader sees: the hidden
 * characters results escape (core/student-text.ts) are dropped here, keeping newline and tab.
 */
export const stripControl = (text: string): string => dropHidden(text, '\n\t');

/** Stripped, and on one line: newlines and tabs become spaces (names, titles, table cells). */
export const oneLine = (text: string): string => joinLines(stripControl(text));

/** At most `max` characters: a 200 KB message becomes an excerpt that says how much was left out. */
export function bounded(text: string, max = TEXT_CAP): string {
  // Bounding twice (a message bounded, then a cell bounded) keeps the first excerpt and its count.
  if (text.length <= max || (text.length <= max + 40 && /… \(\d+ more characters\)$/.test(text))) return text;
  // Never cut a surrogate pair in half.
  const cut = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return `${text.slice(0, cut)}… (${text.length - cut} more characters)`;
}

/** Stripped and bounded: what every text report shows of a student string. */
export const safeText = (text: string, max = TEXT_CAP): string => bounded(stripControl(text), max);

export interface Segment {
  text: string;
  /** Written between backticks in the source: a command, a file name, a value to type. */
  code: boolean;
}

/** Prose and `code spans` (single backticks, on one line), in order. */
export function codeSpans(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), code: false });
    out.push({ text: m[1], code: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), code: false });
  return out;
}

/** Characters XML 1.0 forbids anywhere, even escaped (most C0 controls, lone surrogates, U+FFFE/F). */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // In attributes a raw newline or tab is normalised to a space by parsers; keep them as references.
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/**
 * Escapes text for XML (or HTML) element content, or with `attribute` for a quoted attribute value.
 * Escaping `>` too keeps a student's `]]>` inert. Quotes stay readable in content (evidence JSON).
 */
export function escapeXml(text: string, attribute = false): string {
  const pattern = attribute ? /[&<>"'\n\r\t]/g : /[&<>]/g;
  return dropHidden(text.replace(XML_ILLEGAL, ''), '\n\r\t').replace(pattern, (ch) => XML_ENTITIES[ch]);
}

/**
 * Fits text to a terminal of `width` columns after `indent`: lines break at spaces between words,
 * never inside a `code span` (a command breaks nowhere: one that does not fit goes on a line of its
 * own, longer than the width if it must). Line breaks and leading spaces of the text are kept (a YAML
 * snippet in a hint stays as it is).
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const room = Math.max(20, width - indent.length);
  const out: string[] = [];
  for (const source of text.split('\n')) {
    // Stryker disable next-line Regex: / */ matches at index 0 too (spaces or nothing), so the anchor changes no match
    const lead = /^ */.exec(source)![0];
    // A unit is what sits between spaces, a code span counting as one character: "(`az login`)," stays whole.
    // Stryker disable next-line MethodExpression: a unit never holds a space, so matching from the start of the line finds the same units
    const units = source.slice(lead.length).match(/(?:`[^`\n]*`|[^\s`]|`)+/g) ?? [];
    let line = '';
    for (const unit of units) {
      if (line && lead.length + line.length + 1 + unit.length > room) {
        out.push(indent + lead + line);
        line = unit;
      } else line = line ? `${line} ${unit}` : unit;
    }
    out.push((indent + lead + line).trimEnd());
  }
  return out;
}
