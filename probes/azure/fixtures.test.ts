/**
 * Every ARM example of the shared fixtures (test/support/shared.ts), served as it is from a tiny local HTTPS server (sandbox
 * CA), read by the real SDK clients and mapped by the same code the probe uses.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '../../sandbox/ca.js';
import { redactText } from '../../core/redact.js';
import { createAzureClients, type AzureClients } from './clients.js';
import { clusterFacts, registryFacts, sameResourceId, scopeCovers } from './map.js';
import { azureProbe } from './probe.js';
import { sharedPath } from '../../test/support/shared.js';

const FIXTURES = sharedPath('fixtures', 'azure');
const body = (file: string, status = '200'): unknown => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')).responses[status].body;
const cred = { getToken: async () => ({ token: 'fixture-arm-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

interface Route {
  method: string;
  path: RegExp;
  answer: () => { status: number; body: unknown };
}

let server: Server;
let clients: AzureClients;
let ca: string;
const seen: string[] = [];
let agentPoolsFixture = 'containerservice/AgentPoolsList.2025-10-01.json';
let clusterListOverride: unknown;
const roleDefinitionCalls: string[] = [];

const ok = (b: unknown) => ({ status: 200, body: b });
const ROUTES: Route[] = [
  {
    method: 'GET',
    path: /^\/subscriptions\/[^/]+\/resourcegroups\/(rg1|myResourceGroup|testrg)$/i,
    answer: () => ok({ id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1', name: 'rg1', location: 'westeurope' }),
  },
  {
    method: 'GET',
    path: /^\/subscriptions\/[^/]+\/resourcegroups\/missing-rg$/i,
    answer: () => ({ status: 404, body: { error: { code: 'ResourceGroupNotFound', message: "Resource group 'missing-rg' could not be found." } } }),
  },
  {
    method: 'GET',
    path: /\/resourcegroups\/rg1\/providers\/Microsoft\.ContainerService\/managedClusters$/i,
    answer: () => ok(clusterListOverride ?? body('containerservice/ManagedClustersListByResourceGroup.2026-02-01.json')),
  },
  { method: 'GET', path: /\/managedClusters\/clustername1$/i, answer: () => ok(body('containerservice/ManagedClustersGet.2026-02-01.json')) },
  { method: 'GET', path: /\/managedClusters\/clustername1\/agentPools$/i, answer: () => ok(body(agentPoolsFixture)) },
  { method: 'POST', path: /\/managedClusters\/clustername1\/listClusterUserCredential$/i, answer: () => ok(body('containerservice/ManagedClustersListClusterUserCredentials.2026-02-01.json')) },
  { method: 'POST', path: /\/managedClusters\/clustername1\/listClusterAdminCredential$/i, answer: () => ok(body('containerservice/ManagedClustersListClusterAdminCredentials.2026-02-01.json')) },
  {
    method: 'GET',
    path: /\/resourceGroups\/myResourceGroup\/providers\/Microsoft\.ContainerRegistry\/registries$/i,
    answer: () => ok(body('containerregistry/RegistryListByResourceGroup.2025-11-01.json')),
  },
  { method: 'GET', path: /\/registries\/myRegistry$/i, answer: () => ok(body('containerregistry/RegistryGet.2025-11-01.json')) },
  { method: 'POST', path: /\/registries\/myRegistry\/listCredentials$/i, answer: () => ok(body('containerregistry/RegistryListCredentials.2025-11-01.json')) },
  {
    method: 'GET',
    path: /^\/subscriptions\/[^/]+\/resourceGroups\/testrg\/providers\/Microsoft\.Authorization\/roleAssignments$/i,
    answer: () => ok(body('authorization/RoleAssignments_ListForResourceGroup.2022-04-01.json')),
  },
  { method: 'GET', path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleAssignments$/i, answer: () => ok(body('authorization/RoleAssignments_ListForScope.2022-04-01.json')) },
  { method: 'GET', path: /\/registries\/[^/]+\/providers\/Microsoft\.Authorization\/roleAssignments$/i, answer: () => ok({ value: [] }) },
  { method: 'GET', path: /^\/subscriptions\/[^/]+\/resourceGroups\/testrg\/providers\/Microsoft\.ContainerRegistry\/registries$/i, answer: () => ok({ value: [] }) },
  {
    method: 'GET',
    path: /^\/providers\/Microsoft\.Authorization\/roleDefinitions\/0b5fe924-9a61-425c-96af-cfe6e287ca2d$/i,
    answer: () => {
      roleDefinitionCalls.push('0b5fe924');
      return ok({
        id: '/providers/Microsoft.Authorization/roleDefinitions/0b5fe924-9a61-425c-96af-cfe6e287ca2d',
        name: '0b5fe924-9a61-425c-96af-cfe6e287ca2d',
        properties: { roleName: 'Fixture Role', type: 'CustomRole' },
      });
    },
  },
];

beforeAll(async () => {
  const authority = await createCa();
  ca = authority.certPem;
  const leaf = await authority.issue({ ips: ['127.0.0.1'] });
  server = createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    seen.push(`${req.method} ${url.pathname}?${url.searchParams.toString()}`);
    if (req.headers.authorization !== 'Bearer fixture-arm-token') {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'bad token' } }));
      return;
    }
    const route = ROUTES.find((r) => r.method === req.method && r.path.test(url.pathname.replace(/\/\/+/g, '/')));
    const { status, body: b } = route ? route.answer() : { status: 404, body: { error: { code: 'NotFound', message: `no fixture for ${req.method} ${url.pathname}` } } };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  clients = createAzureClients({
    credential: cred,
    subscriptionId: '00000000-0000-0000-0000-000000000000',
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca,
    requestsPerSecond: 1000,
    maxRetries: 0,
  });
});

afterAll(async () => {
  await new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
});

const probeFor = (resourceGroup: string, subscriptionId = '00000000-0000-0000-0000-000000000000') => azureProbe({ clients, subscriptionId, resourceGroup });

describe('ARM fixtures through the real SDK clients and the probe mapping', () => {
  it('ManagedClustersListByResourceGroup: cluster facts from the flattened model', async () => {
    const [mc] = await probeFor('rg1').managedClusters();
    expect(mc).toMatchObject({
      name: 'clustername1',
      location: 'location1',
      provisioningState: 'Succeeded',
      kubernetesVersion: '1.9.6',
      fqdn: 'dnsprefix1-abcd1234.hcp.eastus.azmk8s.io',
      agentPools: [{ name: 'nodepool1', count: 3, vmSize: 'Standard_DS1_v2' }],
      servicePrincipalClientId: 'clientid',
      pullIdentityObjectIds: [],
    });
    expect(sameResourceId(mc.id, '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/RG1/providers/microsoft.containerservice/managedclusters/clustername1')).toBe(true);
    // the real client sends an api-version and reads the whole list through the pager
    expect(seen.some((s) => /managedClusters\?api-version=\d{4}-\d{2}-\d{2}/.test(s))).toBe(true);
  });

  it('ManagedClustersGet maps through the same function', async () => {
    const mc = await clients.forSubscription().containerService.managedClusters.get('rg1', 'clustername1');
    const facts = clusterFacts(mc);
    expect(facts).toMatchObject({ name: 'clustername1', provisioningState: 'Succeeded', agentPools: [{ name: 'nodepool1', count: 3 }] });
    expect(facts.agentPools.reduce((n, p) => n + p.count, 0)).toBe(3);
  });

  it.each(['containerservice/AgentPoolsList.2025-10-01.json', 'containerservice/AgentPoolsList.2026-06-01.json'])('%s: pools are read when the cluster carries none', async (file) => {
    agentPoolsFixture = file;
    const list = body('containerservice/ManagedClustersListByResourceGroup.2026-02-01.json') as { value: Array<{ properties: Record<string, unknown> }> };
    const copy = structuredClone(list);
    delete copy.value[0].properties.agentPoolProfiles;
    clusterListOverride = copy;
    try {
      const [mc] = await probeFor('rg1').managedClusters();
      expect(mc.agentPools).toEqual([{ name: 'agentpool1', count: 3, vmSize: 'Standard_DS1_v2' }]);
    } finally {
      clusterListOverride = undefined;
    }
  });

  it('a service-principal cluster pulls with its principal (resolved by object id), a managed-identity one with its kubelet identity', async () => {
    const list = structuredClone(body('containerservice/ManagedClustersListByResourceGroup.2026-02-01.json')) as { value: Array<{ properties: Record<string, unknown> }> };
    list.value[0].properties.identityProfile = { kubeletidentity: { objectId: 'AAAA-KUBELET', clientId: 'c', resourceId: '/x' } };
    clusterListOverride = list;
    try {
      const lookup = async (id: string) => (id === 'clientid' ? { objectId: 'BBBB-SP' } : { unresolved: 'unknown' });
      const probe = azureProbe({ clients, subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg1', servicePrincipalObjectId: lookup });
      const [sp] = await probe.managedClusters();
      expect(sp).toMatchObject({ identity: 'servicePrincipal', pullIdentityObjectIds: ['bbbb-sp'] });
      const denied = azureProbe({
        clients,
        subscriptionId: '00000000-0000-0000-0000-000000000000',
        resourceGroup: 'rg1',
        servicePrincipalObjectId: async () => ({ unresolved: 'Microsoft Graph refused the grader' }),
      });
      const [unresolved] = await denied.managedClusters();
      expect(unresolved).toMatchObject({ pullIdentityObjectIds: [], pullIdentityUnresolved: 'Microsoft Graph refused the grader' });
      (list.value[0].properties.servicePrincipalProfile as { clientId: string }).clientId = 'msi';
      const [managed] = await probe.managedClusters();
      expect(managed).toMatchObject({ identity: 'managed', pullIdentityObjectIds: ['aaaa-kubelet'] });
    } finally {
      clusterListOverride = undefined;
    }
  });

  it('ManagedClustersListClusterUserCredentials: the kubeconfig is decoded from base64', async () => {
    expect(await probeFor('rg1').clusterUserKubeconfig('clustername1')).toBe('credentialValue1');
  });

  it('RegistryListByResourceGroup and RegistryGet: registry facts, login server in lower case', async () => {
    const [r] = await probeFor('myResourceGroup').registries();
    expect(r).toEqual({
      id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.ContainerRegistry/registries/myRegistry',
      name: 'myRegistry',
      loginServer: 'myregistry.azurecr.io',
      sku: 'Standard',
      adminUserEnabled: false,
      provisioningState: 'Succeeded',
      roleAssignmentMode: 'LegacyRegistryPermissions',
      // ACR's creationDate (the example carries no systemData), as the SDK parsed it.
      createdAt: '2021-06-15T21:38:26.153Z',
    });
    const got = registryFacts(await clients.forSubscription().containerRegistry.registries.get('myResourceGroup', 'myRegistry'));
    expect(got).toEqual(r);
  });

  it('RegistryListCredentials: passwords are registered as secrets', async () => {
    const creds = await probeFor('myResourceGroup').registryCredentials('myRegistry');
    expect(creds.username).toBe('myRegistry');
    expect(creds.passwords).toHaveLength(2);
    expect(redactText(`password is ${creds.passwords[0]}`)).toBe('password is [redacted]');
  });

  it('RoleAssignments_ListForResourceGroup / ListForScope: assignments with role names resolved once per run', async () => {
    const probe = probeFor('testrg', 'a925f2f7-5c63-4b7b-8799-25a5f97bc3b2');
    const ras = await probe.roleAssignments();
    expect(ras).toHaveLength(2);
    expect(ras.map((r) => r.scope).sort()).toEqual(['/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2', '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/testrg']);
    for (const r of ras) expect(r).toMatchObject({ principalId: 'ce2ce14e-85d7-4629-bdbc-454d0519d987', principalType: 'User', roleName: 'Fixture Role' });
    expect(ras.every((r) => scopeCovers(r.scope, '/subscriptions/A925F2F7-5c63-4b7b-8799-25a5f97bc3b2/resourcegroups/testrg/providers/Microsoft.ContainerRegistry/registries/x'))).toBe(true);
    await probe.roleAssignments();
    expect(roleDefinitionCalls).toHaveLength(1);

    const scoped = [];
    for await (const ra of clients.forSubscription('a925f2f7-5c63-4b7b-8799-25a5f97bc3b2').authorization.roleAssignments.listForScope('subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2'))
      scoped.push(ra);
    expect(scoped).toHaveLength(1);
  });

  it('a resource group: found, and missing (not an error)', async () => {
    expect(await probeFor('rg1').resourceGroup()).toMatchObject({ exists: true, name: 'rg1', location: 'westeurope' });
    expect(await probeFor('missing-rg').resourceGroup()).toEqual({ name: 'missing-rg', exists: false });
  });

  it('a refused token is a ProbeError naming the action and the scope', async () => {
    const bad = createAzureClients({
      credential: { getToken: async () => ({ token: 'wrong', expiresOnTimestamp: Date.now() + 60_000 }) },
      subscriptionId: 's',
      endpoint: clients.endpoint,
      ca,
      maxRetries: 0,
    });
    const err = await azureProbe({ clients: bad, subscriptionId: 's', resourceGroup: 'rg1' })
      .registries()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ProbeError', probe: 'azure' });
    expect((err as Error).message).toMatch(
      /401 InvalidAuthenticationToken.*Microsoft\.ContainerRegistry\/registries\/read|Microsoft\.ContainerRegistry\/registries\/read.*401 InvalidAuthenticationToken/,
    );
    expect((err as Error).message).not.toContain('wrong');
  });
});
