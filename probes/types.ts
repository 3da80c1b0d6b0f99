/**
 * What each probe can tell a check. Probes fetch and normalise; they never decide a grade.
 * The reads listed in MEMOISED_READS (below) are memoised per student and polling round (one pod
 * list per student, not one per check); writes and fresh reads are not. Every call is bounded by a
 * timeout. Failures to find out throw a ProbeError (the check becomes `error`).
 */
import type { V1ClusterRoleBinding, V1ConfigMap, V1Deployment, V1Endpoints, CoreV1Event, V1Node, V1Pod, V1ReplicaSet, V1Secret, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import type { ProbeKind } from '../core/model.js';

/** A probe could not find out (unreachable, timeout, refused, API error). Never the student's fault. */
export class ProbeError extends Error {
  constructor(
    readonly probe: ProbeKind,
    message: string,
    /** Extra detail for evidence, e.g. { status: 403, verb: 'list', resource: 'pods' }. */
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

/** A right the grader's own identity lacks: not the student's doing, and the instructor's to grant. */
export interface MissingRight {
  /** The grader's identity as the refusing service named it (an Entra object id). */
  principal: string;
  /** What it lacks: a role, or the Kubernetes permission a ClusterRoleBinding would give. */
  right: string;
  /** Where it needs it: a resource id, or what names the resource when its id is not known. */
  scope: string;
  /** The command an instructor runs to grant it. */
  grant: string;
}

/** The grant command as messages quote it: a code span, so no report breaks it across lines (reporters/text.ts wrap). */
export const grantCommand = (missing: Pick<MissingRight, 'grant'>): string => `\`${missing.grant}\``;

/** The grader's own identity was refused for want of a right: the check cannot be graded until it is granted. */
export class MissingRightError extends ProbeError {
  constructor(
    probe: ProbeKind,
    message: string,
    readonly missing: MissingRight,
    detail: Record<string, unknown> = {},
  ) {
    super(probe, message, { ...detail, missingRight: missing });
  }
}

// ---------- VM (SSH or local) ----------

/** The only commands the grader runs on a VM: fixed strings, nothing student-controlled. */
export const VM_COMMANDS = {
  dockerVersion: 'docker --version',
  dockerInfo: "docker info --format '{{.ServerVersion}}'",
  dockerImages: "docker image ls --format '{{.Repository}}:{{.Tag}}'",
} as const;
export type VmCommandName = keyof typeof VM_COMMANDS;

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the command was killed (timeout, signal). */
  code: number | null;
  /** Output was cut at the probe's cap. */
  truncated: boolean;
}

export interface FileRead {
  /** Path relative to the lab user's home, as asked. */
  path: string;
  exists: boolean;
  /** Size on disk in bytes (may exceed what was read). */
  size: number;
  content: Buffer;
  /** Only the first `maxBytes` were read. */
  truncated: boolean;
}

/** The description of a VM probe over SSH (known before ssh2 is loaded). */
export const sshDescription = (vm: { username: string; host: string; port: number }): string => `ssh ${vm.username}@${vm.host}:${vm.port}`;

export interface VmProbe {
  /** 'ssh labuser29@host:22' or 'local /home/labuser29': for messages. */
  readonly description: string;
  /** Log in (or check the local home). Throws ProbeError when the VM cannot be reached. */
  connect(): Promise<{ transport: 'ssh' | 'local'; hostKey?: string }>;
  run(command: VmCommandName): Promise<CommandResult>;
  /** Reads a file under the lab user's home, at most maxBytes. */
  readFile(relativePath: string, maxBytes: number): Promise<FileRead>;
  /** Which of these paths (relative to home) exist, and as what. */
  stat(relativePaths: string[]): Promise<Record<string, 'file' | 'dir' | 'missing'>>;
  close(): Promise<void>;
}

// ---------- Azure Resource Manager ----------

export interface ResourceGroupFacts {
  name: string;
  exists: boolean;
  id?: string;
  location?: string;
}

export interface AgentPoolFacts {
  name: string;
  count: number;
  vmSize?: string;
  mode?: string;
}

export interface ManagedClusterFacts {
  id: string;
  name: string;
  location?: string;
  provisioningState?: string;
  powerState?: string;
  kubernetesVersion?: string;
  fqdn?: string;
  agentPools: AgentPoolFacts[];
  /** servicePrincipalProfile.clientId ('msi' when the cluster uses a managed identity). */
  servicePrincipalClientId?: string;
  /**
   * Who pulls images for the cluster: its kubelet identity (`managed`: clientId `msi`) or its service
   * principal (`servicePrincipal`).
   */
  identity?: 'managed' | 'servicePrincipal';
  /** Object ids that pull images for this cluster: the kubelet identity's, or the service principal's when resolved. */
  pullIdentityObjectIds: string[];
  /** Why the pulling identity's object id is not known (a service principal Microsoft Graph would not resolve). */
  pullIdentityUnresolved?: string;
  /** Entra ID integration (`aadProfile.managed`): kubeconfigs run kubelogin; tokens are for the AKS server application. */
  entra?: boolean;
  /**
   * When ARM created it (ISO 8601), read only when the group holds several clusters: AKS answers
   * `systemData: null`, so it comes from the group's resource list (`$expand=createdTime`).
   */
  createdAt?: string;
}

export interface RegistryFacts {
  id: string;
  name: string;
  loginServer: string;
  sku?: string;
  adminUserEnabled: boolean;
  provisioningState?: string;
  /** `AbacRepositoryPermissions`: only the ABAC repository roles grant pulls; legacy roles do not. */
  roleAssignmentMode?: string;
  /** When it was created (ISO 8601): ARM's `systemData.createdAt`, else ACR's own `creationDate`. */
  createdAt?: string;
}

export interface RoleAssignmentFacts {
  id: string;
  scope: string;
  principalId: string;
  principalType?: string;
  roleDefinitionId: string;
  /** Resolved from the role definition ('Reader', 'AcrPull', ...), when readable. */
  roleName?: string;
  /** An ABAC condition that limits the assignment (on ACR repository roles: to some repositories). */
  condition?: string;
}

export interface AzureProbe {
  readonly subscriptionId: string;
  resourceGroup(): Promise<ResourceGroupFacts>;
  managedClusters(): Promise<ManagedClusterFacts[]>;
  registries(): Promise<RegistryFacts[]>;
  /** Admin credentials of a registry (secrets: never put them in evidence). */
  registryCredentials(registryName: string): Promise<{ username: string; passwords: string[] }>;
  /** Role assignments at or above the resource group (including those on registries in it). */
  roleAssignments(): Promise<RoleAssignmentFacts[]>;
  /** The cluster's user kubeconfig, YAML text (a secret). */
  clusterUserKubeconfig(clusterName: string): Promise<string>;
}

// ---------- Registry data plane ----------

/** How the registry probe authenticated. */
export type AuthMode = 'basic-admin' | 'bearer-admin' | 'entra-exchange' | 'anonymous';

export const AUTH_MODE_TEXT: Record<AuthMode, string> = {
  'basic-admin': 'the admin user (Basic auth)',
  'bearer-admin': 'a token for the admin user',
  'entra-exchange': "a token exchanged for the grader's Entra identity",
  anonymous: 'no credentials',
};

export interface TagList {
  repository: string;
  /** false when the repository does not exist (404 NAME_UNKNOWN). */
  exists: boolean;
  tags: string[];
  /** How the probe authenticated. */
  auth: AuthMode;
  /**
   * The registry had more pages than the probe reads (a long or endless list, or a next page on another
   * host): a tag missing from `tags` may still exist, so ask for its manifest (`manifestDigest`).
   */
  truncated?: true;
}

export interface RegistryProbe {
  tags(loginServer: string, repository: string): Promise<TagList>;
  /**
   * Docker-Content-Digest of repository:reference (a tag, or a digest: then whether the repository
   * holds that manifest, an older push included), undefined when it does not exist.
   */
  manifestDigest(loginServer: string, repository: string, reference: string): Promise<string | undefined>;
}

// ---------- Kubernetes ----------

export interface HelmReleaseRecord {
  source: 'helm3-secret' | 'helm2-configmap';
  namespace: string;
  /** Secret or ConfigMap name, e.g. sh.helm.release.v1.greetings.v1 */
  objectName: string;
  name: string;
  version: number;
  status: string;
  chartName?: string;
  chartVersion?: string;
  /** Values given by the user (Helm 3 `config`; Helm 2 `config.raw` parsed), when decodable. */
  values?: Record<string, unknown>;
  /** The packaged chart's own values.yaml (Helm 3 `chart.values`; Helm 2 `chart.values.raw` parsed). */
  chartValues?: Record<string, unknown>;
  decodeError?: string;
}

/** The lists of a snapshot (each may be unreadable on its own). */
export type KubeListKind = Exclude<keyof KubeSnapshot, 'takenAt' | 'server' | 'namespace' | 'unreadable' | 'missingRights'>;

/** One read of everything the checks need, each kind listed once per student. */
export interface KubeSnapshot {
  takenAt: string;
  server: string;
  namespace: string;
  pods: V1Pod[];
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  services: V1Service[];
  endpoints: V1Endpoints[];
  events: CoreV1Event[];
  nodes: V1Node[];
  /** Helm 3 release Secrets (all namespaces the grader may read) and Helm 2 ConfigMaps in kube-system. */
  helmSecrets: V1Secret[];
  helmConfigMaps: V1ConfigMap[];
  /** kube-system ServiceAccounts and the ClusterRoleBindings, for the tiller check. */
  serviceAccounts: V1ServiceAccount[];
  clusterRoleBindings: V1ClusterRoleBinding[];
  /** Lists that could not be read (403 etc.): kind -> reason. Checks that need them report `error`. */
  unreadable: Record<string, string>;
  /** Of those, the ones refused for a right the grader's own identity lacks: kind -> that right. */
  missingRights?: Record<string, MissingRight>;
}

/** Which cluster a Kubernetes probe reads, and why that one (a student may have several). */
export interface ClusterChoice {
  name: string;
  /** Its ARM resource id, when chosen through Azure. */
  id?: string;
  reason: string;
  /** Every cluster it was chosen from, by name. */
  candidates: string[];
  /**
   * What the evidence must say about an operator's kubeconfig: another context or the student's own
   * cluster graded instead of its current context, or a context given that is none of the student's clusters.
   */
  kubeconfigNotice?: string;
}

/** The description of a Kubernetes probe (known before @kubernetes/client-node is loaded). */
export const kubeDescription = (namespace: string): string => `Kubernetes API, namespace ${namespace}`;

export interface KubeProbe {
  readonly description: string;
  /** The cluster this probe reads and why (decided once per student, before connecting). */
  cluster(): Promise<ClusterChoice>;
  /** GET /version with the credentials in use. */
  reach(): Promise<{ server: string; gitVersion: string }>;
  snapshot(): Promise<KubeSnapshot>;
  /** GET through the API server's pod proxy: /api/v1/namespaces/ns/pods/name:port/proxy/path */
  podProxyGet(namespace: string, pod: string, port: number, path: string): Promise<{ status: number; body: string }>;
  /** A fresh, selector-scoped pod list on every call (watching a replacement start). */
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  /** The only write: behind --allow-disruptive (the probe refuses otherwise). */
  deletePod(namespace: string, name: string): Promise<void>;
}

// ---------- HTTP (the app) ----------

export interface HttpAnswer {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body was cut at the cap. */
  truncated: boolean;
}

/** Per request: `retry: false` makes one try (a check that knows nothing is starting behind the address). */
export interface HttpRequestOptions {
  retry?: boolean;
}

export interface HttpProbe {
  get(url: string, options?: HttpRequestOptions): Promise<HttpAnswer>;
  postForm(url: string, fields: Record<string, string>): Promise<HttpAnswer>;
}

// ---------- The set a check sees ----------

export interface Probes {
  vm?: VmProbe;
  azure?: AzureProbe;
  registry?: RegistryProbe;
  kube?: KubeProbe;
  http?: HttpProbe;
}

/**
 * The reads of each probe that are memoised per student and polling round: one answer serves every
 * check that asks. Everything else (the one write, posting a form, polling a pod list) goes to the probe
 * on every call, still bounded in time.
 */
export const MEMOISED_READS = {
  vm: ['connect', 'run', 'readFile', 'stat'],
  azure: ['resourceGroup', 'managedClusters', 'registries', 'registryCredentials', 'roleAssignments', 'clusterUserKubeconfig'],
  registry: ['tags', 'manifestDigest'],
  kube: ['cluster', 'reach', 'snapshot', 'podProxyGet'],
  http: ['get'],
} as const satisfies { readonly [K in ProbeKind]: readonly (keyof NonNullable<Probes[K]>)[] };

/** Why a probe is absent for this student, with the one line that would make it reachable. */
export type Unavailable = Partial<Record<ProbeKind, string>>;
