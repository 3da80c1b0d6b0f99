/**
 * Test kit: one simulated student for the Exercise 5–7 probes and checks, on loopback only. The
 * sandbox's ClusterWorld behind its HTTPS API server (real client-node traffic, a request log), the
 * LoadBalancer address served by the sandbox's front and reached through the network policy's
 * connectTo, and Azure and the registry as small fakes derived from the same scenario (the ex5–7
 * checks read only role assignments, clusters' pull identities and manifest digests from them).
 * Exercises 3 and 4 are stood in for by checks that pass with their evidence contract.
 */
import { defineCheck, fail, pass, reasons, type CheckDef, type Reason } from '../../core/check.js';
import { gradeStudent, type EngineOptions } from '../../core/engine.js';
import { selectChecks } from '../../core/selection.js';
import type { CheckResult } from '../../core/model.js';
import { loadProfile } from '../../core/profile.js';
import { createCa, type SandboxCa } from '../../sandbox/ca.js';
import { startFront, parseHostHeader, type Front } from '../../sandbox/app/front.js';
import { imageDigest } from '../../sandbox/images.js';
import { startKubeApiServer, kubeconfigFor, type KubeApiServer } from '../../sandbox/kube/apiserver.js';
import { ClusterWorld } from '../../sandbox/kube/world.js';
import type { Scenario } from '../../sandbox/scenario.js';
import { httpProbe } from '../../probes/http/probe.js';
import { kubeProbe } from '../../probes/kube/probe.js';
import type { AzureProbe, ClusterChoice, ManagedClusterFacts, Probes, RegistryFacts, RegistryProbe, RoleAssignmentFacts } from '../../probes/types.js';
import { ALL_CHECKS } from '../../checks/index.js';
import { recordedPolicy, type RecordedPolicy } from './net.js';

export const EXTERNAL_IP = '20.50.100.7';
const SUB = '00000000-0000-0000-0000-00000000abcd';
const ROLE_IDS: Record<string, string> = {
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  AcrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  AcrPush: '8311e382-0749-4cb8-b61a-304f252e45ec',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
};

let sharedCa: Promise<SandboxCa> | undefined;

export interface SimStudent {
  world: ClusterWorld;
  api: KubeApiServer;
  front: Front;
  policy: RecordedPolicy;
  probes: Probes;
  kube: ReturnType<typeof kubeProbe>;
  /** The kubeconfig the probe reads (real kubectl may use it too). */
  kubeconfig: string;
  close(): Promise<void>;
}

const rgId = (s: Scenario) => `/subscriptions/${SUB}/resourceGroups/${s.azure.resourceGroup}`;
const registryId = (s: Scenario, name: string) => `${rgId(s)}/providers/Microsoft.ContainerRegistry/registries/${name}`;
const clusterId = (s: Scenario, name: string) => `${rgId(s)}/providers/Microsoft.ContainerService/managedClusters/${name}`;
/** The object id of a cluster's service principal (deterministic per cluster). */
const spObjectId = (cluster: string) => `5c0ffee0-0000-4000-8000-${Buffer.from(cluster).toString('hex').padEnd(12, '0').slice(0, 12)}`;

export function fakeAzure(s: Scenario): AzureProbe {
  const registries: RegistryFacts[] = s.azure.registries.map((r) => ({
    id: registryId(s, r.name),
    name: r.name,
    loginServer: `${r.name}.azurecr.io`,
    sku: r.sku,
    adminUserEnabled: r.adminUserEnabled,
  }));
  const clusters: ManagedClusterFacts[] = s.azure.clusters.map((c) => ({
    id: clusterId(s, c.name),
    name: c.name,
    provisioningState: c.provisioningState,
    powerState: c.powerState,
    agentPools: [{ name: 'nodepool1', count: c.nodeCount }],
    pullIdentityObjectIds: [spObjectId(c.name)],
  }));
  const assignments: RoleAssignmentFacts[] = s.azure.roleAssignments.map((a, i) => ({
    id: `${rgId(s)}/providers/Microsoft.Authorization/roleAssignments/ra-${i}`,
    scope: a.scope === 'resourceGroup' ? rgId(s) : registryId(s, a.scope),
    principalId: spObjectId(a.assignee),
    principalType: 'ServicePrincipal',
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS[a.role]}`,
    roleName: a.role,
  }));
  return {
    subscriptionId: SUB,
    resourceGroup: async () => ({ name: s.azure.resourceGroup, exists: true, id: rgId(s) }),
    managedClusters: async () => clusters,
    registries: async () => registries,
    registryCredentials: async () => ({ username: 'admin', passwords: [] }),
    roleAssignments: async () => assignments,
    clusterUserKubeconfig: async () => {
      throw new Error('not used: the kit hands the kube probe its kubeconfig');
    },
  };
}

export function fakeRegistry(s: Scenario): RegistryProbe & { calls: string[] } {
  const calls: string[] = [];
  const find = (loginServer: string) => s.azure.registries.find((r) => `${r.name}.azurecr.io` === loginServer.toLowerCase());
  return {
    calls,
    tags: async (loginServer, repository) => {
      const r = find(loginServer);
      const tags = (r?.images ?? []).filter((i) => i.startsWith(`${repository}:`)).map((i) => i.slice(repository.length + 1));
      return { repository, exists: tags.length > 0, tags, auth: 'basic-admin' };
    },
    manifestDigest: async (loginServer, repository, tag) => {
      calls.push(`${loginServer}/${repository}:${tag}`);
      const r = find(loginServer);
      return r?.images.includes(`${repository}:${tag}`) ? imageDigest(r.name, repository, tag) : undefined;
    },
  };
}

export interface SimOptions {
  allowDisruptive?: boolean;
  /** Leave Azure out (a self-check with only a kubeconfig). */
  withoutAzure?: boolean;
  httpRetryBudgetMs?: number;
  replaceDelayMs?: number;
  /** Which cluster the probe reads, as Azure chose it (its resource id names where a missing right is granted). */
  cluster?: ClusterChoice;
}

export async function startSimStudent(s: Scenario, opts: SimOptions = {}): Promise<SimStudent> {
  const ca = await (sharedCa ??= createCa());
  const world = new ClusterWorld(s, { externalIp: EXTERNAL_IP, replaceDelayMs: opts.replaceDelayMs ?? 300 });
  const token = `kube-token-${s.user}-0123456789abcdef`;
  const api = await startKubeApiServer({ world, tls: await ca.issue({ ips: ['127.0.0.1'] }), token, faults: s.faults.kube, latencyMs: s.faults.latencyMs });
  const front = await startFront({
    resolve: (hostHeader) => {
      const { host, port } = parseHostHeader(hostHeader);
      return world.externalHandler(host, port);
    },
    faultsFor: () => ({ http: s.faults.http }),
  });
  const policy = recordedPolicy({ loopbackOnly: true, connectTo: { [`${EXTERNAL_IP}:80`]: `127.0.0.1:${front.port}` } });
  const kubeconfig = kubeconfigFor({ server: api.url, caPem: ca.certPem, token, clusterName: world.clusterName });
  const kube = kubeProbe({
    kubeconfig: async () => kubeconfig,
    ...(opts.cluster ? { cluster: async () => opts.cluster! } : {}),
    namespace: 'default',
    allowDisruptive: !!opts.allowDisruptive,
    timeoutMs: 5_000,
    policy,
  });
  const http = httpProbe({
    policy,
    timeouts: { connect: 1_000, headers: 2_000, body: 2_000 },
    maxBodyBytes: 256 * 1024,
    retry: { budgetMs: opts.httpRetryBudgetMs ?? 1_000, baseDelayMs: 50 },
  });
  const probes: Probes = { kube, http, registry: fakeRegistry(s), ...(opts.withoutAzure ? {} : { azure: fakeAzure(s) }) };
  return {
    world,
    api,
    front,
    policy,
    probes,
    kube,
    kubeconfig,
    async close() {
      await Promise.all([kube.close(), http.close()]);
      await Promise.all([api.close(), front.close()]);
      world.dispose();
    },
  };
}

/** Exercises 3 and 4 as their checks report them (verdict, evidence and facts), from the fake Azure. */
export function upstreamStubs(s: Scenario): CheckDef[] {
  const azure = fakeAzure(s);
  const stub = (id: string, exercise: number, code: string, run: (R: { missing: Reason }) => CheckDef['run'], more: Partial<CheckDef> = {}) => {
    const R = reasons({ missing: [code, 'stand-in: missing'] });
    return defineCheck({ id, exercise, title: () => 'stub', points: { points: 0 }, needs: ['azure'], dependsOn: [], reasons: R, run: run(R), ...more });
  };
  return [
    stub(
      'ex3.cluster.exists',
      3,
      'LG-397',
      (R) => async () => {
        const clusters = await azure.managedClusters();
        const chosen = clusters[0];
        return chosen
          ? pass('stub', { cluster: chosen.name }, { facts: { cluster: { chosen, candidates: clusters.map((c) => c.name), reason: 'stub' } } })
          : fail(R.missing, 'no cluster', 'stub', { outcome: 'needs-fix' });
      },
      { provides: ['cluster'] },
    ),
    stub('ex3.cluster.healthy', 3, 'LG-398', (R) => async () => (s.azure.clusters[0]?.provisioningState === 'Succeeded' ? pass('stub') : fail(R.missing, 'not healthy', 'stub')), {
      dependsOn: ['ex3.cluster.exists'],
    }),
    stub(
      'ex4.registry.exists',
      4,
      'LG-499',
      (R) => async () => {
        const registries = await azure.registries();
        const chosen = registries[0];
        return chosen
          ? pass('stub', { registry: chosen.name }, { facts: { registry: { chosen, candidates: registries.map((r) => r.name), reason: 'stub' } } })
          : fail(R.missing, 'no registry', 'stub', { outcome: 'needs-fix' });
      },
      { provides: ['registry'] },
    ),
    ...(['myapp', 'myapi'] as const).map((image, i) =>
      stub(
        `ex4.image.${image}`,
        4,
        `LG-49${i}`,
        (R) => async () => (s.azure.registries[0]?.images.includes(`${image}:v1.0`) ? pass('stub') : fail(R.missing, `no ${image}:v1.0`, 'stub', { outcome: 'needs-fix' })),
        { dependsOn: ['ex4.registry.exists'] },
      ),
    ),
  ];
}

/** The catalogue the kube tests grade with: Exercise 3–4 stand-ins, then the real Exercise 5–7 checks. */
export const catalogueFor = (s: Scenario): CheckDef[] => [...upstreamStubs(s), ...ALL_CHECKS.filter((c) => c.exercise >= 5)];

export interface GradeOptions {
  sim?: SimOptions;
  only?: string[];
  engine?: EngineOptions;
  catalogue?: CheckDef[];
  /** Replace or wrap probes (a recording or flaky HTTP probe). */
  probes?: (p: Probes) => Probes;
}

/** Starts the simulated student and grades them through the engine; the caller closes `sim`. */
export async function gradeWithSim(s: Scenario, opts: GradeOptions = {}): Promise<{ sim: SimStudent; by: Record<string, CheckResult> }> {
  const sim = await startSimStudent(s, opts.sim);
  try {
    const probes = opts.probes ? opts.probes(sim.probes) : sim.probes;
    const { result } = await gradeStudent({ user: s.user, resourceGroup: s.azure.resourceGroup }, selectChecks(opts.catalogue ?? catalogueFor(s), opts.only), { probes }, loadProfile(), {
      nonce: `nonce-${s.user}`,
      checkTimeoutMs: 20_000,
      allowDisruptive: !!opts.sim?.allowDisruptive,
      ...opts.engine,
    });
    return { sim, by: Object.fromEntries(result.checks.map((c) => [c.id, c])) };
  } catch (err) {
    await sim.close();
    throw err;
  }
}
