/**
 * Student text in messages and evidence: always a short excerpt, never the whole answer, and on one
 * line (a newline, a terminal escape or a bidirectional override is shown escaped, so it cannot forge
 * a report line). A student controls what their VM, cluster and app answer; a message quotes enough to
 * recognise it.
 */
import { excerpt as visibleExcerpt } from '../core/student-text.js';

const LINE_CHARS = 200;

/**
 * Any student string quoted into a message, a hint, evidence, found or expected (an image name, a
 * compose service, an event message): at most `max` characters, hidden characters escaped.
 */
export const excerpt = (text: string, max = LINE_CHARS): string => visibleExcerpt(text, max);

/** The first non-empty line of a command's answer, shortened. */
export function firstLine(text: string, max = LINE_CHARS): string {
  const line =
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  return excerpt(line, max);
}

/** A short, tag-free excerpt of an HTML or text body. */
export function bodyExcerpt(body: string, max = 120): string {
  const text = body
    .slice(0, 64 * 1024)
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return excerpt(text, max);
}
