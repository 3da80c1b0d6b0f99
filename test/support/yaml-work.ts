/**
 * The work a reader asks of the YAML library, counted rather than timed, so a bound on it holds on a
 * busy machine as on a fast one: how many documents it built (building one is what costs seconds on a
 * hostile file) and how many tokens its pre-scans read from the lexer. A test file routes `yaml` here
 * with `vi.mock('yaml', …)`, its factory returning `countingYaml` of the real module (see helm.test.ts).
 */
import type * as Yaml from 'yaml';

const counted = { documents: 0, tokens: 0 };

/** The `yaml` module with `parseDocument` and `parse` counting documents and `Lexer` counting tokens. */
export function countingYaml(real: typeof Yaml): typeof Yaml {
  class CountingLexer extends real.Lexer {
    override *lex(source: string, incomplete?: boolean): Generator<string, void> {
      for (const token of super.lex(source, incomplete)) {
        counted.tokens++;
        yield token;
      }
    }
  }
  const parseDocument: typeof real.parseDocument = (...args: Parameters<typeof real.parseDocument>) => (counted.documents++, real.parseDocument(...args));
  const parse = ((...args: [string, ...unknown[]]) => (counted.documents++, (real.parse as (...a: unknown[]) => unknown)(...args))) as typeof real.parse;
  return { ...real, Lexer: CountingLexer, parseDocument, parse };
}

/** What `fn` returned and the YAML work it did. */
export function yamlWorkOf<T>(fn: () => T): { result: T; documents: number; tokens: number } {
  counted.documents = 0;
  counted.tokens = 0;
  const result = fn();
  return { result, ...counted };
}
