/**
 * A registry's bearer challenge names the token realm the client should ask. A hostile registry naming a
 * realm on another host must not receive the registry's admin credentials, nor the ACR refresh token the
 * grader's Entra token was exchanged for: the grader asks for tokens only on the registry's own host, and
 * a realm elsewhere is an error that names the realm's host. A second local server stands in for the
 * realm elsewhere and records everything it receives.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpsService, type HttpsService } from '../../sandbox/arm/https-service.js';
import { createCa } from '../../sandbox/ca.js';
import { NetworkPolicy } from '../../probes/net.js';
import { registryProbe } from '../../probes/registry/index.js';
import { ProbeError } from '../../probes/types.js';
import { rejection } from './support.js';

const REGISTRY = 'hostileacr.azurecr.io';
const COLLECTOR = 'collector.example.com';
const ADMIN = { username: 'hostileacr', password: 'admin-password-only-for-the-registry' };
const REFRESH_TOKEN = 'acr-refresh-token-only-for-the-registry';
const AAD_TOKEN = 'grader-entra-token-only-for-the-registry';

/** What the collector received: method, path and query, headers and body of every request. */
interface Received {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

let ca: string;
let registry: HttpsService;
let collector: HttpsService;
let realm = '';
const received: Received[] = [];
const tokenRequests: string[] = [];

beforeAll(async () => {
  const authority = await createCa();
  ca = authority.certPem;
  const [registryLeaf, collectorLeaf] = await Promise.all([authority.issue({ dns: [REGISTRY] }), authority.issue({ dns: [COLLECTOR] })]);
  registry = await startHttpsService(
    registryLeaf,
    async (ex) => {
      const path = ex.url.pathname;
      if (path === '/oauth2/exchange') return ex.send(200, { refresh_token: REFRESH_TOKEN });
      if (path === '/oauth2/token') {
        tokenRequests.push(`${ex.req.method} ${ex.req.headers.authorization ?? ''} ${(await ex.readBody()).toString('utf8')}`);
        return ex.send(200, { access_token: 'registry-access-token' });
      }
      if (ex.req.headers.authorization === 'Bearer registry-access-token') return ex.send(200, { name: 'myapp', tags: ['v1.0'] });
      return ex.send(
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        { 'www-authenticate': `Bearer realm="${realm}",service="${REGISTRY}",scope="repository:myapp:pull"` },
      );
    },
    () => undefined,
  );
  collector = await startHttpsService(
    collectorLeaf,
    async (ex) => {
      received.push({ method: ex.req.method ?? '', url: ex.url.pathname + ex.url.search, authorization: ex.req.headers.authorization, body: (await ex.readBody()).toString('utf8') });
      return ex.send(200, { access_token: 'collector-token', token: 'collector-token' });
    },
    () => undefined,
  );
});
afterAll(async () => {
  await Promise.all([registry?.close(), collector?.close()]);
});
beforeEach(() => {
  received.length = 0;
  tokenRequests.length = 0;
});

function probe(admin: boolean) {
  const policy = new NetworkPolicy({ loopbackOnly: true, connectTo: { [`${REGISTRY}:443`]: `127.0.0.1:${registry.port}`, [`${COLLECTOR}:443`]: `127.0.0.1:${collector.port}` } });
  return registryProbe({ policy, ca, credentialsFor: async () => (admin ? ADMIN : undefined), aadToken: async () => AAD_TOKEN, preemptiveBasic: false, timeoutMs: 5_000 });
}

const everything = () => JSON.stringify(received);

describe('a bearer realm on another host', () => {
  it.each([
    ['the admin user (Basic at the realm)', true, `https://${COLLECTOR}/oauth2/token`],
    ['the Entra exchange (the refresh token at the realm)', false, `https://${COLLECTOR}/oauth2/token`],
    ['a realm that hides its host behind user info', true, `https://${REGISTRY}@${COLLECTOR}/oauth2/token`],
    ['a realm on a name that starts like the registry', false, `https://${REGISTRY}.${COLLECTOR}/oauth2/token`],
  ])('%s: an error naming the realm host; the realm receives nothing', async (_what, admin, realmUrl) => {
    realm = realmUrl;
    const p = probe(admin);
    const err = await rejection(() => p.tags(REGISTRY, 'myapp'));
    await p.close();
    expect(err).toBeInstanceOf(ProbeError);
    const realmHost = new URL(realmUrl).hostname;
    expect(err.message).toBe(`registry ${REGISTRY} names a token realm on another host (${realmHost}): not sending credentials there`);
    expect(err.detail).toMatchObject({ registry: REGISTRY, realm: realmHost });
    expect(received).toEqual([]);
    expect(everything()).not.toContain(ADMIN.password);
    expect(everything()).not.toContain(REFRESH_TOKEN);
    expect(everything()).not.toContain(AAD_TOKEN);
  });

  it.each([
    ['the admin user', true, /^GET Basic /],
    ['the Entra exchange', false, /^POST {2}grant_type=refresh_token&.*refresh_token=acr-refresh-token-only-for-the-registry/],
  ])("a realm on the registry's own host is asked as before: %s", async (_what, admin, request) => {
    realm = `https://${REGISTRY}/oauth2/token`;
    const p = probe(admin);
    expect((await p.tags(REGISTRY, 'myapp')).tags).toEqual(['v1.0']);
    await p.close();
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toMatch(request);
    expect(received).toEqual([]);
  });
});
