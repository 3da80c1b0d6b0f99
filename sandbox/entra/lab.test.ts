/**
 * The simulated lab's directory end to end: the grader signs in as a service principal (the class
 * config's `credential: servicePrincipal`, a real ClientSecretCredential), and every service accepts
 * only tokens for its own audience: ARM, Microsoft Graph, ACR's token exchange and the API servers
 * of Entra-integrated clusters (real kubectl with --token). Graph resolves a cluster's service
 * principal from its application id, or refuses when the grader may not read it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { RestError } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/core-auth';
import { Agent, fetch } from 'undici';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassConfig } from '../../core/config.js';
import { credentialFor } from '../../probes/azure/token.js';
import { NetworkPolicy } from '../../probes/net.js';
import { clusterIdentity, type ServicePrincipalClusterIdentity } from '../arm/ids.js';
import { startSandbox, SANDBOX_SUBSCRIPTION, type Sandbox } from '../lab.js';
import { parseScenario } from '../scenario.js';
import { TokenSigner } from './tokens.js';

const run = promisify(execFile);
const ARM = 'https://management.azure.com/.default';
const GRAPH = 'https://graph.microsoft.com/.default';
const AKS = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const ACR = 'https://containerregistry.azure.net/.default';

describe('the simulated directory', () => {
  let sandbox: Sandbox;
  let agent: Agent;
  const home = mkdtempSync(join(tmpdir(), 'lab-grade-entra-'));
  const graderCredential = () => credentialFor(sandbox.config.azure!, sandbox.caPem);
  const token = async (scope: string, credential: TokenCredential = graderCredential()) => (await credential.getToken(scope))!.token;
  const get = async (url: string, bearer?: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(url, { method: init.method ?? 'GET', body: init.body, headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...init.headers }, dispatcher: agent });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  /** A kubeconfig with only the cluster of the student's (kubectl gets the token on its command line). */
  const clusterOnly = (user: string): string => {
    const kc = parse(sandbox.kubeconfig(user));
    const cluster = kc.clusters[0].cluster as { server: string; 'certificate-authority-data': string };
    const file = join(home, `${user}-cluster-only.yaml`);
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster.server}\n    certificate-authority-data: ${cluster['certificate-authority-data']}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
    );
    return file;
  };
  const kubectlAs = (user: string, bearer: string, args: string[]) =>
    run('kubectl', ['--kubeconfig', clusterOnly(user), '--cache-dir', join(home, 'cache'), '--token', bearer, ...args], { env: { ...process.env, HOME: home }, timeout: 30_000 }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '', err: e.stderr ?? '' }),
    );

  const armClients = () => {
    const common = { endpoint: sandbox.config.azure!.endpoint, tlsOptions: { ca: sandbox.caPem }, retryOptions: { maxRetries: 0 } };
    return {
      aks: new ContainerServiceClient(graderCredential(), SANDBOX_SUBSCRIPTION, common as ConstructorParameters<typeof ContainerServiceClient>[2]),
      acr: new ContainerRegistryManagementClient(graderCredential(), SANDBOX_SUBSCRIPTION, common as ConstructorParameters<typeof ContainerRegistryManagementClient>[2]),
      authz: new AuthorizationManagementClient(graderCredential(), SANDBOX_SUBSCRIPTION, common as ConstructorParameters<typeof AuthorizationManagementClient>[2]),
    };
  };
  /** curl, reaching a registry's login server through the sandbox's connect-to map. */
  const curl = async (url: string, args: string[] = []) => {
    const host = new URL(url).host;
    const caFile = join(home, 'ca.pem');
    const target = sandbox.config.network.connectTo[`${host}:443`];
    const r = await run('curl', ['-sS', '--cacert', caFile, '--connect-to', `${host}:443:${target}`, '-D', '-', ...args, url], { timeout: 30_000 });
    const [head, ...body] = r.stdout.split(/\r?\n\r?\n/);
    return { status: Number(/^HTTP\/\S+ (\d+)/.exec(head)?.[1]), head, body: body.join('\n\n') };
  };
  /** What the Entra exchange, the token endpoint and a tag listing answer a token, step by step as `az acr login` and docker go. */
  const registryAs = async (registry: string, aadToken: string) => {
    const server = `${registry}.azurecr.io`;
    const form = (fields: Record<string, string>) => ['--data', new URLSearchParams(fields).toString()];
    const exchange = await curl(`https://${server}/oauth2/exchange`, form({ grant_type: 'access_token', service: server, access_token: aadToken }));
    const refresh = JSON.parse(exchange.body).refresh_token as string;
    const issued = await curl(`https://${server}/oauth2/token`, form({ grant_type: 'refresh_token', service: server, scope: 'repository:myapp:pull', refresh_token: refresh }));
    const access = JSON.parse(issued.body).access_token as string;
    const tags = await curl(`https://${server}/v2/myapp/tags/list`, ['-H', `Authorization: Bearer ${access}`]);
    const claims = JSON.parse(Buffer.from(access.split('.')[1], 'base64url').toString('utf8')) as { access: unknown[] };
    return { exchange: exchange.status, token: issued.status, access: claims.access, tags: { ...tags, challenge: /^www-authenticate:.*$/im.exec(tags.head)?.[0] ?? '' } };
  };

  beforeAll(async () => {
    sandbox = await startSandbox([
      parseScenario(
        {
          user: 'entrauser',
          azure: {
            clusters: [{ name: 'aks-entra', entra: true }],
            registries: [{ name: 'entrauseracr', images: ['myapp:v1.0'] }],
          },
        },
        'entrauser.yaml',
      ),
      parseScenario({ user: 'spuser', azure: { clusters: [{ name: 'aks-sp', identity: 'servicePrincipal' }] } }, 'spuser.yaml'),
      // The grader's own rights: no ClusterRoleBinding for it; Azure RBAC with RBAC Reader and no pull
      // role; an ABAC registry where its AcrPull does not count and no Cluster User role.
      parseScenario({ user: 'unbounduser', azure: { clusters: [{ name: 'aks-unbound', entra: true, kubernetesReaders: [] }] } }, 'unbounduser.yaml'),
      parseScenario(
        {
          user: 'azrbacuser',
          azure: {
            clusters: [{ name: 'aks-azrbac', entra: true, azureRbac: true, kubernetesReaders: [] }],
            registries: [{ name: 'azrbacuseracr', adminUserEnabled: true, images: ['myapp:v1.0'] }],
            roleAssignments: [
              { role: 'Reader', assignee: 'grader', scope: 'resourceGroup' },
              { role: 'Azure Kubernetes Service Cluster User Role', assignee: 'grader', scope: 'aks-azrbac' },
              { role: 'Azure Kubernetes Service RBAC Reader', assignee: 'grader', scope: 'aks-azrbac' },
            ],
          },
        },
        'azrbacuser.yaml',
      ),
      parseScenario(
        {
          user: 'abacuser',
          azure: {
            clusters: [{ name: 'aks-abac', entra: true }],
            registries: [{ name: 'abacuseracr', adminUserEnabled: true, images: ['myapp:v1.0'], roleAssignmentMode: 'AbacRepositoryPermissions' }],
            roleAssignments: [
              { role: 'Reader', assignee: 'grader', scope: 'resourceGroup' },
              { role: 'AcrPull', assignee: 'grader', scope: 'resourceGroup' },
            ],
          },
        },
        'abacuser.yaml',
      ),
      parseScenario({ user: 'nographuser', azure: { graph: 'forbidden', clusters: [{ name: 'aks-ng', identity: 'servicePrincipal' }] } }, 'nographuser.yaml'),
    ]);
    writeFileSync(join(home, 'ca.pem'), sandbox.caPem);
    agent = new NetworkPolicy({ connectTo: sandbox.config.network.connectTo, loopbackOnly: true }).dispatcher({ ca: sandbox.caPem }) as Agent;
  });
  afterAll(async () => {
    await agent?.close();
    await sandbox?.stop();
  });

  it("the class config's servicePrincipal credential signs in at the directory and reads ARM with the real client", async () => {
    const dir = mkdtempSync(join(home, 'config-'));
    writeFileSync(join(dir, 'secret'), sandbox.config.azure!.servicePrincipal!.clientSecret.reveal());
    writeFileSync(join(dir, 'ca.pem'), sandbox.caPem);
    const file = join(dir, 'lab-grade.yaml');
    writeFileSync(
      file,
      [
        'roster: [entrauser]',
        'resourceGroup: "{user}-rg"',
        'azure:',
        `  subscription: ${SANDBOX_SUBSCRIPTION}`,
        `  endpoint: ${sandbox.config.azure!.endpoint}`,
        '  credential: servicePrincipal',
        `  tenant: ${sandbox.entra.tenantId}`,
        `  clientId: ${sandbox.entra.clientId}`,
        '  clientSecret: { file: secret }',
        `  authorityHost: ${sandbox.entra.url}`,
        'tls: { caFile: ca.pem }',
      ].join('\n'),
    );
    const config = loadClassConfig(file);
    const credential = credentialFor(config.azure!, config.caPem);
    const aks = new ContainerServiceClient(credential, SANDBOX_SUBSCRIPTION, {
      endpoint: config.azure!.endpoint,
      tlsOptions: { ca: sandbox.caPem },
      retryOptions: { maxRetries: 0 },
    } as ConstructorParameters<typeof ContainerServiceClient>[2]);
    const mc = await aks.managedClusters.get('entrauser-rg', 'aks-entra');
    expect(mc.aadProfile).toMatchObject({ managed: true, tenantID: sandbox.entra.tenantId });
    expect(mc.disableLocalAccounts).toBe(true);
    expect(sandbox.config.azure).toMatchObject({
      credential: 'servicePrincipal',
      servicePrincipal: { tenantId: sandbox.entra.tenantId, clientId: sandbox.entra.clientId, authorityHost: sandbox.entra.url },
    });
  });

  it('ARM accepts only ARM-audience tokens of the directory', async () => {
    const url = `${sandbox.config.azure!.endpoint}/subscriptions/${SANDBOX_SUBSCRIPTION}/resourcegroups?api-version=2021-04-01`;
    expect((await get(url, await token(ARM))).status).toBe(200);
    expect((await get(url, await token(`${sandbox.config.azure!.endpoint}/.default`))).status).toBe(200);
    const graphToken = await get(url, await token(GRAPH));
    expect([graphToken.status, graphToken.json.error.code]).toEqual([401, 'InvalidAuthenticationTokenAudience']);
    expect(graphToken.json.error.message).toMatch(
      /^The access token has been obtained for wrong audience or resource 'https:\/\/graph\.microsoft\.com'\. It should exactly match with one of the allowed audiences 'https:\/\/management\.core\.windows\.net\/'/,
    );
    const forged = new TokenSigner(sandbox.entra.tenantId).issue({ clientId: sandbox.entra.clientId, objectId: sandbox.entra.objectId }, 'https://management.azure.com', 3600).token;
    expect((await get(url, forged)).json.error.code).toBe('InvalidAuthenticationToken');
  });

  it("Graph answers a service principal's object id from its application id, only for Graph-audience tokens", async () => {
    const sp = clusterIdentity(SANDBOX_SUBSCRIPTION, 'spuser-rg', 'aks-sp', 'servicePrincipal') as ServicePrincipalClusterIdentity;
    const graphToken = await token(GRAPH);
    const byKey = await get(`${sandbox.graph.url}/v1.0/servicePrincipals(appId='${sp.appId}')`, graphToken);
    expect([byKey.status, byKey.json.id, byKey.json.appId, byKey.json.servicePrincipalType]).toEqual([200, sp.objectId, sp.appId, 'Application']);
    const byFilter = await get(`${sandbox.graph.url}/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${sp.appId}'`)}`, graphToken);
    expect(byFilter.json.value.map((v: { id: string }) => v.id)).toEqual([sp.objectId]);
    const missing = await get(`${sandbox.graph.url}/v1.0/servicePrincipals(appId='00000000-1111-4222-8333-444444444444')`, graphToken);
    expect([missing.status, missing.json.error.code]).toEqual([404, 'Request_ResourceNotFound']);
    const withArm = await get(`${sandbox.graph.url}/v1.0/servicePrincipals(appId='${sp.appId}')`, await token(ARM));
    expect([withArm.status, withArm.json.error.code, withArm.json.error.message]).toEqual([401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.']);
    const other = clusterIdentity(SANDBOX_SUBSCRIPTION, 'nographuser-rg', 'aks-ng', 'servicePrincipal') as ServicePrincipalClusterIdentity;
    const denied = await get(`${sandbox.graph.url}/v1.0/servicePrincipals(appId='${other.appId}')`, graphToken);
    expect([denied.status, denied.json.error.code, denied.json.error.message]).toEqual([403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.']);
  });

  it("ACR's /oauth2/exchange takes ARM- and ACR-audience tokens, not Graph's or AKS's", async () => {
    const exchange = async (scope: string) =>
      (
        await get('https://entrauseracr.azurecr.io/oauth2/exchange', undefined, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'access_token', service: 'entrauseracr.azurecr.io', access_token: await token(scope) }).toString(),
        })
      ).status;
    expect([await exchange(ARM), await exchange(ACR), await exchange(GRAPH), await exchange(AKS)]).toEqual([200, 200, 401, 401]);
  });

  it('an Entra-integrated cluster hands out a kubelogin exec kubeconfig and its API server takes only tokens for the AKS server application', async () => {
    const aks = new ContainerServiceClient(graderCredential(), SANDBOX_SUBSCRIPTION, {
      endpoint: sandbox.config.azure!.endpoint,
      tlsOptions: { ca: sandbox.caPem },
      retryOptions: { maxRetries: 0 },
    } as ConstructorParameters<typeof ContainerServiceClient>[2]);
    const creds = await aks.managedClusters.listClusterUserCredentials('entrauser-rg', 'aks-entra');
    const kc = parse(Buffer.from(creds.kubeconfigs![0].value!).toString('utf8'));
    expect(kc.users).toEqual([
      {
        name: 'clusterUser_entrauser-rg_aks-entra',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            args: [
              'get-token',
              '--environment',
              'AzurePublicCloud',
              '--server-id',
              '6dae42f8-4368-4678-94ff-3960e28e3630',
              '--client-id',
              '80faf920-1908-4b52-b5ef-a8e7bedfc67a',
              '--tenant-id',
              sandbox.entra.tenantId,
              '--login',
              'devicecode',
            ],
            command: 'kubelogin',
            env: null,
            installHint: '\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\nTo learn more, please go to https://aka.ms/aks/kubelogin\n',
            provideClusterInfo: false,
          },
        },
      },
    ]);
    // kubectl with the cluster of that kubeconfig and a bearer token on the command line
    const kubectl = (bearer: string) => kubectlAs('entrauser', bearer, ['get', 'nodes', '-o', 'name']);
    const ok = await kubectl(await token(AKS));
    expect([ok.code, ok.out.trim().split('\n')]).toEqual([0, expect.arrayContaining([expect.stringMatching(/^node\//)])]);
    for (const wrong of [
      await token(ARM),
      await token(GRAPH),
      new TokenSigner(sandbox.entra.tenantId).issue({ clientId: sandbox.entra.clientId, objectId: sandbox.entra.objectId }, '6dae42f8-4368-4678-94ff-3960e28e3630', 3600).token,
    ]) {
      const refused = await kubectl(wrong);
      expect([refused.code, refused.err]).toEqual([1, expect.stringMatching(/You must be logged in to the server \(Unauthorized\)/)]);
    }
  });

  describe("the grader's own rights", () => {
    const forbiddenList = (resource: string, where: string, azure = false) =>
      `Error from server (Forbidden): ${resource} is forbidden: User "${sandbox.entra.objectId}" cannot list resource "${resource}" in API group "" ${where}${azure ? ': User does not have access to the resource in Azure. Update role assignment to allow access.' : ''}`;

    it('kubectl: without a ClusterRoleBinding the Entra token is accepted, discovery answers and every list is forbidden with a Status object', async () => {
      const aksToken = await token(AKS);
      const version = await kubectlAs('unbounduser', aksToken, ['version', '-o', 'json']);
      expect([version.code, JSON.parse(version.out).serverVersion.major]).toEqual([0, '1']);
      const pods = await kubectlAs('unbounduser', aksToken, ['get', 'pods']);
      expect([pods.code, pods.err.trim()]).toEqual([1, forbiddenList('pods', 'in the namespace "default"')]);
      const server = parse(sandbox.kubeconfig('unbounduser')).clusters[0].cluster.server as string;
      const raw = await get(`${server}/api/v1/namespaces/default/pods`, aksToken);
      expect([raw.status, raw.json]).toEqual([
        403,
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `pods is forbidden: User "${sandbox.entra.objectId}" cannot list resource "pods" in API group "" in the namespace "default"`,
          reason: 'Forbidden',
          details: { kind: 'pods' },
          code: 403,
        },
      ]);
    });

    it('kubectl: with Azure RBAC, RBAC Reader lists Deployments but not Secrets or nodes, and the webhook says why', async () => {
      const aksToken = await token(AKS);
      const deployments = await kubectlAs('azrbacuser', aksToken, ['get', 'deployments', '-o', 'name']);
      expect(deployments.code).toBe(0);
      const secrets = await kubectlAs('azrbacuser', aksToken, ['get', 'secrets']);
      expect([secrets.code, secrets.err.trim()]).toEqual([1, forbiddenList('secrets', 'in the namespace "default"', true)]);
      const nodes = await kubectlAs('azrbacuser', aksToken, ['get', 'nodes']);
      expect([nodes.code, nodes.err.trim()]).toEqual([1, forbiddenList('nodes', 'at the cluster scope', true)]);
      // the default grader (its class config's rights) reads them
      expect((await kubectlAs('entrauser', aksToken, ['get', 'secrets', '-o', 'name'])).code).toBe(0);
    });

    it('ARM: the grader without Contributor may not list admin credentials, without the Cluster User role no user kubeconfig; the grader is named in role assignments', async () => {
      const { aks, acr, authz } = armClients();
      const refusal = (call: Promise<unknown>) =>
        call.then(
          () => 'answered',
          (e: RestError) => [e.statusCode, e.code],
        );
      expect(await refusal(acr.registries.listCredentials('azrbacuser-rg', 'azrbacuseracr'))).toEqual([403, 'AuthorizationFailed']);
      expect(await refusal(acr.registries.listCredentials('entrauser-rg', 'entrauseracr'))).toEqual([400, 'AdminUserDisabled']); // may ask; its admin user is off
      expect(await refusal(aks.managedClusters.listClusterUserCredentials('abacuser-rg', 'aks-abac'))).toEqual([403, 'AuthorizationFailed']);
      expect((await aks.managedClusters.listClusterUserCredentials('azrbacuser-rg', 'aks-azrbac')).kubeconfigs).toHaveLength(1);
      expect((await aks.managedClusters.get('azrbacuser-rg', 'aks-azrbac')).aadProfile).toMatchObject({ managed: true, enableAzureRbac: true });
      const assigned: Array<{ principalId?: string; scope?: string }> = [];
      for await (const a of authz.roleAssignments.listForResourceGroup('azrbacuser-rg')) assigned.push(a);
      expect(assigned.filter((a) => a.principalId === sandbox.entra.objectId).map((a) => a.scope?.split('/').pop())).toEqual(['azrbacuser-rg', 'aks-azrbac', 'aks-azrbac']);
    });

    it('curl: the token exchange works without a pull right, the access token carries no access and the registry answers 401 insufficient_scope', async () => {
      const armToken = await token(ARM);
      // ABAC registry: the grader's AcrPull does not count; legacy registry: its Reader on the group pulls; by default it holds a pull right
      const [abac, legacy, byDefault] = await Promise.all([registryAs('abacuseracr', armToken), registryAs('azrbacuseracr', armToken), registryAs('entrauseracr', armToken)]);
      expect([abac.exchange, abac.token, abac.access, abac.tags.status]).toEqual([200, 200, [], 401]);
      expect(abac.tags.challenge).toBe(
        'www-authenticate: Bearer realm="https://abacuseracr.azurecr.io/oauth2/token",service="abacuseracr.azurecr.io",scope="repository:myapp:pull",error="insufficient_scope"',
      );
      expect(JSON.parse(abac.tags.body).errors.map((e: { code: string }) => e.code)).toEqual(['UNAUTHORIZED']);
      for (const allowed of [legacy, byDefault]) {
        expect([allowed.access, allowed.tags.status, JSON.parse(allowed.tags.body).tags]).toEqual([[{ type: 'repository', name: 'myapp', actions: ['pull'] }], 200, ['v1.0']]);
      }
    });
  });
});
