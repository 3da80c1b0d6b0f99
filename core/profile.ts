/**
 * The lab profile: points per check and every expected value (image names, tag, ports, replicas,
 * service types, pass mark) in one data file, so an instructor can adapt a variant of the lab.
 */
import { assetSource, readAsset } from './assets.js';
import { Fields, parseYamlText, readYamlFile } from './fields.js';

/** A check's default points: required points, or bonus points counted apart (one or the other). */
export type DefaultPoints = { readonly points: number; readonly bonus?: never } | { readonly bonus: number; readonly points?: never };

/** What the profile needs of each check: its id and its default points. */
export interface CheckPointsDefault {
  readonly id: string;
  readonly points: DefaultPoints;
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

/**
 * A lab profile file a user names, or without one the built-in profile. With the catalogue, every
 * check id is validated and a check the file does not list gets its default points (a variant written
 * before a check was added keeps working).
 */
export function loadProfile(file?: string, catalogue?: readonly CheckPointsDefault[]): LabProfile {
  const source = file ?? assetSource(BUILT_IN_PROFILE);
  const root = Fields.root(source, file === undefined ? parseYamlText(readAsset(BUILT_IN_PROFILE), source) : readYamlFile(file));
  const profile: LabProfile = {
    file: source,
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
    if (known && !known.includes(id)) f.fail(id, `unknown check id (known: ${known.join(', ')})`);
    const c = f.object(id);
    const points = c.optNumber('points', { min: 0 }) ?? 0;
    const bonus = c.optNumber('bonus', { min: 0 }) ?? 0;
    if (points > 0 && bonus > 0) c.fail('bonus', 'a check has either points or bonus, not both');
    c.done();
    out[id] = { points, bonus };
  }
  for (const c of catalogue ?? []) out[c.id] ??= { points: c.points.points ?? 0, bonus: c.points.bonus ?? 0 };
  return out;
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
