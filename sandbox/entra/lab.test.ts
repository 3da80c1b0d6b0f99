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
      parseScenario({ user: 'nographuser', azure: { graph: 'forbidden', clusters: [{ name: 'aks-ng', identity: 'servicePrincipal' }] } }, 'nographuser.yaml'),
    ]);
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
    const cluster = kc.clusters[0].cluster as { server: string; 'certificate-authority-data': string };
    const file = join(home, 'cluster-only.yaml');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster.server}\n    certificate-authority-data: ${cluster['certificate-authority-data']}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
    );
    const kubectl = (bearer: string) =>
      run('kubectl', ['--kubeconfig', file, '--cache-dir', join(home, 'cache'), '--token', bearer, 'get', 'nodes', '-o', 'name'], { env: { ...process.env, HOME: home }, timeout: 30_000 }).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '', err: e.stderr ?? '' }),
      );
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
});
