/** The class-wide rate limit and Retry-After handling, through the real SDK pipeline against a local server. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '../../sandbox/ca.js';
import { startHttpsService, type Exchange, type HttpsService, type TlsPair } from '../../sandbox/arm/https-service.js';
import { createAzureClients } from './clients.js';
import { TokenBucket, retryAfterMs } from './policies.js';
import { azureProbe } from './probe.js';
import { RestError } from '@azure/core-rest-pipeline';
import { MissingRightError } from '../types.js';
import { armError } from './errors.js';

const cred = { getToken: async () => ({ token: 'policy-test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const EMPTY_LIST = { value: [] };

let tls: TlsPair;
let ca: string;
let service: HttpsService | undefined;

beforeAll(async () => {
  const authority = await createCa();
  ca = authority.certPem;
  tls = await authority.issue({ ips: ['127.0.0.1'] });
});

afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function serve(handler: (ex: Exchange) => void) {
  service = await startHttpsService(tls, handler, (ex) => ex.send(500, { error: { code: 'Boom', message: 'handler failed' } }));
  return `https://127.0.0.1:${service.port}`;
}

describe('TokenBucket', () => {
  it('lets a burst through, then spaces requests at the rate', () => {
    let now = 1_000;
    const b = new TokenBucket(10, 3, () => now);
    expect([b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0]);
    expect(b.reserve()).toBeCloseTo(100);
    expect(b.reserve()).toBeCloseTo(200);
    now += 1_000; // idle long enough: the burst is back
    expect([b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0]);
    expect(b.reserve()).toBeGreaterThan(0);
  });

  it('refuses a rate of zero', () => {
    expect(() => new TokenBucket(0)).toThrow(/> 0/);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2_000);
    expect(retryAfterMs(new Date(10_000 + 3_000).toUTCString(), 10_000)).toBe(3_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('ARM pipeline policies', () => {
  it('one rate limit for every client of the class (ACR, AKS and authorization clients share it)', async () => {
    const endpoint = await serve((ex) => ex.send(200, EMPTY_LIST));
    const limiter = new TokenBucket(20, 5);
    const waits: number[] = [];
    const reserve = limiter.reserve.bind(limiter);
    limiter.reserve = () => {
      const w = reserve();
      waits.push(w);
      return w;
    };
    // two client sets (e.g. two subscriptions, or a probe made apart) sharing one bucket
    const a = createAzureClients({ credential: cred, subscriptionId: 's1', endpoint, ca, limiter });
    const b = createAzureClients({ credential: cred, subscriptionId: 's2', endpoint, ca, limiter });
    const probes = [azureProbe({ clients: a, subscriptionId: 's1', resourceGroup: 'rg' }), azureProbe({ clients: b, subscriptionId: 's2', resourceGroup: 'rg' })];
    const t0 = Date.now();
    // 20 one-request calls at once, over both client sets and the AKS and ACR clients
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 4 < 2 ? probes[i % 2].registries() : probes[i % 2].managedClusters())));
    const elapsed = Date.now() - t0;
    expect(service!.requests).toHaveLength(20);
    expect(new Set(service!.requests.map((r) => r.url.split('/')[2]))).toEqual(new Set(['s1', 's2']));
    // 5 at once, then 15 more at 20/s: at least 750 ms
    expect(elapsed).toBeGreaterThanOrEqual(700);
    // every request went through the one bucket: all but the burst waited
    expect(waits).toHaveLength(20);
    expect(waits.filter((w) => w > 0).length).toBeGreaterThanOrEqual(14);
  });

  it('the authorization client is rate limited too', async () => {
    const endpoint = await serve((ex) => ex.send(200, EMPTY_LIST));
    const limiter = new TokenBucket(10, 1);
    const clients = createAzureClients({ credential: cred, subscriptionId: 's', endpoint, ca, limiter });
    const t0 = Date.now();
    // registries, then role assignments at the group: 2 requests, the second 100 ms after the first at the latest
    await azureProbe({ clients, subscriptionId: 's', resourceGroup: 'rg' }).roleAssignments();
    expect(service!.requests.map((r) => r.url.split('?')[0])).toEqual([
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments',
    ]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('honours 429 Retry-After: waits at least that long, then gets the answer', async () => {
    let calls = 0;
    const endpoint = await serve((ex) => {
      calls++;
      if (calls <= 2) ex.send(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': '1' });
      else
        ex.send(200, {
          value: [
            {
              id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r1',
              name: 'r1',
              sku: { name: 'Basic' },
              properties: { loginServer: 'r1.azurecr.io', adminUserEnabled: true },
            },
          ],
        });
    });
    const clients = createAzureClients({ credential: cred, subscriptionId: 's', endpoint, ca });
    const t0 = Date.now();
    const regs = await azureProbe({ clients, subscriptionId: 's', resourceGroup: 'rg' }).registries();
    const elapsed = Date.now() - t0;
    expect(regs.map((r) => r.name)).toEqual(['r1']);
    expect(calls).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    const gaps = service!.requests.slice(1).map((r, i) => r.at - service!.requests[i].at);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(990);
  });

  it('a Retry-After beyond the cap fails at once with a ProbeError', async () => {
    const endpoint = await serve((ex) => ex.send(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': '3600' }));
    const clients = createAzureClients({ credential: cred, subscriptionId: 's', endpoint, ca, maxRetryAfterMs: 5_000 });
    const t0 = Date.now();
    const err = await azureProbe({ clients, subscriptionId: 's', resourceGroup: 'rg' })
      .managedClusters()
      .catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(err).toMatchObject({ name: 'ProbeError', probe: 'azure' });
    expect((err as Error).message).toMatch(/asked to wait 3600 s.*re-run this student later/);
  });

  it('5xx answers are retried a bounded number of times, then a ProbeError', async () => {
    const endpoint = await serve((ex) => ex.send(500, { error: { code: 'InternalServerError', message: 'something broke' } }));
    const clients = createAzureClients({ credential: cred, subscriptionId: 's', endpoint, ca, maxRetries: 2, retryDelayMs: 20 });
    const err = await azureProbe({ clients, subscriptionId: 's', resourceGroup: 'rg' })
      .registries()
      .catch((e: unknown) => e);
    expect(service!.requests).toHaveLength(3);
    expect((err as Error).message).toMatch(
      /^ARM answered 500 InternalServerError to Microsoft\.ContainerRegistry\/registries\/read on \/subscriptions\/s\/resourceGroups\/rg: something broke; re-run/,
    );
  });

  it('a 403 names the identity, the action and the scope, and how to fix it', async () => {
    const endpoint = await serve((ex) =>
      ex.send(403, {
        error: {
          code: 'AuthorizationFailed',
          message:
            "The client 'grader@example.org' with object id '1111' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/read' over scope '/subscriptions/s/resourceGroups/rg' or the scope is invalid.",
        },
      }),
    );
    const clients = createAzureClients({ credential: cred, subscriptionId: 's', endpoint, ca, maxRetries: 0 });
    const err = await azureProbe({ clients, subscriptionId: 's', resourceGroup: 'rg' })
      .managedClusters()
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'the identity grader@example.org (object id 1111) may not Microsoft.ContainerService/managedClusters/read on /subscriptions/s/resourceGroups/rg (403 AuthorizationFailed): grant it Reader on the resource group: `az role assignment create --role "Reader" --assignee 1111 --scope /subscriptions/s/resourceGroups/rg`',
    );
    expect(err).toBeInstanceOf(MissingRightError);
  });

  it('a 403 on the user kubeconfig names the Cluster User role on the cluster, with the command', () => {
    const cluster = '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks07';
    const action = 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action';
    const refused = new RestError(`The client 'app' with object id '1111' does not have authorization to perform action '${action}' over scope '${cluster}' or the scope is invalid.`, {
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    const err = armError(refused, { action, scope: cluster }) as MissingRightError;
    expect(err).toBeInstanceOf(MissingRightError);
    expect(err.missing).toEqual({
      principal: '1111',
      right: 'the Azure role "Azure Kubernetes Service Cluster User Role"',
      scope: cluster,
      grant: `az role assignment create --role "Azure Kubernetes Service Cluster User Role" --assignee 1111 --scope ${cluster}`,
    });
    expect(err.message).toContain(`(403 AuthorizationFailed): grant it Azure Kubernetes Service Cluster User Role on the cluster: \`${err.missing.grant}\``);
  });

  it('a 403 without ARM wording names the identity from the token', async () => {
    const jwt = ['e30', Buffer.from(JSON.stringify({ appid: 'lab-grader-app', oid: '2222' })).toString('base64url'), 'sig'].join('.');
    const endpoint = await serve((ex) => ex.send(403, { error: { code: 'AuthorizationFailed', message: 'no' } }));
    const clients = createAzureClients({ credential: { getToken: async () => ({ token: jwt, expiresOnTimestamp: Date.now() + 60_000 }) }, subscriptionId: 's', endpoint, ca, maxRetries: 0 });
    const err = await azureProbe({ clients, subscriptionId: 's', resourceGroup: 'rg' })
      .roleAssignments()
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^the identity lab-grader-app \(object id 2222\) may not Microsoft\.(Authorization|ContainerRegistry)\/\S+ on \/subscriptions\/s\/resourceGroups\/rg \(403 AuthorizationFailed\)/,
    );
  });

  it('an ARM that does not answer becomes a ProbeError, bounded by the attempt timeout', async () => {
    const endpoint = await serve((ex) => ex.hang());
    const clients = createAzureClients({ credential: cred, subscriptionId: 's', endpoint, ca, maxRetries: 0, attemptTimeoutMs: 300 });
    const t0 = Date.now();
    const err = await azureProbe({ clients, subscriptionId: 's', resourceGroup: 'rg' })
      .registries()
      .catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(err).toMatchObject({ name: 'ProbeError' });
    expect((err as Error).message).toMatch(/did not answer .* in time/);
  });
});
