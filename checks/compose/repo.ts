/**
 * The greetings clone on the VM as Exercise 2's checks see it: one `stat` of every path they care
 * about and one read of the compose file Compose would use. The calls take the same arguments in
 * every check, so the probe session fetches them once per student.
 */
import type { CheckContext } from '../../core/check.js';
import type { FileRead } from '../../probes/types.js';
import { composeFileOrder } from './files.js';
import { COMPOSE_LIMITS, readCompose, sizeProblem, type ComposeReadResult } from './read.js';

export interface RepoLayout {
  dir: string;
  dirKind: 'file' | 'dir' | 'missing';
  /** Dockerfile paths (relative to the repo) that are missing. */
  missingDockerfiles: string[];
  /** Compose files present, in Compose's lookup order; the first is the one used. */
  composeFiles: string[];
}

const inRepo = (dir: string, file: string) => `${dir}/${file}`;

export async function repoLayout(ctx: CheckContext<'vm'>): Promise<RepoLayout> {
  const { repoDir: dir, dockerfiles, composeFiles } = ctx.profile.expect;
  const ordered = composeFileOrder(composeFiles);
  const kinds = await ctx.probes.vm.stat([dir, ...dockerfiles.map((f) => inRepo(dir, f)), ...ordered.map((f) => inRepo(dir, f))]);
  return {
    dir,
    dirKind: kinds[dir],
    missingDockerfiles: dockerfiles.filter((f) => kinds[inRepo(dir, f)] !== 'file'),
    composeFiles: ordered.filter((f) => kinds[inRepo(dir, f)] === 'file'),
  };
}

export interface LoadedCompose {
  /** The file's name in the repo, e.g. docker-compose.yaml. */
  file: string;
  /** Other compose files present, which Compose ignores. */
  ignored: string[];
  read: FileRead;
  result: ComposeReadResult;
}

/** Reads and interprets the compose file Compose would use; undefined when there is none. */
export async function loadCompose(ctx: CheckContext<'vm'>): Promise<LoadedCompose | undefined> {
  const layout = await repoLayout(ctx);
  const [file, ...ignored] = layout.composeFiles;
  if (!file) return undefined;
  // One byte over the cap tells "too large" from "exactly at the cap".
  const read = await ctx.probes.vm.readFile(inRepo(layout.dir, file), COMPOSE_LIMITS.maxBytes + 1);
  const tooLarge = read.truncated ? sizeProblem(read.size) : undefined;
  const result: ComposeReadResult = tooLarge ? { errors: [tooLarge], unsetVariables: [] } : readCompose(read.content);
  return { file, ignored, read, result };
}
