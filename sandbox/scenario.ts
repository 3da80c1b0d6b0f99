/**
 * Scenario files (the format: docs/scenarios.md): one simulated student each.
 * The loader is strict: unknown keys and values outside the lists are errors naming file and key.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assetSource, listAssets } from '../core/assets.js';
import { ConfigError } from '../core/errors.js';
import { Fields, readYamlAsset, readYamlFile } from '../core/fields.js';
import { STATUSES, type Status } from '../core/model.js';
import { isSimulatedUserName } from '../core/names.js';

const ROLES = [
  'Reader',
  'AcrPull',
  'AcrPush',
  'Contributor',
  'Owner',
  'Container Registry Repository Reader',
  'Container Registry Repository Writer',
  'Container Registry Repository Contributor',
  'Container Registry Repository Catalog Lister',
  'Azure Kubernetes Service Cluster User Role',
  'Azure Kubernetes Service RBAC Reader',
  'Azure Kubernetes Service RBAC Cluster Admin',
] as const;
/** The assignee that names the grader's own identity (the class config's service principal). */
export const GRADER = 'grader';
const ROLE_ASSIGNMENT_MODES = ['LegacyRegistryPermissions', 'AbacRepositoryPermissions'] as const;
const VM_FAULTS = ['refuse', 'hang', 'bad-password'] as const;
const ARM_FAULTS = ['throttle', 'error500', 'hang', 'endless-pages'] as const;
const KUBE_FAULTS = ['forbidden', 'error500', 'hang', 'huge'] as const;
const REGISTRY_FAULTS = ['unauthorized', 'error500', 'hang'] as const;
const HTTP_FAULTS = ['hang', 'huge', 'redirect', 'garbage'] as const;

export interface ScenarioVm {
  docker: string | null;
  dockerUsable: boolean;
  /** stopped: the daemon is not running (`sudo systemctl stop docker`), so the CLI reaches no one */
  dockerDaemon: 'running' | 'stopped';
  images: string[];
  serving: boolean;
  /** relative path under the lab user's home -> file content */
  home: Record<string, string>;
}

export interface ScenarioCluster {
  name: string;
  provisioningState: string;
  powerState: string;
  nodeCount: number;
  /** how the nodes authenticate to Azure: managed identities (default) or a service principal */
  identity?: 'msi' | 'servicePrincipal';
  /** Entra-integrated (managed AAD, local accounts disabled): kubelogin kubeconfig, Entra tokens only */
  entra?: boolean;
  /** Entra clusters: Azure RBAC decides Kubernetes authorization too (aadProfile.enableAzureRBAC) */
  azureRbac?: boolean;
  /** Entra clusters: who a ClusterRoleBinding lets get, list and watch every object (Kubernetes RBAC) */
  kubernetesReaders?: Array<typeof GRADER>;
}

export interface ScenarioRegistry {
  name: string;
  sku: string;
  adminUserEnabled: boolean;
  /** "repo:tag" */
  images: string[];
  /** whether the grader's identity may call listCredentials (forbidden: ARM answers 403 AuthorizationFailed) */
  listCredentials?: 'allowed' | 'forbidden';
  /** "repo:tag" of `images` pushed again after the pods pulled it (once per mention): the tag moves to the new manifest */
  repushed?: string[];
  /** ARM's roleAssignmentMode (default LegacyRegistryPermissions); in ABAC mode only the repository roles pull */
  roleAssignmentMode?: (typeof ROLE_ASSIGNMENT_MODES)[number];
}

export interface ScenarioRoleAssignment {
  role: (typeof ROLES)[number];
  /**
   * a cluster name of this scenario: the identity its nodes pull with (kubelet identity or service
   * principal); or `grader`: the grader's own identity
   */
  assignee: string;
  /** a registry or cluster name, or "resourceGroup" */
  scope: string;
  /**
   * an ABAC condition on a repository role: the assignment covers only these repositories (ARM shows
   * the condition the portal's visual editor writes); omitted: every repository
   */
  repositories?: string[];
}

export interface ScenarioAzure {
  resourceGroup: string;
  /** whether the grader's identity may read Microsoft Graph (forbidden: 403 Authorization_RequestDenied) */
  graph?: 'allowed' | 'forbidden';
  clusters: ScenarioCluster[];
  registries: ScenarioRegistry[];
  roleAssignments: ScenarioRoleAssignment[];
}

export interface ScenarioHelmRelease {
  name: string;
  chart: string;
  helm: 2 | 3;
  status: string;
  values: Record<string, unknown>;
  /** the chart's own values.yaml as a mapping (default: the greetings chart's, for a greetings chart) */
  chartValues?: Record<string, unknown>;
  tiller: boolean;
  /** The revisions Helm keeps (default 1): every one superseded but the newest, which has `status`. */
  revisions?: number;
  /** The rendered manifest's size (default: the applied YAML): a chart with large CRDs renders hundreds of KB. */
  manifestBytes?: number;
}

export interface ScenarioKubernetes {
  cluster: string;
  loadBalancer: 'assigned' | 'pending';
  /** multi-document YAML exactly as applied */
  apply: string;
  deletedPods: string[];
  greetings: string[];
  helm: ScenarioHelmRelease[];
}

export interface ScenarioFaults {
  latencyMs: number;
  vm: (typeof VM_FAULTS)[number] | null;
  arm: (typeof ARM_FAULTS)[number] | null;
  kube: (typeof KUBE_FAULTS)[number] | null;
  registry: (typeof REGISTRY_FAULTS)[number] | null;
  http: (typeof HTTP_FAULTS)[number] | null;
}

/** What a correct grader reports beyond the status: the reason code, or the root cause of a `blocked`. */
export interface ExpectedDetail {
  code?: string;
  blockedBy?: string;
}

export interface Scenario {
  file: string;
  user: string;
  description: string;
  /** The verdict of each check a correct grader gives. */
  expect: Record<string, Status>;
  /** Where the expect: block says more (`fail LG-513`, `blocked by ex5.pull.authorized`). */
  expectDetail: Record<string, ExpectedDetail>;
  vm: ScenarioVm | null;
  azure: ScenarioAzure;
  kubernetes: ScenarioKubernetes | null;
  faults: ScenarioFaults;
}

/** `fail`, `fail LG-513`, `blocked by ex5.pull.authorized`. */
const EXPECTED = /^([a-z]+)(?:\s+(LG-\d{3})|\s+by\s+([a-z0-9][a-z0-9.]*))?$/;
const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/i;

export function parseScenario(value: unknown, file: string, knownCheckIds?: readonly string[]): Scenario {
  const f = Fields.root(file, value, 'a scenario mapping');
  const user = f.string('user');
  if (!isSimulatedUserName(user)) f.fail('user', `expected lowercase letters, digits and dashes, a letter first, at most 39, got ${JSON.stringify(user)}`);
  const expect: Record<string, Status> = {};
  const expectDetail: Record<string, ExpectedDetail> = {};
  const ef = f.optObject('expect');
  for (const [id, v] of ef?.entries() ?? []) {
    if (knownCheckIds && !knownCheckIds.includes(id)) ef!.fail(id, `unknown check id (known: ${knownCheckIds.join(', ')})`);
    const m = typeof v === 'string' ? EXPECTED.exec(v.trim()) : null;
    if (!m || !STATUSES.includes(m[1] as Status))
      ef!.fail(id, `expected a status (${STATUSES.join(', ')}), optionally with a reason code ("fail LG-513") or a root cause ("blocked by ex5.pull.authorized"), got ${JSON.stringify(v)}`);
    const [, status, code, root] = m!;
    if (root && status !== 'blocked') ef!.fail(id, `"by …" names the root cause of a blocked check, got ${JSON.stringify(v)}`);
    if (code && (status === 'pass' || status === 'blocked')) ef!.fail(id, `a ${status} carries no reason code, got ${JSON.stringify(v)}`);
    if (root && knownCheckIds && !knownCheckIds.includes(root)) ef!.fail(id, `unknown check id ${JSON.stringify(root)} as the root cause`);
    expect[id] = status as Status;
    if (code || root) expectDetail[id] = { ...(code ? { code } : {}), ...(root ? { blockedBy: root } : {}) };
  }
  const scenario: Scenario = {
    file,
    user,
    description: f.optString('description') ?? '',
    expect,
    expectDetail,
    vm: readVm(f.optObject('vm')),
    azure: readAzure(f.optObject('azure'), user),
    kubernetes: null,
    faults: readFaults(f.optObject('faults')),
  };
  scenario.kubernetes = readKubernetes(f.optObject('kubernetes'), scenario.azure, f);
  f.done();
  return scenario;
}

function readVm(f: Fields | undefined): ScenarioVm | null {
  if (!f) return null;
  const home: Record<string, string> = {};
  const hf = f.optObject('home');
  for (const [path, content] of hf?.entries() ?? []) {
    if (path.startsWith('/') || path.split('/').includes('..')) hf!.fail(path, 'expected a path relative to the home folder, without ".."');
    if (typeof content !== 'string') hf!.fail(path, 'expected the file content as a string');
    home[path] = content as string;
  }
  const vm: ScenarioVm = {
    docker: f.optString('docker') ?? null,
    dockerUsable: f.optBoolean('dockerUsable') ?? false,
    dockerDaemon: f.oneOf('dockerDaemon', ['running', 'stopped'] as const, 'running'),
    images: f.optStringList('images') ?? [],
    serving: f.optBoolean('serving') ?? false,
    home,
  };
  f.done();
  return vm;
}

function readAzure(f: Fields | undefined, user: string): ScenarioAzure {
  const azure: ScenarioAzure = {
    resourceGroup: f?.optString('resourceGroup') ?? `${user}-rg`,
    graph: f?.oneOf('graph', ['allowed', 'forbidden'] as const, 'allowed') ?? 'allowed',
    clusters: (f?.objectList('clusters') ?? []).map((c) => {
      const cluster: ScenarioCluster = {
        name: name(c, 'name'),
        provisioningState: c.oneOf('provisioningState', ['Succeeded', 'Creating', 'Updating', 'Starting', 'Stopping', 'Deleting', 'Failed', 'Canceled'], 'Succeeded'),
        powerState: c.oneOf('powerState', ['Running', 'Stopped'], 'Running'),
        nodeCount: c.optNumber('nodeCount', { integer: true, min: 0, max: 100 }) ?? 3,
        identity: c.oneOf('identity', ['msi', 'servicePrincipal'] as const, 'msi'),
        entra: c.optBoolean('entra') ?? false,
        azureRbac: c.optBoolean('azureRbac') ?? false,
        kubernetesReaders: (c.optStringList('kubernetesReaders') ?? [GRADER]).map((who, i) => {
          if (who !== GRADER) c.fail(`kubernetesReaders[${i}]`, `expected ${JSON.stringify(GRADER)} (the grader's identity), got ${JSON.stringify(who)}`);
          return GRADER;
        }),
      };
      if (cluster.azureRbac && !cluster.entra) c.fail('azureRbac', 'Azure RBAC for Kubernetes needs an Entra-integrated cluster (entra: true)');
      c.done();
      return cluster;
    }),
    registries: (f?.objectList('registries') ?? []).map((r) => {
      const registry: ScenarioRegistry = {
        name: name(r, 'name'),
        sku: r.oneOf('sku', ['Basic', 'Standard', 'Premium'], 'Basic'),
        adminUserEnabled: r.optBoolean('adminUserEnabled') ?? false,
        images: (r.optStringList('images') ?? []).map((img, i) => {
          if (!/^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(img)) r.fail(`images[${i}]`, `expected "repository:tag", got ${JSON.stringify(img)}`);
          return img;
        }),
        repushed: [],
        listCredentials: r.oneOf('listCredentials', ['allowed', 'forbidden'] as const, 'allowed'),
        roleAssignmentMode: r.oneOf('roleAssignmentMode', ROLE_ASSIGNMENT_MODES, 'LegacyRegistryPermissions'),
      };
      registry.repushed = (r.optStringList('repushed') ?? []).map((ref, i) => {
        if (!registry.images.includes(ref)) r.fail(`repushed[${i}]`, `expected one of this registry's images (${registry.images.join(', ') || 'none'}), got ${JSON.stringify(ref)}`);
        return ref;
      });
      r.done();
      return registry;
    }),
    roleAssignments: [],
  };
  azure.roleAssignments = (f?.objectList('roleAssignments') ?? []).map((a) => {
    const ra: ScenarioRoleAssignment = { role: a.oneOf('role', ROLES), assignee: a.string('assignee'), scope: a.string('scope') };
    const repositories = a.optStringList('repositories');
    if (repositories) {
      if (!ABAC_CONDITION_ROLES.includes(ra.role)) a.fail('repositories', `an ABAC condition needs one of ${ABAC_CONDITION_ROLES.join(', ')}, not ${JSON.stringify(ra.role)}`);
      // The grader's registry tokens are checked against its roles without conditions; only a cluster's pull reads them.
      if (ra.assignee === GRADER) a.fail('repositories', `expected a cluster as the assignee of a condition, got ${JSON.stringify(GRADER)}`);
      repositories.forEach((r, i) => {
        if (!/^[a-z0-9][a-z0-9._/-]*$/.test(r)) a.fail(`repositories[${i}]`, `expected a repository name, got ${JSON.stringify(r)}`);
      });
      ra.repositories = repositories;
    }
    if (ra.assignee !== GRADER && !azure.clusters.some((c) => c.name === ra.assignee))
      a.fail('assignee', `expected ${JSON.stringify(GRADER)} or a cluster of this scenario (${azure.clusters.map((c) => c.name).join(', ') || 'none'}), got ${JSON.stringify(ra.assignee)}`);
    if (ra.scope !== 'resourceGroup' && !azure.registries.some((r) => r.name === ra.scope) && !azure.clusters.some((c) => c.name === ra.scope))
      a.fail('scope', `expected "resourceGroup", a registry or a cluster of this scenario, got ${JSON.stringify(ra.scope)}`);
    a.done();
    return ra;
  });
  const graderRoles = azure.roleAssignments.filter((a) => a.assignee === GRADER);
  // Without Reader on the group the grader can read nothing at all; the simulated ARM does not play that.
  if (graderRoles.length && !graderRoles.some((a) => a.scope === 'resourceGroup' && GROUP_READERS.includes(a.role)))
    f!.fail('roleAssignments', `the grader's roles must include ${GROUP_READERS.join(', ')} on the resourceGroup (it reads the group's resources with it)`);
  f?.done();
  return azure;
}

/** The ABAC-enabled repository roles: the only ones an ACR repository condition applies to. */
const ABAC_CONDITION_ROLES: ReadonlyArray<ScenarioRoleAssignment['role']> = [
  'Container Registry Repository Reader',
  'Container Registry Repository Writer',
  'Container Registry Repository Contributor',
];

/** Roles that let the grader read a resource group's resources through ARM. */
const GROUP_READERS: ReadonlyArray<ScenarioRoleAssignment['role']> = ['Reader', 'Contributor', 'Owner'];

function readKubernetes(f: Fields | undefined, azure: ScenarioAzure, parent: Fields): ScenarioKubernetes | null {
  if (!f) return null;
  if (azure.clusters.length === 0) parent.fail('kubernetes', 'needs a cluster under azure.clusters');
  const cluster = f.optString('cluster') ?? azure.clusters[0].name;
  if (!azure.clusters.some((c) => c.name === cluster)) f.fail('cluster', `expected a cluster of this scenario, got ${JSON.stringify(cluster)}`);
  const k: ScenarioKubernetes = {
    cluster,
    loadBalancer: f.oneOf('loadBalancer', ['assigned', 'pending'], 'assigned'),
    apply: f.optString('apply') ?? '',
    deletedPods: f.optStringList('deletedPods') ?? [],
    greetings: f.optStringList('greetings') ?? [],
    helm: f.objectList('helm').map((h) => {
      const helmVersion = h.optNumber('helm', { integer: true }) ?? 3;
      if (helmVersion !== 2 && helmVersion !== 3) h.fail('helm', `expected 2 or 3, got ${helmVersion}`);
      const values = h.optObject('values');
      const chartValues = h.optObject('chartValues');
      const release: ScenarioHelmRelease = {
        name: name(h, 'name'),
        chart: h.string('chart'),
        helm: helmVersion as 2 | 3,
        status: h.optString('status') ?? 'deployed',
        values: values ? Object.fromEntries(values.entries()) : {},
        ...(chartValues ? { chartValues: Object.fromEntries(chartValues.entries()) } : {}),
        tiller: h.optBoolean('tiller') ?? false,
      };
      const revisions = h.optNumber('revisions', { integer: true, min: 1, max: 100 });
      if (revisions !== undefined) release.revisions = revisions;
      // Kubernetes refuses a Secret or ConfigMap over 1 MiB: Helm could not have stored a larger record.
      const manifestBytes = h.optNumber('manifestBytes', { integer: true, min: 0, max: 700_000 });
      if (manifestBytes !== undefined) release.manifestBytes = manifestBytes;
      h.done();
      return release;
    }),
  };
  f.done();
  return k;
}

function readFaults(f: Fields | undefined): ScenarioFaults {
  const faults: ScenarioFaults = {
    latencyMs: f?.optNumber('latencyMs', { min: 0, max: 60_000 }) ?? 0,
    vm: f?.optOneOf('vm', VM_FAULTS) ?? null,
    arm: f?.optOneOf('arm', ARM_FAULTS) ?? null,
    kube: f?.optOneOf('kube', KUBE_FAULTS) ?? null,
    registry: f?.optOneOf('registry', REGISTRY_FAULTS) ?? null,
    http: f?.optOneOf('http', HTTP_FAULTS) ?? null,
  };
  f?.done();
  return faults;
}

function name(f: Fields, k: string): string {
  const v = f.string(k);
  if (!NAME_RE.test(v)) f.fail(k, `expected letters, digits and dashes, got ${JSON.stringify(v)}`);
  return v;
}

const SCENARIO_FILE = /\.ya?ml$/;
const MAX_SCENARIO_BYTES = 1024 * 1024;

/** Loads scenario files: each path a file or a folder of *.yaml / *.yml (sorted). Users must be unique. */
export function loadScenarios(paths: string[], knownCheckIds?: readonly string[]): Scenario[] {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      throw new ConfigError('no such file or folder', p);
    }
    if (isDir) {
      const found = readdirSync(abs)
        .filter((n) => SCENARIO_FILE.test(n))
        .sort();
      if (found.length === 0) throw new ConfigError('folder holds no *.yaml scenario files', p);
      files.push(...found.map((n) => join(abs, n)));
    } else files.push(abs);
  }
  return uniqueUsers(files.map((file) => parseScenario(readYamlFile(file, MAX_SCENARIO_BYTES), file, knownCheckIds)));
}

/** The built-in class: the scenario files that ship with lab-grade (in its package or inside the bundle). */
const BUILT_IN_CLASS = 'fixtures/scenarios';

export function loadBuiltInClass(knownCheckIds?: readonly string[]): Scenario[] {
  const files = listAssets(BUILT_IN_CLASS)
    .filter((n) => SCENARIO_FILE.test(n))
    .map((n) => `${BUILT_IN_CLASS}/${n}`);
  return uniqueUsers(files.map((f) => parseScenario(readYamlAsset(f), assetSource(f), knownCheckIds)));
}

function uniqueUsers(scenarios: Scenario[]): Scenario[] {
  const byUser = new Map<string, string>();
  for (const s of scenarios) {
    const other = byUser.get(s.user);
    if (other) throw new ConfigError(`user ${s.user} is already defined in ${other}`, s.file, 'user');
    byUser.set(s.user, s.file);
  }
  return scenarios;
}
