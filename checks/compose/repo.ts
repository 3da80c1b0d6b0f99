/**
 * The greetings clone on the VM as Exercise 2's checks see it: one `stat` of every path they care
 * about, and the compose file read as `docker compose` reads it in that folder: the project's `.env`
 * fills `${VARIABLES}`, an override file (`docker-compose.override.yml`, …) is merged over the base
 * file. The calls take the same arguments in every check, so the probe session fetches them once.
 */
import type { CheckContext } from '../../core/check.js';
import type { FileRead } from '../../probes/types.js';
import { parseDotenv } from './dotenv.js';
import { COMPOSE_ENV_FILE, COMPOSE_OVERRIDE_FILES, composeFileOrder } from './files.js';
import { COMPOSE_LIMITS, readCompose, sizeProblem, type ComposeModel, type ComposeReadResult } from './read.js';

export interface RepoLayout {
  dir: string;
  dirKind: 'file' | 'dir' | 'missing';
  /** Dockerfile paths (relative to the repo) that are missing. */
  missingDockerfiles: string[];
  /** Compose files present, in Compose's lookup order; the first is the one used. */
  composeFiles: string[];
  /** The override file Compose merges over it, when present. */
  overrideFile?: string;
  /** Whether the project folder has a `.env` file. */
  envFile: boolean;
}

const inRepo = (dir: string, file: string) => `${dir}/${file}`;

export async function repoLayout(ctx: CheckContext<'vm'>): Promise<RepoLayout> {
  const { repoDir: dir, dockerfiles, composeFiles } = ctx.profile.expect;
  const ordered = composeFileOrder(composeFiles);
  const paths = [dir, ...dockerfiles, ...ordered, ...COMPOSE_OVERRIDE_FILES, COMPOSE_ENV_FILE].map((f) => (f === dir ? dir : inRepo(dir, f)));
  const kinds = await ctx.probes.vm.stat(paths);
  const isFile = (f: string) => kinds[inRepo(dir, f)] === 'file';
  return {
    dir,
    dirKind: kinds[dir],
    missingDockerfiles: dockerfiles.filter((f) => !isFile(f)),
    composeFiles: ordered.filter(isFile),
    ...(COMPOSE_OVERRIDE_FILES.find(isFile) ? { overrideFile: COMPOSE_OVERRIDE_FILES.find(isFile) } : {}),
    envFile: isFile(COMPOSE_ENV_FILE),
  };
}

export interface LoadedCompose {
  /** The file's name in the repo, e.g. docker-compose.yaml. */
  file: string;
  /** Other compose files present, which Compose ignores. */
  ignored: string[];
  /** The override file merged over it, when present. */
  override?: string;
  /** The `.env` values used, when there is one. */
  env: Record<string, string>;
  read: FileRead;
  result: ComposeReadResult;
}

/** Reads and interprets the compose file Compose would use, as Compose would; undefined when there is none. */
export async function loadCompose(ctx: CheckContext<'vm'>): Promise<LoadedCompose | undefined> {
  const layout = await repoLayout(ctx);
  const [file, ...ignored] = layout.composeFiles;
  if (!file) return undefined;
  const readOne = async (name: string) => {
    // One byte over the cap tells "too large" from "exactly at the cap".
    const read = await ctx.probes.vm.readFile(inRepo(layout.dir, name), COMPOSE_LIMITS.maxBytes + 1);
    return { read, tooLarge: read.truncated ? sizeProblem(read.size) : undefined };
  };
  const env = layout.envFile ? parseDotenv((await ctx.probes.vm.readFile(inRepo(layout.dir, COMPOSE_ENV_FILE), 64 * 1024)).content.toString('utf8')) : {};
  const base = await readOne(file);
  const parse = (r: Awaited<ReturnType<typeof readOne>>, name: string): ComposeReadResult =>
    r.tooLarge ? { errors: [{ ...r.tooLarge, file: name }], unsetVariables: [] } : withFile(readCompose(r.read.content, { env }), name);
  let result = parse(base, file);
  if (layout.overrideFile && result.model && !result.errors.length) {
    const over = parse(await readOne(layout.overrideFile), layout.overrideFile);
    result =
      over.model && !over.errors.length ? { model: mergeOverride(result.model, over.model), errors: [], unsetVariables: [...new Set([...result.unsetVariables, ...over.unsetVariables])] } : over;
  }
  return { file, ignored, ...(layout.overrideFile ? { override: layout.overrideFile } : {}), env, read: base.read, result };
}

/** Every position of a file's model and problems names that file (an override's say so in messages). */
function withFile(r: ComposeReadResult, file: string): ComposeReadResult {
  return {
    ...r,
    errors: r.errors.map((e) => ({ ...e, file })),
    ...(r.model ? { model: { ...r.model, services: Object.fromEntries(Object.entries(r.model.services).map(([k, s]) => [k, { ...s, file, ports: s.ports.map((p) => ({ ...p, file })) }])) } } : {}),
  };
}

/**
 * Compose's merge of an override file: a service's image and build are replaced, its ports are added
 * (the same published port written twice counts once); services only in the override are added.
 */
export function mergeOverride(base: ComposeModel, over: ComposeModel): ComposeModel {
  const services = { ...base.services };
  for (const [name, o] of Object.entries(over.services)) {
    const b = services[name];
    if (!b) {
      services[name] = o;
      continue;
    }
    const key = (p: (typeof b.ports)[number]) => `${p.hostIp ?? ''}|${p.published ?? ''}|${p.target}|${p.protocol}`;
    const ports = [...b.ports, ...o.ports.filter((p) => !b.ports.some((q) => key(q) === key(p)))];
    services[name] = {
      ...b,
      ...(o.imageTemplate !== undefined ? { image: o.image, imageTemplate: o.imageTemplate, imageFile: o.file } : {}),
      ...(o.build ? { build: o.build, buildFile: o.file } : {}),
      ports,
      at: { ...b.at, ...(o.at.image ? { image: o.at.image } : {}), ...(o.at.build ? { build: o.at.build } : {}) },
    };
  }
  return { ...base, services };
}
