/**
 * Student text in messages and evidence: always a short excerpt, never the whole answer. A student
 * controls what their VM, cluster and app answer; a message quotes enough to recognise it.
 */
const LINE_CHARS = 200;

/** The first non-empty line of a command's answer, shortened. */
export function oneLine(text: string, max = LINE_CHARS): string {
  const line =
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  return shorten(line, max);
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
  return shorten(text, max);
}

/** At most `max` characters, with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
