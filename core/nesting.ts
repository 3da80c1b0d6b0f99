/**
 * How deep a student's JSON or YAML nests, found by a linear scan before any parser sees the text:
 * parsers and the code that walks their result recurse once per level, so `{"a":{"a":…` 200 000 deep
 * or `[[[…` exhausts the stack ("Maximum call stack size exceeded") wherever it is first walked.
 * Each function returns the offset where the text first goes deeper than `max`, or undefined.
 */
import { CST, Lexer } from 'yaml';

/** JSON: `[` and `{` outside strings (a string ends at an unescaped `"`). */
export function jsonTooDeep(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > max) return i;
    } else if (c === ']' || c === '}') depth--;
  }
  return undefined;
}

/** Lexer tokens the YAML lexer adds that are not in the text (a plain scalar's text follows its marker). */
const MARKERS = new Set(['byte-order-mark', 'doc-mode', 'flow-error-end', 'scalar']);

/**
 * The YAML lexer's tokens with their offsets in the text. The lexer is linear and knows what a hand
 * scan gets wrong: quotes only open a quoted scalar where one may start (`[a'b, [[[` opens none), `#`
 * starts a comment only after a space, block scalars hold brackets as text.
 */
export function* yamlTokens(text: string): Generator<{ type: CST.TokenType | null; offset: number }> {
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    yield { type, offset };
    if (!type || !MARKERS.has(type)) offset += token.length;
  }
}

/**
 * YAML: block nesting (a line's indentation plus compact `- `/`? `/`: ` indicators, `- - - x` nests
 * three lists; more than four columns a level counts as deeper) and flow nesting (`[` and `{` as the
 * lexer reads them).
 */
export function yamlTooDeep(text: string, max: number): number | undefined {
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const block = blockIndent(line);
    if (block > max * 4) return lineStart + block;
    lineStart += line.length + 1;
  }
  let flow = 0;
  for (const { type, offset } of yamlTokens(text)) {
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      if (++flow > max) return offset;
    } else if ((type === 'flow-seq-end' || type === 'flow-map-end') && flow > 0) flow--;
    // The lexer gave up on its flow collections (a line indented too little): none is open any more.
    else if (type === 'flow-error-end') flow = 0;
  }
  return undefined;
}

/** Columns before a line's content: spaces and compact block indicators. */
function blockIndent(line: string): number {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ') i++;
    else if ((c === '-' || c === '?' || c === ':') && (i + 1 === line.length || line[i + 1] === ' ')) i++;
    else break;
  }
  return i;
}
