/**
 * The repository's Dockerfile as a builder reads it: parsed by dockerfile-ast and checked by
 * dockerfile-utils (the parser and linter of the VS Code Docker extension), since no container
 * engine runs where the tests do.
 */
import { readFileSync } from 'node:fs';
import { Copy, DockerfileParser, Entrypoint, From } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { packagePath } from '../../core/paths.js';

export interface DockerfileFacts {
  /** The linter's findings, as "line N: message". */
  problems: string[];
  from: Array<{ image: string | null; tag: string | null; digest: string | null }>;
  copies: Array<{ sources: string[]; dest: string }>;
  user?: string;
  /** The exec form's words; undefined if absent or in shell form. */
  entrypoint?: string[];
}

export function readDockerfile(file = packagePath('Dockerfile')): DockerfileFacts {
  const text = readFileSync(file, 'utf8');
  const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  const instructions = DockerfileParser.parse(text).getInstructions();
  const facts: DockerfileFacts = { problems, from: [], copies: [] };
  for (const i of instructions) {
    if (i instanceof From) facts.from.push({ image: i.getImageName(), tag: i.getImageTag(), digest: i.getImageDigest() });
    else if (i instanceof Copy) {
      const words = i.getJSONStrings().length ? i.getJSONStrings().map((a) => a.getJSONValue()) : i.getArguments().map((a) => a.getValue());
      facts.copies.push({ sources: words.slice(0, -1), dest: words[words.length - 1] });
    } else if (i.getKeyword() === 'USER') facts.user = i.getArgumentsContent() ?? undefined;
    else if (i instanceof Entrypoint) facts.entrypoint = i.getJSONStrings().length ? i.getJSONStrings().map((a) => a.getJSONValue()) : undefined;
  }
  return facts;
}
