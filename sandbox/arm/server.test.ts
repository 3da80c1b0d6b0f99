/**
 * The fake ARM against the real Azure SDK clients, changed only in endpoint, credential and CA.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch } from 'undici';
import type { TokenCredential } from '@azure/core-auth';
import { isRestError, type RestError } from '@azure/core-rest-pipeline';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { createCa } from '../ca.js';
import type { ScenarioAzure, ScenarioFaults } from '../scenario.js';
import { adminCredentials } from '../registry/credentials.js';
import { clusterIdentity, pullingObjectId, registryId, resourceGroupId, type ManagedClusterIdentities, type ServicePrincipalClusterIdentity } from './ids.js';
import { BUILT_IN_ROLES } from './roles.js';
import { SANDBOX_TENANT, STATIC_CALLER, startArm, type ArmServer, type ArmStudent } from './server.js';
import { createAzureClients } from '../../probes/azure/clients.js';
import { azureProbe } from '../../probes/azure/probe.js';
import { staticTokenCredential } from '../../probes/azure/token.js';
import { Secret } from '../../core/secret.js';
import { ProbeError } from '../../probes/types.js';
import { sharedPath } from '../../test/support/shared.js';
import { quietFor, until } from '../../test/support/until.js';

const SUB = '6c1f2b8e-93a4-4d52-8e0f-1a2b3c4d5e6f';
const TOKEN = 'sandbox-arm-token';
/** How long the sandbox holds each page of labuser19's endless list. */
const PAGE_DELAY_MS = 150;
const NO_FAULTS: ScenarioFaults = { latencyMs: 0, vm: null, arm: null, kube: null, registry: null, http: null };

function student(user: string, azure: Partial<ScenarioAzure> = {}, faults: Partial<ScenarioFaults> = {}): ArmStudent {
  return { user, azure: { resourceGroup: `${user}-rg`, clusters: [], registries: [], roleAssignments: [], ...azure }, faults: { ...NO_FAULTS, ...faults } };
}
const aks = (name: string, extra = {}) => ({ name, provisioningState: 'Succeeded', powerState: 'Running', nodeCount: 3, ...extra });
const acr = (name: string, extra = {}) => ({ name, sku: 'Basic', adminUserEnabled: true, images: ['myapp:v1.0'], ...extra });

const STUDENTS: ArmStudent[] = [
  student('labuser07', {
    clusters: [aks('aks07')],
    registries: [acr('labuser07acr')],
    roleAssignments: [
      { role: 'Reader', assignee: 'aks07', scope: 'labuser07acr' },
      { role: 'AcrPull', assignee: 'aks07', scope: 'resourceGroup' },
    ],
  }),
  student('labuser08', { clusters: [aks('aks08', { provisioningState: 'Creating', nodeCount: 2 })], registries: [acr('labuser08acr', { adminUserEnabled: false, sku: 'Standard' })] }),
  student('labuser09', { clusters: [aks('aks09')] }, { arm: 'throttle' }),
  student('labuser10', { clusters: [aks('aks10')] }, { arm: 'error500' }),
  student('labuser11', {}, { arm: 'hang' }),
  student('labuser12', { clusters: [aks('aks12')] }, { latencyMs: 300 }),
  student('labuser13'),
  student('labuser14', { registries: [acr('labuser14acr', { listCredentials: 'forbidden' }), acr('labuser14off', { listCredentials: 'forbidden', adminUserEnabled: false })] }),
  student('labuser16', {
    clusters: [aks('aks16', { identity: 'servicePrincipal' })],
    registries: [acr('labuser16acr')],
    roleAssignments: [{ role: 'AcrPull', assignee: 'aks16', scope: 'labuser16acr' }],
  }),
  student('labuser15', {
    clusters: [aks('aks15')],
    registries: [acr('labuser15acr', { roleAssignmentMode: 'AbacRepositoryPermissions' })],
    roleAssignments: [
      { role: 'Container Registry Repository Reader', assignee: 'aks15', scope: 'labuser15acr' },
      { role: 'Container Registry Repository Writer', assignee: 'aks15', scope: 'labuser15acr', repositories: ['myapp', 'team/'] },
    ],
  }),
  student('labuser18', { clusters: [aks('aks18')], registries: [acr('labuser18acr')], roleAssignments: [{ role: 'AcrPull', assignee: 'aks18', scope: 'labuser18acr' }] }, { arm: 'endless-pages' }),
  student('labuser19', { clusters: [aks('aks19')] }, { arm: 'endless-pages', latencyMs: PAGE_DELAY_MS }),
  // Created in the order listed: the second of each is the newer, and the first by name.
  student('labuser17', { clusters: [aks('aks17-zz'), aks('aks17-aa')], registries: [acr('labuser17zz'), acr('labuser17aa')] }),
];

const kubeconfigFor = (user: string, cluster: string) =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: ${cluster}\n  cluster: {server: "https://${cluster}.example:443"}\nusers:\n- name: clusterUser_${user}\n  user: {token: t-${user}}\n`;
const fixture = (path: string) => (JSON.parse(readFileSync(sharedPath('fixtures', 'azure', path), 'utf8')) as { responses: { 200: { body: Record<string, unknown> } } }).responses[200].body;
const keys = (o: unknown) => Object.keys(o as object).sort();

describe('fake ARM with the Azure SDK clients', () => {
  let arm: ArmServer;
  let ca: string;
  let agent: Agent;
  const credential = (token = TOKEN): TokenCredential => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600e3 }) });
  const clients = (opts: { token?: string; maxRetries?: number } = {}) => {
    const common = { endpoint: arm.url, tlsOptions: { ca }, retryOptions: { maxRetries: opts.maxRetries ?? 3 } };
    return {
      aks: new ContainerServiceClient(credential(opts.token), SUB, common),
      acr: new ContainerRegistryManagementClient(credential(opts.token), SUB, common),
      authz: new AuthorizationManagementClient(credential(opts.token), SUB, common),
    };
  };
  const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };
  const raw = async (path: string, init: { method?: string; token?: string | null } = {}) => {
    const res = await fetch(arm.url + path, { method: init.method ?? 'GET', headers: init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKEN}` }, dispatcher: agent });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> & { properties?: Record<string, unknown>; value?: Array<Record<string, unknown>> } };
  };
  const restError = async (p: Promise<unknown>): Promise<RestError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    // isRestError, not instanceof: arm-authorization loads the CommonJS build of core-rest-pipeline
    expect(isRestError(err), String(err)).toBe(true);
    return err as RestError;
  };

  beforeAll(async () => {
    const sandboxCa = await createCa();
    ca = sandboxCa.certPem;
    agent = new Agent({ connect: { ca } });
    arm = await startArm({ tls: await sandboxCa.issue({ ips: ['127.0.0.1'] }), token: TOKEN, subscriptionId: SUB, students: STUDENTS, kubeconfigFor });
  });
  afterAll(async () => {
    await arm?.close();
    await agent?.close();
  });

  it('lists and gets managed clusters, with the fields the grader reads', async () => {
    const { aks: c } = clients();
    const list = await collect(c.managedClusters.listByResourceGroup('labuser07-rg'));
    expect(list.map((x) => x.name)).toEqual(['aks07']);
    const mc = await c.managedClusters.get('LABUSER07-RG', 'AKS07'); // ARM matches names case-insensitively
    const id = clusterIdentity(SUB, 'labuser07-rg', 'aks07') as ManagedClusterIdentities;
    expect(mc).toMatchObject({ name: 'aks07', provisioningState: 'Succeeded', powerState: { code: 'Running' }, servicePrincipalProfile: { clientId: 'msi' }, enableRbac: true });
    expect(mc.identityProfile?.['kubeletidentity']).toMatchObject({ objectId: id.kubelet.objectId, clientId: id.kubelet.clientId });
    expect(mc.agentPoolProfiles?.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(3);
    expect(mc.fqdn).toMatch(/^aks07-labuser07-rg-6c1f2b-[0-9a-f]{8}\.hcp\.westeurope\.azmk8s\.io$/);
    expect(mc.kubernetesVersion).toMatch(/^1\.\d+\.\d+$/);
    // AKS writes "resourcegroups": equal to the resource group's id only without case
    expect(mc.id).not.toContain(resourceGroupId(SUB, 'labuser07-rg'));
    expect(mc.id!.toLowerCase().startsWith(resourceGroupId(SUB, 'labuser07-rg').toLowerCase() + '/')).toBe(true);
    const creating = await c.managedClusters.get('labuser08-rg', 'aks08');
    expect([creating.provisioningState, creating.agentPoolProfiles?.[0].count]).toEqual(['Creating', 2]);
  });

  it('shows a cluster with managed identities or with a service principal, never both, as the real client reads them', async () => {
    const { aks: c, authz } = clients();
    const msi = await c.managedClusters.get('labuser07-rg', 'aks07');
    const ids = clusterIdentity(SUB, 'labuser07-rg', 'aks07') as ManagedClusterIdentities;
    expect(msi.identity).toEqual({ type: 'SystemAssigned', principalId: ids.principalId, tenantId: SANDBOX_TENANT });
    expect(msi.servicePrincipalProfile).toEqual({ clientId: 'msi' });
    expect(msi.identityProfile?.['kubeletidentity']).toEqual({ resourceId: ids.kubelet.resourceId, clientId: ids.kubelet.clientId, objectId: ids.kubelet.objectId });
    expect(ids.kubelet.objectId).not.toBe(ids.principalId); // the kubelet identity is a principal of its own

    const sp = await c.managedClusters.get('labuser16-rg', 'aks16');
    const spIds = clusterIdentity(SUB, 'labuser16-rg', 'aks16', 'servicePrincipal') as ServicePrincipalClusterIdentity;
    expect(sp.servicePrincipalProfile).toEqual({ clientId: spIds.appId });
    expect(sp.identity).toBeUndefined();
    expect(sp.identityProfile).toBeUndefined();
    expect(JSON.stringify((await raw(`/subscriptions/${SUB}/resourceGroups/labuser16-rg/providers/Microsoft.ContainerService/managedClusters/aks16?api-version=2026-04-01`)).json)).not.toContain(
      spIds.objectId,
    );

    // role assignments name the pulling identity: the kubelet identity, or the service principal's object id
    const [msiGrant] = await collect(authz.roleAssignments.listForResourceGroup('labuser07-rg', { filter: "principalId eq '" + ids.kubelet.objectId + "'" }));
    expect(msiGrant.principalId).toBe(ids.kubelet.objectId);
    const [spGrant] = await collect(authz.roleAssignments.listForScope(registryId(SUB, 'labuser16-rg', 'labuser16acr'), { filter: 'atScope()' }));
    expect(spGrant.principalId).toBe(spIds.objectId);
  });

  it('lists agent pools and hands out the user kubeconfig', async () => {
    const { aks: c } = clients();
    const pools = await collect(c.agentPools.list('labuser08-rg', 'aks08'));
    expect(pools.map((p) => [p.name, p.count, p.mode])).toEqual([['nodepool1', 2, 'System']]);
    const creds = await c.managedClusters.listClusterUserCredentials('labuser07-rg', 'aks07');
    expect(creds.kubeconfigs?.map((k) => k.name)).toEqual(['clusterUser']);
    expect(Buffer.from(creds.kubeconfigs![0].value!).toString('utf8')).toBe(kubeconfigFor('labuser07', 'aks07'));
  });

  it('lists and gets registries and their admin credentials; refuses them when the admin user is disabled', async () => {
    const { acr: c } = clients();
    const list = await collect(c.registries.listByResourceGroup('labuser07-rg'));
    expect(list.map((r) => [r.name, r.loginServer, r.sku.name, r.sku.tier, r.adminUserEnabled, r.provisioningState])).toEqual([
      ['labuser07acr', 'labuser07acr.azurecr.io', 'Basic', 'Basic', true, 'Succeeded'],
    ]);
    const other = await c.registries.get('labuser08-rg', 'labuser08acr');
    expect([other.sku.name, other.adminUserEnabled]).toEqual(['Standard', false]);
    const creds = await c.registries.listCredentials('labuser07-rg', 'labuser07acr');
    const expected = adminCredentials('labuser07acr');
    expect(creds.username).toBe('labuser07acr');
    expect(creds.passwords?.map((p) => [p.name, p.value])).toEqual([
      ['password', expected.passwords[0]],
      ['password2', expected.passwords[1]],
    ]);
    const disabled = await restError(c.registries.listCredentials('labuser08-rg', 'labuser08acr'));
    expect([disabled.statusCode, disabled.code]).toEqual([400, 'AdminUserDisabled']);
  });

  it('refuses listCredentials with 403 AuthorizationFailed when the grader may not read them, before looking at the admin user', async () => {
    const { acr: c } = clients({ maxRetries: 0 });
    const enabled = await c.registries.get('labuser14-rg', 'labuser14acr');
    expect(enabled.adminUserEnabled).toBe(true);
    for (const name of ['labuser14acr', 'labuser14off']) {
      const err = await restError(c.registries.listCredentials('labuser14-rg', name));
      expect([err.statusCode, err.code]).toEqual([403, 'AuthorizationFailed']);
      expect(err.message).toBe(
        `The client '${STATIC_CALLER.appId}' with object id '${STATIC_CALLER.objectId}' does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/listCredentials/action' over scope '${registryId(SUB, 'labuser14-rg', name)}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
  });

  it('shows the registry role assignment mode as the real client maps it (absent before api-version 2025-11-01) and resolves the ABAC repository roles by GUID', async () => {
    const { acr: c, authz } = clients();
    expect((await c.registries.get('labuser15-rg', 'labuser15acr')).roleAssignmentMode).toBe('AbacRepositoryPermissions');
    expect((await c.registries.get('labuser07-rg', 'labuser07acr')).roleAssignmentMode).toBe('LegacyRegistryPermissions');
    const old = await raw(`/subscriptions/${SUB}/resourceGroups/labuser15-rg/providers/Microsoft.ContainerRegistry/registries/labuser15acr?api-version=2025-04-01`);
    expect(old.json.properties).not.toHaveProperty('roleAssignmentMode');
    const [ra, limited] = await collect(authz.roleAssignments.listForScope(registryId(SUB, 'labuser15-rg', 'labuser15acr'), { filter: 'atScope()' }));
    expect(ra.roleDefinitionId).toBe(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b93aa761-3e63-49ed-ac28-beffa264f7ac`);
    expect([ra.condition, ra.conditionVersion]).toEqual([undefined, undefined]);
    // A repository condition comes back as the portal writes it, on one line, with its version.
    expect([limited.condition, limited.conditionVersion]).toEqual([
      "( (  !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})  AND  !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'}) ) OR  (  @Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase 'myapp' OR @Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase 'team/' ))",
      '2.0',
    ]);
    const def = await authz.roleDefinitions.getById(ra.roleDefinitionId!.replace(/^\//, ''));
    expect([def.roleName, def.roleType, def.permissions?.[0].dataActions]).toEqual([
      'Container Registry Repository Reader',
      'BuiltInRole',
      ['Microsoft.ContainerRegistry/registries/repositories/content/read', 'Microsoft.ContainerRegistry/registries/repositories/metadata/read'],
    ]);
    for (const [name, guid] of [
      ['Container Registry Repository Writer', '2a1e307c-b015-4ebd-883e-5b7698a07328'],
      ['Container Registry Repository Contributor', '2efddaa5-3f1f-4df3-97df-af3f13818f4c'],
    ]) {
      expect((await authz.roleDefinitions.get(`/subscriptions/${SUB}`, guid)).roleName).toBe(name);
      expect((await collect(authz.roleDefinitions.list('/', { filter: `roleName eq '${name}'` }))).map((d) => d.name)).toEqual([guid]);
    }
  });

  it('lists the subscription and every resource group as ARM does, so a self-check can discover them', async () => {
    // Keys of Subscriptions_List (resources/Microsoft.Resources/subscriptions/stable/2019-11-01/examples/GetSubscriptions.json), tags aside,
    // and of ResourceGroupListResult / ResourceGroup (resources.json, 2021-04-01): id, name, type, location, properties.provisioningState.
    const subs = await raw('/subscriptions?api-version=2022-12-01');
    expect(subs.status).toBe(200);
    expect(keys(subs.json)).toEqual(['value']);
    expect(keys(subs.json.value![0])).toEqual(['authorizationSource', 'displayName', 'id', 'managedByTenants', 'state', 'subscriptionId', 'subscriptionPolicies', 'tenantId']);
    expect(subs.json.value![0]).toMatchObject({ id: `/subscriptions/${SUB}`, subscriptionId: SUB, state: 'Enabled', tenantId: SANDBOX_TENANT });
    expect(keys(subs.json.value![0].subscriptionPolicies)).toEqual(['locationPlacementId', 'quotaId', 'spendingLimit']);
    expect((await raw(`/subscriptions/${SUB}?api-version=2022-12-01`)).json).toEqual(subs.json.value![0]);
    const groups = await raw(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`);
    expect(groups.status).toBe(200);
    expect(groups.json.value!.map((g) => g.name)).toEqual(STUDENTS.map((s) => s.azure.resourceGroup));
    expect(groups.json.value![0]).toEqual({
      id: resourceGroupId(SUB, 'labuser07-rg'),
      name: 'labuser07-rg',
      type: 'Microsoft.Resources/resourceGroups',
      location: 'westeurope',
      properties: { provisioningState: 'Succeeded' },
    });
    expect((await raw('/subscriptions?api-version=2022-12-01', { token: 'wrong' })).status).toBe(401);
    expect((await raw('/subscriptions')).status).toBe(400);
  });

  it('lists role assignments at a scope (atScope, principalId) and resolves role names', async () => {
    const { authz: c } = clients();
    const acrId = registryId(SUB, 'labuser07-rg', 'labuser07acr');
    const rgId = resourceGroupId(SUB, 'labuser07-rg');
    const principal = pullingObjectId(clusterIdentity(SUB, 'labuser07-rg', 'aks07'));
    const roleOf = (id: string | undefined) => Object.entries(BUILT_IN_ROLES).find(([, r]) => id?.endsWith('/' + r.guid))?.[0];

    const onRegistry = await collect(c.roleAssignments.listForScope(acrId, { filter: 'atScope()' }));
    expect(onRegistry.map((ra) => [roleOf(ra.roleDefinitionId), ra.scope, ra.principalId, ra.principalType]).sort()).toEqual([
      ['AcrPull', rgId, principal, 'ServicePrincipal'],
      ['Reader', acrId, principal, 'ServicePrincipal'],
    ]);
    const atRg = await collect(c.roleAssignments.listForScope(rgId, { filter: 'atScope()' }));
    expect(atRg.map((ra) => roleOf(ra.roleDefinitionId))).toEqual(['AcrPull']);
    expect((await collect(c.roleAssignments.listForScope(rgId))).length).toBe(2); // no filter: below the scope too
    expect((await collect(c.roleAssignments.listForResourceGroup('labuser07-rg', { filter: `principalId eq '${principal}'` }))).length).toBe(2);
    expect((await collect(c.roleAssignments.listForScope(rgId, { filter: "principalId eq '00000000-0000-0000-0000-000000000000'" }))).length).toBe(0);
    expect(await collect(c.roleAssignments.listForScope(resourceGroupId(SUB, 'labuser08-rg'), { filter: 'atScope()' }))).toEqual([]);

    const reader = onRegistry.find((ra) => roleOf(ra.roleDefinitionId) === 'Reader')!;
    expect((await c.roleDefinitions.getById(reader.roleDefinitionId!.replace(/^\//, ''))).roleName).toBe('Reader');
    expect((await c.roleDefinitions.get(acrId, BUILT_IN_ROLES.AcrPull.guid)).roleName).toBe('AcrPull');
    const missing = await restError(c.roleDefinitions.get('/', '11111111-1111-4111-8111-111111111111'));
    expect([missing.statusCode, missing.code]).toEqual([404, 'RoleDefinitionDoesNotExist']);
  });

  it('answers ARM errors for missing resource groups and resources', async () => {
    const { aks: c, acr: r } = clients();
    const rg = await restError(collect(c.managedClusters.listByResourceGroup('nobody-rg')));
    expect([rg.statusCode, rg.code]).toEqual([404, 'ResourceGroupNotFound']);
    const mc = await restError(c.managedClusters.get('labuser07-rg', 'aks99'));
    expect([mc.statusCode, mc.code]).toEqual([404, 'ResourceNotFound']);
    const reg = await restError(r.registries.get('labuser13-rg', 'none'));
    expect([reg.statusCode, reg.code]).toEqual([404, 'ResourceNotFound']);
    expect(await collect(c.managedClusters.listByResourceGroup('labuser13-rg'))).toEqual([]);
    const unknown = await raw('/subscriptions/' + SUB + '/resourcegroups/labuser07-rg/providers/Microsoft.Web/sites?api-version=2023-01-01');
    expect([unknown.status, (unknown.json.error as { code: string }).code]).toEqual([404, 'NotFound']);
    const noVersion = await raw('/subscriptions/' + SUB + '/resourcegroups/labuser07-rg');
    expect(noVersion.status).toBe(400);
    expect((await raw(`/subscriptions/${SUB}/resourceGroups/labuser07-rg?api-version=2021-04-01`)).json).toMatchObject({ name: 'labuser07-rg', id: resourceGroupId(SUB, 'labuser07-rg') });
  });

  it('refuses a wrong or missing token with 401', async () => {
    const { aks: c } = clients({ token: 'wrong', maxRetries: 0 });
    const err = await restError(c.managedClusters.get('labuser07-rg', 'aks07'));
    expect([err.statusCode, err.code]).toEqual([401, 'InvalidAuthenticationToken']);
    const missing = await raw(`/subscriptions/${SUB}/resourceGroups/labuser07-rg?api-version=2021-04-01`, { token: null });
    expect([missing.status, (missing.json.error as { code: string }).code]).toEqual([401, 'AuthenticationFailed']);
  });

  it('throttles a student with 429 + Retry-After: 1 three times; the SDK retry honours it and succeeds', async () => {
    const { aks: c } = clients();
    const t0 = Date.now();
    const mc = await c.managedClusters.get('labuser09-rg', 'aks09');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(mc.name).toBe('aks09');
    expect(arm.requests.filter((r) => r.user === 'labuser09').map((r) => r.status)).toEqual([429, 429, 429, 200]);
    // only that student is throttled
    const t1 = Date.now();
    await c.managedClusters.get('labuser07-rg', 'aks07');
    expect(Date.now() - t1).toBeLessThan(1000);
  });

  it('fails a student with 500 (error500) and delays one by latencyMs', async () => {
    const err = await restError(clients({ maxRetries: 0 }).aks.managedClusters.get('labuser10-rg', 'aks10'));
    expect([err.statusCode, err.code]).toEqual([500, 'InternalServerError']);
    const t0 = Date.now();
    await clients().aks.managedClusters.get('labuser12-rg', 'aks12');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  describe('endless-pages: every list names a next page, without end', () => {
    const probeOf = (rg: string, signal?: AbortSignal) =>
      azureProbe({
        clients: createAzureClients({ credential: staticTokenCredential(new Secret(TOKEN, 'ARM token')), subscriptionId: SUB, endpoint: arm.url, ca, retryDelayMs: 10 }),
        subscriptionId: SUB,
        resourceGroup: rg,
        ...(signal ? { signal } : {}),
      });
    const clusterLists = (user: string) => arm.requests.filter((r) => r.user === user && /\/managedClusters\?/i.test(r.url)).length;

    it('the SDK pages on: the first page holds the list, every later one is empty and links the next', async () => {
      const pages: Array<[string[], string | undefined]> = [];
      for await (const page of clients().aks.managedClusters.listByResourceGroup('labuser18-rg').byPage()) {
        pages.push([page.map((c) => c.name ?? ''), new URL(page.continuationToken!).searchParams.get('$skiptoken') ?? undefined]);
        if (pages.length === 4) break;
      }
      expect(pages).toEqual([
        [['aks18'], '1'],
        [[], '2'],
        [[], '3'],
        [[], '4'],
      ]);
    });

    it('the probe asks for at most 10 pages of a list, then says ARM kept paging: an error, never the partial list', async () => {
      const before = clusterLists('labuser18');
      const probe = probeOf('labuser18-rg');
      for (const read of [() => probe.managedClusters(), () => probe.registries(), () => probe.roleAssignments()]) {
        const err = await read().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ProbeError);
        expect((err as ProbeError).message).toMatch(/^ARM kept paging the (clusters|registries|role assignments) of \/subscriptions\/.*: still a next page after 10 pages/);
      }
      expect(clusterLists('labuser18') - before).toBe(10);
    });

    it("no page is asked for once the probe's signal fires (the student's grading is over)", async () => {
      const over = new AbortController();
      const listing = probeOf('labuser19-rg', over.signal)
        .managedClusters()
        .then(
          () => 'listed',
          () => 'stopped',
        );
      await until('two pages asked for', () => clusterLists('labuser19') >= 2);
      over.abort(new Error("labuser19's grading is over"));
      // the page in flight has already arrived; none after it
      const asked = clusterLists('labuser19');
      expect(await listing).toBe('stopped');
      // A page asked after the abort would reach ARM within a page's delay; three of them is room for a busy machine.
      await quietFor(3 * PAGE_DELAY_MS);
      expect(clusterLists('labuser19')).toBe(asked);
    });
  });

  it('never answers a hanging student, and close() still ends the request', async () => {
    const sandboxCa = await createCa();
    const own = await startArm({ tls: await sandboxCa.issue({ ips: ['127.0.0.1'] }), token: TOKEN, subscriptionId: SUB, students: STUDENTS, kubeconfigFor });
    const a = new Agent({ connect: { ca: sandboxCa.certPem } });
    const pending = fetch(`${own.url}/subscriptions/${SUB}/resourceGroups/labuser11-rg?api-version=2021-04-01`, { headers: { authorization: `Bearer ${TOKEN}` }, dispatcher: a }).then(
      () => 'answered',
      () => 'ended',
    );
    await until('the request to arrive', () => own.requests.length > 0);
    expect(own.requests.map((r) => [r.user, r.status])).toEqual([['labuser11', 0]]);
    const t0 = Date.now();
    await own.close();
    expect(await pending).toBe('ended');
    expect(Date.now() - t0).toBeLessThan(1000);
    await a.close();
  });

  it("says when each cluster and registry was created, in the order listed, where real ARM says it (AKS: only in the group's resource list)", async () => {
    const list = (query: string) => raw(`/subscriptions/${SUB}/resourceGroups/labuser17-rg/resources?api-version=2021-04-01${query}`);
    const clusterType = encodeURIComponent("resourceType eq 'Microsoft.ContainerService/managedClusters'");
    // As ARM filters late: the first filtered page is empty, its nextLink leads to the items.
    const first = await list(`&$filter=${clusterType}&$expand=createdTime`);
    expect(first.json.value).toEqual([]);
    const nextLink = new URL(first.json.nextLink as string);
    expect(nextLink.origin).toBe(arm.url);
    const expanded = await raw(nextLink.pathname + nextLink.search);
    expect(expanded.json.nextLink).toBeUndefined();
    expect(expanded.json.value!.map((r) => r.name)).toEqual(['aks17-zz', 'aks17-aa']);
    const [older, newer] = expanded.json.value!.map((r) => Date.parse(r.createdTime as string));
    expect(newer).toBeGreaterThan(older);
    expect((await list('')).json.value!.map((r) => [r.type, 'createdTime' in r])).toEqual([
      ['Microsoft.ContainerService/managedClusters', false],
      ['Microsoft.ContainerService/managedClusters', false],
      ['Microsoft.ContainerRegistry/registries', false],
      ['Microsoft.ContainerRegistry/registries', false],
    ]);
    expect(await list(`&$filter=${encodeURIComponent("name eq 'aks17-zz'")}`)).toMatchObject({ status: 400, json: { error: { code: 'InvalidFilterInQueryString' } } });
    const { aks: c, acr } = clients();
    expect((await c.managedClusters.get('labuser17-rg', 'aks17-zz')).systemData).toBeUndefined();
    const registries = await collect(acr.registries.listByResourceGroup('labuser17-rg'));
    expect(registries.map((r) => [r.name, r.creationDate?.getTime() === r.systemData?.createdAt?.getTime(), r.systemData?.createdByType])).toEqual([
      ['labuser17zz', true, 'User'],
      ['labuser17aa', true, 'User'],
    ]);
    expect(registries[1].creationDate!.getTime()).toBeGreaterThan(registries[0].creationDate!.getTime());
  });

  it('the probe reads the creation times: of clusters only when there are several (one list call), of registries always', async () => {
    const probeOf = (rg: string) =>
      azureProbe({
        clients: createAzureClients({ credential: staticTokenCredential(new Secret(TOKEN, 'ARM token')), subscriptionId: SUB, endpoint: arm.url, ca, retryDelayMs: 10 }),
        subscriptionId: SUB,
        resourceGroup: rg,
      });
    const two = probeOf('labuser17-rg');
    const clusters = await two.managedClusters();
    expect(clusters.map((x) => x.name)).toEqual(['aks17-zz', 'aks17-aa']);
    expect(Date.parse(clusters[1].createdAt!)).toBeGreaterThan(Date.parse(clusters[0].createdAt!));
    const registries = await two.registries();
    expect(Date.parse(registries[1].createdAt!)).toBeGreaterThan(Date.parse(registries[0].createdAt!));
    const listedFor = (user: string) => arm.requests.filter((r) => r.user === user && /\/resources\?/.test(r.url)).length;
    expect(listedFor('labuser17')).toBeGreaterThan(0);
    const [only] = await probeOf('labuser07-rg').managedClusters();
    expect(only.createdAt).toBeUndefined();
    expect(listedFor('labuser07')).toBe(0);
  });

  it('shapes clusters, pools, registries, credentials and role assignments like the fixtures', async () => {
    const base = `/subscriptions/${SUB}/resourceGroups/labuser07-rg/providers`;
    const v = '?api-version=2025-11-01';
    // fixture keys a student's lab resources do not have, and keys the fixtures lack that ARM does send and the grader reads
    const pairs: Array<[string, unknown, { missing?: string[]; extra?: string[]; propsMissing?: string[]; propsExtra?: string[] }]> = [
      [
        `${base}/Microsoft.ContainerService/managedClusters/aks07${v}`,
        fixture('containerservice/ManagedClustersGet.2026-02-01.json'),
        { missing: ['tags'], extra: ['identity'], propsMissing: ['diskEncryptionSetID', 'upgradeSettings'], propsExtra: ['identityProfile', 'powerState'] },
      ],
      [
        `${base}/Microsoft.ContainerService/managedClusters${v}`,
        (fixture('containerservice/ManagedClustersListByResourceGroup.2026-02-01.json').value as unknown[])[0],
        { missing: ['tags'], extra: ['eTag', 'identity'], propsMissing: ['diskEncryptionSetID'], propsExtra: ['azurePortalFQDN', 'identityProfile', 'powerState'] },
      ],
      [
        `${base}/Microsoft.ContainerService/managedClusters/aks07/agentPools${v}`,
        (fixture('containerservice/AgentPoolsList.2026-06-01.json').value as unknown[])[0],
        { extra: ['type'], propsExtra: ['enableAutoScaling', 'enableNodePublicIP', 'kubeletDiskType', 'mode', 'osDiskSizeGB', 'osDiskType', 'osSKU', 'powerState', 'type', 'upgradeSettings'] },
      ],
      // Real ACR answers carry systemData (the examples leave it out); AKS's carry `systemData: null`.
      [`${base}/Microsoft.ContainerRegistry/registries/labuser07acr${v}`, fixture('containerregistry/RegistryGet.2025-11-01.json'), { extra: ['systemData'] }],
      [`${base}/Microsoft.ContainerRegistry/registries${v}`, (fixture('containerregistry/RegistryListByResourceGroup.2025-11-01.json').value as unknown[])[0], { extra: ['systemData'] }],
      [`${base}/Microsoft.Authorization/roleAssignments${v}`, (fixture('authorization/RoleAssignments_ListForResourceGroup.2022-04-01.json').value as unknown[])[0], {}],
    ];
    for (const [path, fx, diff] of pairs) {
      const got = await raw(path);
      expect(got.status, path).toBe(200);
      const item = (got.json.value ? got.json.value[0] : got.json) as Record<string, unknown>;
      const f = fx as Record<string, unknown>;
      expect(keys(item), path).toEqual([...keys(f).filter((k) => !diff.missing?.includes(k)), ...(diff.extra ?? [])].sort());
      expect(keys(item.properties), path).toEqual([...keys(f.properties).filter((k) => !diff.propsMissing?.includes(k)), ...(diff.propsExtra ?? [])].sort());
    }
    for (const [path, fx] of [
      [`${base}/Microsoft.ContainerRegistry/registries/labuser07acr/listCredentials${v}`, fixture('containerregistry/RegistryListCredentials.2025-11-01.json')],
      [`${base}/Microsoft.ContainerService/managedClusters/aks07/listClusterUserCredential${v}`, fixture('containerservice/ManagedClustersListClusterUserCredentials.2026-02-01.json')],
    ] as const) {
      const got = await raw(path, { method: 'POST' });
      expect(
        JSON.stringify(got.json, (_k, val: unknown) => (typeof val === 'string' ? '' : val)),
        path,
      ).toBe(JSON.stringify(fx, (_k, val: unknown) => (typeof val === 'string' ? '' : val)));
    }
  });

  it('starts for a class of 30 in about a second at most and takes a new class', async () => {
    const sandboxCa = await createCa();
    const tls = await sandboxCa.issue({ ips: ['127.0.0.1'] });
    const t0 = performance.now();
    const many = Array.from({ length: 30 }, (_, i) =>
      student(`s${i}`, { clusters: [aks(`aks${i}`)], registries: [acr(`s${i}acr`)], roleAssignments: [{ role: 'AcrPull', assignee: `aks${i}`, scope: `s${i}acr` }] }),
    );
    const own = await startArm({ tls, token: TOKEN, subscriptionId: SUB, students: many, kubeconfigFor });
    // A server or a key pair per student would take several seconds.
    expect(performance.now() - t0).toBeLessThan(1_500);
    own.setStudents([student('late', { clusters: [aks('aks-late')] })]);
    const a = new Agent({ connect: { ca: sandboxCa.certPem } });
    const get = (rg: string) =>
      fetch(`${own.url}/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters?api-version=2026-04-01`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        dispatcher: a,
      });
    expect((await get('late-rg')).status).toBe(200);
    expect((await get('s1-rg')).status).toBe(404);
    await own.close();
    await a.close();
  });
});
