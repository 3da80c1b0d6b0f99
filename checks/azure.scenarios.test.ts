/**
 * Exercises 3-4 graded through the engine against the fake ARM and the registry stand-in, one simulated
 * student per scenario file in fixtures/scenarios/azure (and the ex3/ex4 verdicts of the built-in class):
 * the probes are the real ones, wired as the CLI wires them (shared ARM clients, admin credentials from
 * listCredentials, the Entra token for /oauth2/exchange).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '../sandbox/ca.js';
import { startArm, type ArmServer } from '../sandbox/arm/server.js';
import { startRegistry, type RegistryServer } from '../sandbox/registry/server.js';
import { loginServer } from '../sandbox/registry/credentials.js';
import { imageDigest } from '../sandbox/images.js';
import { loadScenarios, parseScenario, type Scenario } from '../sandbox/scenario.js';
import { gradeStudent } from '../core/engine.js';
import { loadProfile } from '../core/profile.js';
import { Secret } from '../core/secret.js';
import type { CheckResult, StudentResult } from '../core/model.js';
import { NetworkPolicy } from '../probes/net.js';
import { createAzureClients, type AzureClients } from '../probes/azure/clients.js';
import { scopeCovers } from '../probes/azure/map.js';
import { azureProbe } from '../probes/azure/probe.js';
import { staticTokenCredential } from '../probes/azure/token.js';
import { adminCredentialsFrom, registryProbe, type ClosableRegistryProbe } from '../probes/registry/index.js';
import { startSandbox, SANDBOX_SUBSCRIPTION } from '../sandbox/lab.js';
import { createRuntime } from '../probes/environment.js';
import { CHECK_IDS } from './index.js';
import { checksOf } from '../test/support/profile.js';
import { mismatches } from '../test/support/expectations.js';

const SUB = '6a2b9c1e-0d4f-4e3a-9b7c-5d8e1f2a3b4c';
const ARM_TOKEN = 'sandbox-arm-token-for-ex3-ex4-tests';
const AAD_TOKEN = 'sandbox-entra-token-for-registry-exchange';
const CATALOGUE = checksOf(3, 4);
const IDS = CATALOGUE.report;

const own = loadScenarios(['fixtures/scenarios/azure'], CHECK_IDS);
/** The built-in class, file by file: a file that does not load fails its own test, and the others are still graded. */
const builtInFiles = readdirSync('fixtures/scenarios')
  .filter((n) => /\.ya?ml$/.test(n))
  .sort();
const builtInLoaded = builtInFiles.map((n) => {
  try {
    return { file: n, scenario: loadScenarios([join('fixtures/scenarios', n)], CHECK_IDS)[0] };
  } catch (err) {
    return { file: n, error: err instanceof Error ? err.message : String(err) };
  }
});
/**
 * A repository whose tag list runs past the 20 pages the registry probe reads (a pipeline tagging every
 * build): at ACR's 100 tags a page, v1.0 comes after 2,100 build tags, on page 22.
 */
const BUILD_TAGS = Array.from({ length: 2_100 }, (_, i) => `myapp:build-${String(i).padStart(4, '0')}`);
const manyTags = (user: string, myappV1: boolean) =>
  parseScenario(
    {
      user,
      description: `myapp has ${BUILD_TAGS.length} build tags${myappV1 ? ' before v1.0' : ' and no v1.0'}`,
      expect: { 'ex4.registry.exists': 'pass', 'ex4.image.myapp': myappV1 ? 'pass' : 'fail LG-423', 'ex4.image.myapi': 'pass' },
      azure: {
        clusters: [{ name: `aks-${user}` }],
        registries: [{ name: `${user.replace(/-/g, '')}acr`, adminUserEnabled: true, images: [...BUILD_TAGS, ...(myappV1 ? ['myapp:v1.0'] : []), 'myapi:v1.0'] }],
      },
    },
    `${user} (generated)`,
    CHECK_IDS,
  );
const manyTagsStudents = [manyTags('az-many-tags', true), manyTags('az-many-tags-no-v1', false)];
const builtIn = builtInLoaded.flatMap((b) => (b.scenario && Object.keys(b.scenario.expect).some((id) => IDS.has(id)) ? [b.scenario] : []));
const profile = loadProfile();

let arm: ArmServer;
let registry: RegistryServer;
let ca: string;
let clients: AzureClients;
let policy: NetworkPolicy;
const registryProbes: ClosableRegistryProbe[] = [];

function probesFor(s: Pick<Scenario, 'azure'>, c: AzureClients = clients, resourceGroup = s.azure.resourceGroup) {
  const azure = azureProbe({ clients: c, subscriptionId: SUB, resourceGroup });
  const reg = registryProbe({ policy, ca, credentialsFor: adminCredentialsFrom(azure), aadToken: async () => AAD_TOKEN, timeoutMs: 5_000 });
  registryProbes.push(reg);
  return { azure, registry: reg };
}

async function grade(s: Scenario, c?: AzureClients): Promise<StudentResult> {
  const { result } = await gradeStudent({ user: s.user, resourceGroup: s.azure.resourceGroup, subscriptionId: SUB }, CATALOGUE, { probes: probesFor(s, c) }, profile);
  return result;
}

const by = (r: StudentResult): Record<string, CheckResult> => Object.fromEntries(r.checks.map((c) => [c.id, c]));
const verdicts = (r: StudentResult, ids: Iterable<string>) => Object.fromEntries([...ids].map((id) => [id, by(r)[id]?.status]));
const expected = (s: Scenario) => Object.fromEntries(Object.entries(s.expect).filter(([id]) => IDS.has(id)));

beforeAll(async () => {
  const authority = await createCa();
  ca = authority.certPem;
  const [armLeaf, acrLeaf] = await Promise.all([authority.issue({ ips: ['127.0.0.1'] }), authority.issue({ dns: ['*.azurecr.io'] })]);
  const students = [...own, ...builtIn, ...manyTagsStudents];
  [arm, registry] = await Promise.all([
    startArm({ tls: armLeaf, token: ARM_TOKEN, subscriptionId: SUB, students, kubeconfigFor: () => 'apiVersion: v1\nkind: Config\n' }),
    startRegistry({
      tls: acrLeaf,
      aadToken: AAD_TOKEN,
      registries: students.flatMap((s) => s.azure.registries.map((r) => ({ ...r, user: s.user, faults: s.faults }))),
    }),
  ]);
  const connectTo = Object.fromEntries(students.flatMap((s) => s.azure.registries.map((r) => [`${loginServer(r.name)}:443`, `127.0.0.1:${registry.port}`])));
  policy = new NetworkPolicy({ connectTo, loopbackOnly: true });
  // Test speed: retries back off from 50 ms; the class-wide limit stays on, generous.
  clients = createAzureClients({ credential: staticTokenCredential(new Secret(ARM_TOKEN, 'ARM token')), subscriptionId: SUB, endpoint: arm.url, ca, requestsPerSecond: 200, retryDelayMs: 50 });
});

afterAll(async () => {
  await Promise.all(registryProbes.map((p) => p.close()));
  await Promise.all([arm?.close(), registry?.close()]);
});

describe('Exercises 3-4 through the engine (fixtures/scenarios/azure)', () => {
  it.each(own.map((s) => [s.user, s] as const))('%s: the verdicts the scenario expects', async (_user, s) => {
    const t0 = Date.now();
    const result = await grade(s);
    expect(verdicts(result, Object.keys(expected(s)))).toEqual(expected(s));
    expect(mismatches(s, result.checks, IDS)).toEqual([]);
    if (s.faults.arm === 'throttle') {
      // graded correctly, only slower: the 429s' Retry-After (1 s) was waited out
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
      expect(arm.requests.filter((q) => q.user === s.user && q.status === 429).length).toBeGreaterThanOrEqual(3);
      expect(result.status).toBe('graded');
    }
  });

  it.each(builtIn.map((s) => [s.user, s] as const))('built-in class, %s: the ex3/ex4 verdicts its scenario expects', async (_user, s) => {
    const result = await grade(s);
    expect(verdicts(result, Object.keys(expected(s)))).toEqual(expected(s));
    expect(mismatches(s, result.checks, IDS)).toEqual([]);
  });

  for (const b of builtInLoaded.filter((x) => x.error))
    it(`built-in class, ${b.file} loads`, () => {
      throw new Error(b.error);
    });
});

describe('what the verdicts say', () => {
  const scenario = (user: string) => own.find((s) => s.user === user)!;

  it('a correct student: evidence names the cluster, the registry, the tags, the digest and the auth mode', async () => {
    const r = by(await grade(scenario('az-correct')));
    expect(r['ex3.cluster.exists'].evidence).toMatchObject({ cluster: 'aks-correct', candidates: ['aks-correct'] });
    expect(String(r['ex3.cluster.exists'].evidence.clusterId).toLowerCase()).toBe(
      `/subscriptions/${SUB}/resourcegroups/az-correct-rg/providers/microsoft.containerservice/managedclusters/aks-correct`,
    );
    expect(r['ex4.registry.exists'].evidence).toMatchObject({
      registry: 'azcorrectacr',
      loginServer: 'azcorrectacr.azurecr.io',
      sku: 'Basic',
      candidates: ['azcorrectacr'],
    });
    expect(String(r['ex4.registry.exists'].evidence.registryId)).toMatch(/\/registries\/azcorrectacr$/);
    expect(r['ex4.image.myapp'].evidence).toMatchObject({ tagsSeen: ['v1.0'], digest: imageDigest('azcorrectacr', 'myapp', 'v1.0'), auth: 'basic-admin' });
    expect(r['ex3.cluster.nodes'].evidence).toMatchObject({ total: 3, readyNodes: null });
    expect(JSON.stringify(Object.values(r))).not.toContain(registry.adminCredentials('azcorrectacr').password);
  });

  it('Creating: "wait and re-run", not final', async () => {
    const c = by(await grade(scenario('az-creating')))['ex3.cluster.healthy'];
    expect(c.message).toBe('cluster aks-creating is still Creating: wait and re-run');
    expect(c.hint).toContain('az aks show --name aks-creating --resource-group az-creating-rg');
  });

  it('Stopped: az aks start', async () => {
    const c = by(await grade(scenario('az-stopped')))['ex3.cluster.healthy'];
    expect(c.message).toBe('cluster aks-stopped is Stopped, not Running');
    expect(c.hint).toContain('az aks start --name aks-stopped --resource-group az-stopped-rg');
  });

  it('one node: says how many and how to scale', async () => {
    const c = by(await grade(scenario('az-one-node')))['ex3.cluster.nodes'];
    expect(c.message).toBe('the agent pools add up to 1 node(s) (nodepool1: 1), the lab wants 3');
    expect(c.hint).toContain('az aks scale --name aks-one --resource-group az-one-node-rg --node-count 3');
  });

  it('no registry: names the resource group and the az acr create command', async () => {
    const c = by(await grade(scenario('az-no-registry')))['ex4.registry.exists'];
    expect(c.message).toBe('no container registry in resource group az-no-registry-rg');
    expect(c.hint).toContain('az acr create --name <registry name> --resource-group az-no-registry-rg --sku basic');
  });

  it('Premium: passes with a note', async () => {
    const c = by(await grade(scenario('az-premium')))['ex4.registry.exists'];
    expect(c.message).toContain("its SKU is Premium, not the lab's Basic");
    expect(c.evidence.sku).toBe('Premium');
  });

  it('admin disabled: the admin check fails with the fix, the tags are still read through the exchange', async () => {
    const r = by(await grade(scenario('az-admin-off')));
    expect(r['ex4.registry.admin'].hint).toContain('az acr update -n azadminoffacr -g az-admin-off-rg --admin-enabled true');
    expect(r['ex4.image.myapp'].evidence).toMatchObject({ auth: 'entra-exchange', tagsSeen: ['v1.0'] });
  });

  it('missing myapi:v1.0: shows the tags seen and the push commands', async () => {
    const c = by(await grade(scenario('az-no-myapi')))['ex4.image.myapi'];
    expect(c.message).toBe('aznomyapiacr.azurecr.io/myapi has tag(s) latest but not v1.0');
    expect(c.hint).toContain('export REGISTRY="aznomyapiacr.azurecr.io/"');
    expect(c.hint).toContain('export TAG="v1.0"');
    expect(c.hint).toContain('docker-compose push');
  });

  it.each(manyTagsStudents.map((s) => [s.user, s] as const))('%s: a tag beyond the pages the probe lists is asked for directly; the verdict is the right one', async (_user, s) => {
    const result = await grade(s);
    expect(verdicts(result, Object.keys(expected(s)))).toEqual(expected(s));
    expect(mismatches(s, result.checks, IDS)).toEqual([]);
    const myapp = by(result)['ex4.image.myapp'];
    expect(myapp.evidence).toMatchObject({ tagsTruncated: true });
    // 20 pages of the list and one HEAD of the tag's manifest, each once (the check and the discovery share them)
    const asked = registry.requests.filter((q) => q.user === s.user && q.url.startsWith('/v2/myapp/')).map((q) => `${q.method} ${q.url.split('?')[0]}`);
    expect(asked.filter((q) => q === 'GET /v2/myapp/tags/list')).toHaveLength(20);
    expect(asked.filter((q) => q === 'HEAD /v2/myapp/manifests/v1.0')).toHaveLength(1);
  });

  it('two registries: the one holding the images is chosen, and the evidence says why', async () => {
    const c = by(await grade(scenario('az-two-registries')))['ex4.registry.exists'];
    expect(c.evidence).toMatchObject({ registry: 'aztworegacr', candidates: ['aatworegtypo', 'aztworegacr'], reason: 'it holds the expected images (2 of 2)' });
  });

  it('ARM 500s: error, the student is incomplete, the message says to re-run', async () => {
    const result = await grade(scenario('az-arm-500'));
    expect(result.status).toBe('incomplete');
    expect(by(result)['ex3.cluster.exists'].message).toMatch(/^ARM answered 500 InternalServerError to .* re-run this student later$/);
  });

  it('the registry refuses: error naming the registry and the auth mode', async () => {
    const result = await grade(scenario('az-registry-refuses'));
    expect(result.status).toBe('incomplete');
    expect(by(result)['ex4.image.myapp'].message).toMatch(/^registry azregrefusesacr\.azurecr\.io refused the grader .*\(401 UNAUTHORIZED\).*auth mode bearer-admin/);
  });

  it('wrong ARM credentials: error with a clear message, the token never shown', async () => {
    const wrong = createAzureClients({ credential: staticTokenCredential(new Secret('not-the-arm-token-xyz')), subscriptionId: SUB, endpoint: arm.url, ca, maxRetries: 0 });
    const result = await grade(scenario('az-correct'), wrong);
    expect(result.status).toBe('incomplete');
    const c = by(result)['ex3.cluster.exists'];
    expect(c.status).toBe('error');
    expect(c.message).toMatch(
      /^ARM did not accept the credentials of the grader's identity for Microsoft\.Resources\/subscriptions\/resourceGroups\/read on \/subscriptions\/.+\/resourceGroups\/az-correct-rg \(401 InvalidAuthenticationToken\): check the grader's Azure credential/,
    );
    expect(JSON.stringify(result)).not.toContain('not-the-arm-token-xyz');
  });

  it("role assignments for ex5: a Reader on the registry names the cluster's pull identity, with the role resolved", async () => {
    const s = builtIn.find((b) => b.azure.roleAssignments.some((a) => a.role === 'Reader' && a.scope !== 'resourceGroup'));
    expect(s?.user, 'the first built-in scenario with a Reader assignment on its registry').toBe('labuser01');
    const azure = azureProbe({ clients, subscriptionId: SUB, resourceGroup: s!.azure.resourceGroup });
    const [cluster] = await azure.managedClusters();
    const [reg] = await azure.registries();
    const ras = await azure.roleAssignments();
    const pull = ras.find((ra) => cluster.pullIdentityObjectIds.includes(ra.principalId) && scopeCovers(ra.scope, reg.id));
    expect(pull).toMatchObject({ roleName: 'Reader' });
    expect(cluster.pullIdentityObjectIds.length).toBeGreaterThan(0);
  });

  it('a resource group that does not exist: fail "resource group X not found", with a hint', async () => {
    const s = scenario('az-correct');
    const { result } = await gradeStudent({ user: 'typo', resourceGroup: 'az-corect-rg' }, CATALOGUE, { probes: probesFor(s, clients, 'az-corect-rg') }, profile);
    const c = by(result)['ex3.cluster.exists'];
    expect(c).toMatchObject({ status: 'fail', message: 'resource group az-corect-rg not found' });
    expect(c.hint).toContain('az group show --name az-corect-rg');
    expect(result.status).toBe('graded');
  });
});

describe('Exercises 3-4 through the simulated lab and the class runtime (sandbox/lab.ts, probes/environment.ts)', () => {
  it('every scenario of fixtures/scenarios/azure gets the verdicts it expects, Ready nodes counted through Kubernetes', async () => {
    const sandbox = await startSandbox(own);
    const runtime = createRuntime(sandbox.config, { profile, allowDisruptive: false, allowExecCredentials: false });
    try {
      for (const s of own) {
        const target = { user: s.user, resourceGroup: s.azure.resourceGroup, subscriptionId: SANDBOX_SUBSCRIPTION };
        const env = await runtime.openEnvironment(target);
        try {
          const { result } = await gradeStudent(target, CATALOGUE, env, profile);
          expect({ user: s.user, ...verdicts(result, Object.keys(expected(s))) }).toEqual({ user: s.user, ...expected(s) });
          const nodes = by(result)['ex3.cluster.nodes'];
          if (s.user === 'az-correct') expect(nodes.evidence).toMatchObject({ total: 3, readyNodes: 3 });
          for (const secret of sandbox.secrets()) expect(JSON.stringify(result)).not.toContain(secret);
        } finally {
          await env.close();
        }
      }
    } finally {
      await sandbox.stop();
    }
  }, 120_000);
});
