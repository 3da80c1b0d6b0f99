/**
 * The lab profile: points per check and every expected value (image names, tag, ports, replicas,
 * service types, pass mark) in one data file, so an instructor can adapt a variant of the lab. A
 * variant can say only what differs: `extends: builtin` (or the path of another profile) takes the
 * rest from there, `checks` and `expect` merged key by key; `checks.<id>.enabled: false` switches a
 * check off (not run, not reported, not scored).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { assetSource } from './assets.js';
import { ConfigError } from './errors.js';
import { Fields, isPlainObject, readYamlAsset, readYamlFile } from './fields.js';
import { didYouMean } from './suggest.js';

/** A check's default points: required points, or bonus points counted apart (one or the other). */
export type DefaultPoints = { readonly points: number; readonly bonus?: never } | { readonly bonus: number; readonly points?: never };

/** What the profile needs of each check: its id and its default points, and what it waits for (a check others need cannot be switched off alone). */
export interface CheckPointsDefault {
  readonly id: string;
  readonly points: DefaultPoints;
  readonly dependsOn?: readonly string[];
  readonly provides?: readonly string[];
  readonly uses?: readonly string[];
}

export interface WorkloadExpectation {
  composeService: string;
  image: string;
  buildContext: string;
  containerPort: number;
  deployment: string;
  service: string;
  serviceType: string;
  servicePort: number;
  targetPort: number;
  replicas: number;
  hostPort?: number;
  env: Record<string, string>;
  greetingsPath?: string;
}

export interface LabExpectations {
  repoDir: string;
  composeFiles: string[];
  dockerfiles: string[];
  app: WorkloadExpectation;
  api: WorkloadExpectation;
  tag: string;
  namespace: string;
  nodes: number;
  registrySku: string;
  registryDomain: string;
  pullRoles: string[];
  /** The roles that grant pulls on a registry in ABAC mode (its repository roles; the legacy ones do not). */
  abacPullRoles: string[];
  helm: { chart: string; brokenDefaultRegistry: string };
  podName: string;
}

export interface CheckPoints {
  /** Required points (0 for prerequisites and informational checks). */
  points: number;
  /** Bonus points, counted apart. */
  bonus: number;
  /** Switched off by the profile: not run, not reported, not scored. */
  enabled: boolean;
}

export interface LabProfile {
  file: string;
  lab: string;
  title: string;
  passMark: number;
  bonusCap: number;
  checks: Record<string, CheckPoints>;
  expect: LabExpectations;
}

const BUILT_IN_PROFILE = 'profiles/aks-greetings.yaml';
/** `extends: builtin` names the profile that ships with lab-grade. */
const BUILT_IN_NAME = 'builtin';
const MAX_EXTENDS = 8;

interface Layered {
  doc: Record<string, unknown>;
  /** The file each key path (`checks.ex7.tiller.enabled`) was last set in. */
  origin: Map<string, string>;
  /** The profile named on the command line or in the class config. */
  top: string;
}

/**
 * A lab profile file a user names, or without one the built-in profile. With the catalogue, every
 * check id is validated and a check the file does not list gets its default points (a variant written
 * before a check was added keeps working). Errors name the file that set the key.
 */
export function loadProfile(file?: string, catalogue?: readonly CheckPointsDefault[]): LabProfile {
  const layered = readLayers(file ?? BUILT_IN_NAME, []);
  try {
    return readProfile(Fields.root(layered.top, layered.doc), catalogue);
  } catch (err) {
    throw err instanceof ConfigError ? inFileThatSetIt(err, layered) : err;
  }
}

/** The profile and every profile it extends, merged: the file's own keys win. */
function readLayers(name: string, chain: readonly string[]): Layered {
  const builtIn = name === BUILT_IN_NAME;
  const source = builtIn ? assetSource(BUILT_IN_PROFILE) : name;
  if (chain.includes(source)) throw new ConfigError(`extends itself through ${[...chain, source].join(' -> ')}`, chain[chain.length - 1], 'extends');
  if (chain.length >= MAX_EXTENDS) throw new ConfigError(`more than ${MAX_EXTENDS} profiles extend each other`, chain[chain.length - 1], 'extends');
  const raw = builtIn ? readYamlAsset(BUILT_IN_PROFILE) : readYamlFile(name);
  if (!isPlainObject(raw)) throw new ConfigError('expected a mapping at the top level', source);
  const { extends: parent, ...own } = raw;
  const origin = new Map<string, string>();
  record(own, '', source, origin);
  if (parent === undefined || parent === null) return { doc: own, origin, top: source };
  if (typeof parent !== 'string' || parent === '') throw new ConfigError(`expected "${BUILT_IN_NAME}" or the path of another profile, got ${JSON.stringify(parent)}`, source, 'extends');
  const parentPath = parent === BUILT_IN_NAME ? parent : resolve(dirname(resolve(source)), parent);
  // A profile that is not there is this file's mistake: its `extends:` names it.
  if (parentPath !== BUILT_IN_NAME && !existsSync(parentPath)) {
    throw new ConfigError(`${JSON.stringify(parent)} not found (${parentPath}): expected "${BUILT_IN_NAME}" or the path of another profile, relative to this file`, source, 'extends');
  }
  const base = readLayers(parentPath, [...chain, source]);
  for (const [path, file] of origin) base.origin.set(path, file);
  return { doc: merge(base.doc, own), origin: base.origin, top: source };
}

/** Mappings are merged key by key (deeply: `checks`, `expect`); anything else replaces what it extends. */
function merge(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(own)) out[k] = isPlainObject(v) && isPlainObject(base[k]) ? merge(base[k], v) : v;
  return out;
}

function record(doc: unknown, path: string, file: string, origin: Map<string, string>): void {
  if (!isPlainObject(doc)) return;
  for (const [k, v] of Object.entries(doc)) {
    const key = path ? `${path}.${k}` : k;
    origin.set(key, file);
    record(v, key, file, origin);
  }
}

/** An error about a merged key, told of the file that set it (the top profile when no file did). */
function inFileThatSetIt(err: ConfigError, layered: Layered): ConfigError {
  if (!err.key) return err;
  let path = err.key;
  while (path && !layered.origin.has(path)) path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  const file = layered.origin.get(path) ?? layered.top;
  if (file === err.file) return err;
  const prefix = `${err.file ? `${err.file}: ` : ''}${err.key}: `;
  return new ConfigError(err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message, file, err.key);
}

function readProfile(root: Fields, catalogue: readonly CheckPointsDefault[] | undefined): LabProfile {
  const profile: LabProfile = {
    file: root.file,
    lab: root.string('lab'),
    title: root.optString('title') ?? root.string('lab'),
    passMark: root.optNumber('passMark', { min: 0, max: 100 }) ?? 70,
    bonusCap: root.optNumber('bonusCap', { min: 0 }) ?? Infinity,
    checks: readPoints(root.object('checks'), catalogue),
    expect: readExpectations(root.object('expect')),
  };
  root.done();
  return profile;
}

function readPoints(f: Fields, catalogue?: readonly CheckPointsDefault[]): Record<string, CheckPoints> {
  const out: Record<string, CheckPoints> = {};
  const known = catalogue?.map((c) => c.id);
  for (const [id] of f.entries()) {
    if (known && !known.includes(id)) f.fail(id, `unknown check id${didYouMean(id, known) || '; `lab-grade checks` lists them'}`);
    const c = f.object(id);
    const points = c.optNumber('points', { min: 0 }) ?? 0;
    const bonus = c.optNumber('bonus', { min: 0 }) ?? 0;
    if (points > 0 && bonus > 0) c.fail('bonus', 'a check has either points or bonus, not both');
    const enabled = c.optBoolean('enabled') ?? true;
    c.done();
    out[id] = { points, bonus, enabled };
  }
  for (const c of catalogue ?? []) out[c.id] ??= { points: c.points.points ?? 0, bonus: c.points.bonus ?? 0, enabled: true };
  for (const c of catalogue ?? []) if (!out[c.id].enabled) stillNeeded(c, catalogue!, out, f);
  return out;
}

/** A check switched off that checks still on need (they depend on it, or use what it finds) cannot be off alone. */
function stillNeeded(off: CheckPointsDefault, catalogue: readonly CheckPointsDefault[], points: Record<string, CheckPoints>, f: Fields): void {
  const needing = catalogue.filter((c) => points[c.id].enabled && ((c.dependsOn ?? []).includes(off.id) || (c.uses ?? []).some((u) => (off.provides ?? []).includes(u))));
  if (needing.length) f.object(off.id).fail('enabled', `${needing.map((c) => c.id).join(', ')} need ${off.id}: switch them off too, or keep it on`);
}

function readWorkload(f: Fields): WorkloadExpectation {
  const env: Record<string, string> = {};
  for (const [k, v] of f.optObject('env')?.entries() ?? []) env[k] = String(v);
  const w: WorkloadExpectation = {
    composeService: f.string('composeService'),
    image: f.string('image'),
    buildContext: f.string('buildContext'),
    containerPort: f.number('containerPort', { integer: true, min: 1, max: 65535 }),
    hostPort: f.optNumber('hostPort', { integer: true, min: 1, max: 65535 }),
    deployment: f.string('deployment'),
    service: f.string('service'),
    serviceType: f.string('serviceType'),
    servicePort: f.number('servicePort', { integer: true, min: 1, max: 65535 }),
    targetPort: f.number('targetPort', { integer: true, min: 1, max: 65535 }),
    replicas: f.number('replicas', { integer: true, min: 0 }),
    greetingsPath: f.optString('greetingsPath'),
    env,
  };
  f.done();
  return w;
}

function readExpectations(f: Fields): LabExpectations {
  const helm = f.object('helm');
  const e: LabExpectations = {
    repoDir: f.string('repoDir'),
    composeFiles: f.optStringList('composeFiles') ?? [],
    dockerfiles: f.optStringList('dockerfiles') ?? [],
    app: readWorkload(f.object('app')),
    api: readWorkload(f.object('api')),
    tag: f.string('tag'),
    namespace: f.string('namespace'),
    nodes: f.number('nodes', { integer: true, min: 1 }),
    registrySku: f.string('registrySku'),
    registryDomain: f.string('registryDomain'),
    pullRoles: f.optStringList('pullRoles') ?? [],
    abacPullRoles: f.optStringList('abacPullRoles') ?? ['Container Registry Repository Reader', 'Container Registry Repository Writer', 'Container Registry Repository Contributor'],
    helm: { chart: helm.string('chart'), brokenDefaultRegistry: helm.string('brokenDefaultRegistry') },
    podName: f.string('podName'),
  };
  helm.done();
  f.done();
  return e;
}
