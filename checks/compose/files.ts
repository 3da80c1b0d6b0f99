/**
 * Which compose file `docker compose` uses in a project folder: the first that exists in Compose's
 * own lookup order (compose-go `cli.DefaultFileNames`); it warns when several exist and takes that
 * one. The lab profile says which names count at all.
 */
const COMPOSE_FILE_PRECEDENCE = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;

/** The override file Compose merges over the base one when present (compose-go `DefaultOverrideFileNames`): the first that exists. */
export const COMPOSE_OVERRIDE_FILES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'] as const;

/** The environment file Compose reads from the project folder to fill `${VARIABLES}`. */
export const COMPOSE_ENV_FILE = '.env';

/** The allowed names in Compose's order (names Compose does not know keep their order, last). */
export function composeFileOrder(allowed: readonly string[]): string[] {
  const rank = (name: string) => {
    const i = (COMPOSE_FILE_PRECEDENCE as readonly string[]).indexOf(name);
    return i < 0 ? COMPOSE_FILE_PRECEDENCE.length : i;
  };
  return [...allowed].sort((a, b) => rank(a) - rank(b));
}

/** "./myapp/." -> "myapp": build contexts compared as Compose resolves them. */
export function normaliseContext(context: string): string {
  const parts: string[] = [];
  for (const part of context.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/') || '.';
}
