import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, type Agent } from 'undici';
import { createCa } from '../ca.js';
import { imageContent, imageDigest, OCI_MANIFEST } from '../images.js';
import { NetworkPolicy } from '../../probes/net.js';
import { adminCredentials } from './credentials.js';
import { parseChallenge } from './errors.js';
import { startRegistry, type RegistryServer, type SandboxRegistry } from './server.js';
import { sharedPath } from '../../test/support/shared.js';
import { until } from '../../test/support/until.js';

const AAD = 'entra-token-for-the-grader';
/** The grader's own dialling: connectTo before DNS, loopback only, the sandbox CA trusted. */
const loopbackDispatcher = (ca: string, connectTo: Record<string, string>) => new NetworkPolicy({ connectTo, loopbackOnly: true }).dispatcher({ ca });
const FIXTURES = sharedPath('fixtures', 'azure', 'containerregistry', 'data-plane');
const fixture = (name: string) => (JSON.parse(readFileSync(`${FIXTURES}/${name}`, 'utf8')) as { responses: { 200: { body: Record<string, unknown> } } }).responses[200].body;

const reg = (name: string, extra: Partial<SandboxRegistry> = {}): SandboxRegistry => ({
  name,
  adminUserEnabled: true,
  images: ['myapp:v1.0', 'myapi:v1.0'],
  user: name.replace(/acr$/, ''),
  faults: { registry: null, latencyMs: 0 },
  ...extra,
});
const REGISTRIES = [
  reg('alphaacr'),
  reg('betaacr', { images: ['myapp:v2.0'] }),
  reg('noadminacr', { adminUserEnabled: false }),
  reg('lockedacr', { faults: { registry: 'unauthorized', latencyMs: 0 } }),
  reg('brokenacr', { faults: { registry: 'error500', latencyMs: 0 } }),
  reg('hangacr', { faults: { registry: 'hang', latencyMs: 0 } }),
  reg('slowacr', { faults: { registry: null, latencyMs: 300 } }),
  reg('repushacr', { images: ['myapp:v1.0', 'myapi:v1.0'], repushed: ['myapp:v1.0'] }),
  // More tags than ACR's largest page (1000).
  reg('pagedacr', { images: Array.from({ length: 1_050 }, (_, i) => `myapp:t${String(i).padStart(4, '0')}`) }),
];

describe('registry stand-in', () => {
  let server: RegistryServer;
  let agent: Agent;

  const call = async (host: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}) => {
    const res = await fetch(`https://${host}.azurecr.io${path}`, { ...init, dispatcher: agent });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> };
  };
  const basic = (name: string, password = server.adminCredentials(name).password) => ({ authorization: 'Basic ' + Buffer.from(`${name}:${password}`).toString('base64') });
  const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  const oci = { accept: OCI_MANIFEST };

  beforeAll(async () => {
    const ca = await createCa();
    server = await startRegistry({ tls: await ca.issue({ dns: ['*.azurecr.io'] }), registries: REGISTRIES, aadToken: AAD });
    agent = loopbackDispatcher(ca.certPem, Object.fromEntries([...REGISTRIES.map((r) => r.name), 'unknownacr'].map((n) => [`${n}.azurecr.io:443`, `127.0.0.1:${server.port}`])));
  });
  afterAll(async () => {
    await server?.close();
    await agent?.close();
  });

  it('challenges like ACR when unauthenticated', async () => {
    const r = await call('alphaacr', '/v2/');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="https://alphaacr.azurecr.io/oauth2/token",service="alphaacr.azurecr.io"');
    expect((r.json.errors as Array<{ code: string }>)[0].code).toBe('UNAUTHORIZED');
    const t = await call('alphaacr', '/v2/myapp/tags/list');
    expect(parseChallenge(t.headers.get('www-authenticate'))?.params.scope).toBe('repository:myapp:pull');
  });

  it('accepts the admin credentials as Basic auth, with the same passwords the ARM listCredentials derives', async () => {
    const c = adminCredentials('alphaacr');
    expect(server.adminCredentials('alphaacr')).toEqual({ username: 'alphaacr', password: c.passwords[0] });
    expect(c.passwords[0]).toMatch(/^[A-Za-z0-9+/]{32}$/);
    expect(c.passwords[0]).not.toBe(c.passwords[1]);
    expect((await call('alphaacr', '/v2/', { headers: basic('alphaacr') })).status).toBe(200);
    expect((await call('alphaacr', '/v2/myapp/tags/list', { headers: basic('alphaacr', c.passwords[1]) })).json).toEqual({ name: 'myapp', tags: ['v1.0'] });
    expect((await call('alphaacr', '/v2/', { headers: basic('alphaacr', 'wrong') })).status).toBe(401);
    // another registry's password does not open this one
    expect((await call('alphaacr', '/v2/', { headers: basic('alphaacr', server.adminCredentials('betaacr').password) })).status).toBe(401);
  });

  it('refuses admin credentials when the admin user is disabled', async () => {
    expect((await call('noadminacr', '/v2/', { headers: basic('noadminacr') })).status).toBe(401);
    expect((await call('noadminacr', '/oauth2/token?service=noadminacr.azurecr.io&scope=repository:myapp:pull', { headers: basic('noadminacr') })).status).toBe(401);
  });

  it('follows the challenge: Basic at the realm gives an access token scoped to one repository', async () => {
    const challenge = parseChallenge((await call('alphaacr', '/v2/myapp/tags/list')).headers.get('www-authenticate'))!;
    const realm = new URL(challenge.params.realm);
    realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', challenge.params.scope);
    const tok = await call('alphaacr', realm.pathname + realm.search, { headers: basic('alphaacr') });
    expect(tok.status).toBe(200);
    expect(Object.keys(tok.json)).toEqual(Object.keys(fixture('oauth2-token.PostAccessToken.2021-07-01.json')));
    const bearer = { authorization: `Bearer ${tok.json.access_token as string}` };
    expect((await call('alphaacr', '/v2/myapp/tags/list', { headers: bearer })).json).toEqual({ name: 'myapp', tags: ['v1.0'] });
    const other = await call('alphaacr', '/v2/myapi/tags/list', { headers: bearer });
    expect(other.status).toBe(401);
    expect(parseChallenge(other.headers.get('www-authenticate'))?.params.error).toBe('insufficient_scope');
    // a token for one registry is not valid at another
    expect(parseChallenge((await call('betaacr', '/v2/myapp/tags/list', { headers: bearer })).headers.get('www-authenticate'))?.params.error).toBe('invalid_token');
  });

  it('exchanges the Entra token for a refresh token, and that for an access token', async () => {
    const ex = await call('alphaacr', '/oauth2/exchange', form({ grant_type: 'access_token', service: 'alphaacr.azurecr.io', access_token: AAD }));
    expect(ex.status).toBe(200);
    expect(Object.keys(ex.json)).toEqual(Object.keys(fixture('oauth2-exchange.PostRefreshToken.2021-07-01.json')));
    const refresh = ex.json.refresh_token as string;
    const tok = await call('alphaacr', '/oauth2/token', form({ grant_type: 'refresh_token', service: 'alphaacr.azurecr.io', scope: 'repository:myapp:metadata_read', refresh_token: refresh }));
    expect(tok.status).toBe(200);
    const tags = await call('alphaacr', '/acr/v1/myapp/_tags', { headers: { authorization: `Bearer ${tok.json.access_token as string}` } });
    expect(tags.status).toBe(200);
    // `az acr login` style: docker login with the null GUID user and the refresh token as password
    const viaDocker = await call('alphaacr', '/oauth2/token?service=alphaacr.azurecr.io&scope=registry:catalog:*', {
      headers: { authorization: 'Basic ' + Buffer.from(`00000000-0000-0000-0000-000000000000:${refresh}`).toString('base64') },
    });
    const catalog = await call('alphaacr', '/v2/_catalog', { headers: { authorization: `Bearer ${viaDocker.json.access_token as string}` } });
    expect(catalog.json).toEqual({ repositories: ['myapi', 'myapp'] });
    // a refresh token is not an access token
    expect((await call('alphaacr', '/v2/_catalog', { headers: { authorization: `Bearer ${refresh}` } })).status).toBe(401);
  });

  it('refuses a wrong Entra token and a refresh token of another registry', async () => {
    expect((await call('alphaacr', '/oauth2/exchange', form({ grant_type: 'access_token', service: 'alphaacr.azurecr.io', access_token: 'not-it' }))).status).toBe(401);
    const betaRefresh = (await call('betaacr', '/oauth2/exchange', form({ grant_type: 'access_token', service: 'betaacr.azurecr.io', access_token: AAD }))).json.refresh_token as string;
    expect((await call('alphaacr', '/oauth2/token', form({ grant_type: 'refresh_token', service: 'alphaacr.azurecr.io', scope: 'repository:myapp:pull', refresh_token: betaRefresh }))).status).toBe(
      401,
    );
  });

  it('lists ACR tags in the shape of the ACR fixture, with the image digests', async () => {
    const r = await call('alphaacr', '/acr/v1/myapp/_tags', { headers: basic('alphaacr') });
    const f = fixture('acr-v1-tags.GetTagList.2021-07-01.json') as { tags: Array<Record<string, unknown>> };
    expect(Object.keys(r.json).sort()).toEqual(Object.keys(f).sort());
    const tags = r.json.tags as Array<Record<string, unknown>>;
    expect(Object.keys(tags[0]).sort()).toEqual(Object.keys(f.tags[0]).sort());
    expect(tags.map((t) => [t.name, t.digest])).toEqual([['v1.0', imageDigest('alphaacr', 'myapp', 'v1.0')]]);
    expect(r.json.registry).toBe('alphaacr.azurecr.io');
  });

  it('serves manifests and blobs whose digests are the image digests', async () => {
    const head = await call('alphaacr', '/v2/myapp/manifests/v1.0', { method: 'HEAD', headers: { ...basic('alphaacr'), ...oci } });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(imageDigest('alphaacr', 'myapp', 'v1.0'));
    expect(head.headers.get('content-type')).toBe(OCI_MANIFEST);
    expect(head.text).toBe('');
    const image = imageContent('alphaacr', 'myapp', 'v1.0');
    expect(Number(head.headers.get('content-length'))).toBe(image.manifest.bytes.length);
    const byDigest = await call('alphaacr', `/v2/myapp/manifests/${image.manifest.digest}`, { headers: { ...basic('alphaacr'), ...oci } });
    expect(byDigest.text).toBe(image.manifest.bytes.toString('utf8'));
    const res = await fetch(`https://alphaacr.azurecr.io/v2/myapp/blobs/${image.layer.digest}`, { headers: basic('alphaacr'), dispatcher: agent });
    expect(
      'sha256:' +
        createHash('sha256')
          .update(Buffer.from(await res.arrayBuffer()))
          .digest('hex'),
    ).toBe(image.layer.digest);
    // the same repository in another registry is another image
    expect((await call('betaacr', '/v2/myapp/manifests/v2.0', { method: 'HEAD', headers: { ...basic('betaacr'), ...oci } })).headers.get('docker-content-digest')).toBe(
      imageDigest('betaacr', 'myapp', 'v2.0'),
    );
  });

  it('a tag pushed again points to the new manifest; the older one stays readable by digest and listed untagged by ACR', async () => {
    const [first, second] = [imageDigest('repushacr', 'myapp', 'v1.0', 0), imageDigest('repushacr', 'myapp', 'v1.0', 1)];
    expect(first).not.toBe(second);
    const auth = { ...basic('repushacr'), ...oci };
    expect((await call('repushacr', '/v2/myapp/manifests/v1.0', { method: 'HEAD', headers: auth })).headers.get('docker-content-digest')).toBe(second);
    for (const [digest, push] of [
      [first, 0],
      [second, 1],
    ] as const) {
      const get = await call('repushacr', `/v2/myapp/manifests/${digest}`, { headers: auth });
      expect([get.status, get.headers.get('docker-content-digest'), get.text]).toEqual([200, digest, imageContent('repushacr', 'myapp', 'v1.0', push).manifest.bytes.toString('utf8')]);
      expect((await call('repushacr', `/v2/myapp/manifests/${digest}`, { method: 'HEAD', headers: auth })).status).toBe(200);
    }
    expect((await call('repushacr', '/v2/myapp/tags/list', { headers: auth })).json).toEqual({ name: 'myapp', tags: ['v1.0'] });
    const tags = (await call('repushacr', '/acr/v1/myapp/_tags', { headers: basic('repushacr') })).json.tags as Array<{ digest: string; createdTime: string; lastUpdateTime: string }>;
    expect(tags[0].digest).toBe(second);
    expect(Date.parse(tags[0].lastUpdateTime)).toBeGreaterThan(Date.parse(tags[0].createdTime));
    const listing = (await call('repushacr', '/acr/v1/myapp/_manifests', { headers: basic('repushacr') })).json;
    expect(Object.keys(listing).sort()).toEqual(['imageName', 'manifests', 'registry']);
    const manifests = listing.manifests as Array<{ digest: string; tags?: string[]; changeableAttributes: unknown }>;
    expect(manifests.map((m) => [m.digest, m.tags])).toEqual([
      [first, undefined],
      [second, ['v1.0']],
    ]);
    // the keys of ACR's GetManifestList example (data-plane 2021-07-01)
    expect(Object.keys(manifests[1]).sort()).toEqual(['architecture', 'changeableAttributes', 'createdTime', 'digest', 'imageSize', 'lastUpdateTime', 'os', 'tags']);
    // an untouched tag has one manifest, and its dates agree
    const api = (await call('repushacr', '/acr/v1/myapi/_tags', { headers: basic('repushacr') })).json.tags as Array<{ createdTime: string; lastUpdateTime: string }>;
    expect(api[0].lastUpdateTime).toBe(api[0].createdTime);
  });

  it('pages tag lists like ACR: 100 a page unless n says otherwise, never more than 1000, the next page in a relative Link header', async () => {
    const page = async (query: string) => {
      const r = await call('pagedacr', `/v2/myapp/tags/list${query}`, { headers: basic('pagedacr') });
      const tags = r.json.tags as string[];
      return { first: tags[0], last: tags[tags.length - 1], count: tags.length, link: r.headers.get('link') };
    };
    expect(await page('')).toEqual({ first: 't0000', last: 't0099', count: 100, link: '</v2/myapp/tags/list?last=t0099&n=100&orderby=>; rel="next"' });
    expect(await page('?last=t0099&n=100&orderby=')).toEqual({ first: 't0100', last: 't0199', count: 100, link: '</v2/myapp/tags/list?last=t0199&n=100&orderby=>; rel="next"' });
    expect(await page('?n=5000')).toEqual({ first: 't0000', last: 't0999', count: 1000, link: '</v2/myapp/tags/list?last=t0999&n=1000&orderby=>; rel="next"' });
    // the last page has no Link
    expect(await page('?last=t0999&n=1000')).toEqual({ first: 't1000', last: 't1049', count: 50, link: null });
  });

  it('says NAME_UNKNOWN / MANIFEST_UNKNOWN / BLOB_UNKNOWN like distribution', async () => {
    const code = async (host: string, path: string) => ((await call(host, path, { headers: { ...basic(host), ...oci } })).json.errors as Array<{ code: string }>)[0].code;
    expect(await code('alphaacr', '/v2/nope/tags/list')).toBe('NAME_UNKNOWN');
    expect(await code('alphaacr', '/acr/v1/nope/_tags')).toBe('NAME_UNKNOWN');
    expect(await code('alphaacr', '/v2/myapp/manifests/v9')).toBe('MANIFEST_UNKNOWN');
    expect(await code('betaacr', '/v2/myapp/manifests/v1.0')).toBe('MANIFEST_UNKNOWN');
    expect(await code('alphaacr', `/v2/myapp/blobs/sha256:${'0'.repeat(64)}`)).toBe('BLOB_UNKNOWN');
    expect((await call('unknownacr', '/v2/')).status).toBe(404);
  });

  it('takes a new class with setRegistries', async () => {
    server.setRegistries([...REGISTRIES.filter((r) => r.name !== 'betaacr'), reg('betaacr', { images: ['myapp:v2.0', 'myapp:v3.0'] })]);
    expect((await call('betaacr', '/v2/myapp/tags/list', { headers: basic('betaacr') })).json).toEqual({ name: 'myapp', tags: ['v2.0', 'v3.0'] });
    server.setRegistries(REGISTRIES);
  });

  it('applies the registry faults per registry', async () => {
    const locked = await call('lockedacr', '/v2/', { headers: basic('lockedacr') });
    expect(locked.status).toBe(401);
    expect((await call('lockedacr', '/oauth2/exchange', form({ grant_type: 'access_token', service: 'lockedacr.azurecr.io', access_token: AAD }))).status).toBe(401);
    expect((await call('brokenacr', '/v2/', { headers: basic('brokenacr') })).status).toBe(500);
    const t0 = Date.now();
    expect((await call('slowacr', '/v2/', { headers: basic('slowacr') })).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    await expect(call('hangacr', '/v2/', { headers: basic('hangacr'), signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(server.requests.filter((r) => r.host === 'hangacr.azurecr.io').map((r) => [r.status, r.user])).toEqual([[0, 'hang']]);
  });

  it('close() ends a hanging request at once', async () => {
    const ca = await createCa();
    const s = await startRegistry({ tls: await ca.issue({ dns: ['*.azurecr.io'] }), registries: [reg('hangacr', { faults: { registry: 'hang', latencyMs: 0 } })], aadToken: AAD });
    const a = loopbackDispatcher(ca.certPem, { 'hangacr.azurecr.io:443': `127.0.0.1:${s.port}` });
    const pending = fetch('https://hangacr.azurecr.io/v2/', { dispatcher: a }).then(
      () => 'answered',
      () => 'ended',
    );
    await until('the request to arrive', () => s.requests.some((r) => r.host === 'hangacr.azurecr.io'));
    const t0 = Date.now();
    await s.close();
    expect(await pending).toBe('ended');
    expect(Date.now() - t0).toBeLessThan(1000);
    await a.close();
  });

  it('starts for a class of 30 in about a second at most (one server, one certificate)', async () => {
    const ca = await createCa();
    const tls = await ca.issue({ dns: ['*.azurecr.io'] });
    const t0 = performance.now();
    const s = await startRegistry({ tls, aadToken: AAD, registries: Array.from({ length: 30 }, (_, i) => reg(`student${i}acr`, { images: ['myapp:v1.0', 'myapi:v1.0'] })) });
    // A server or a key pair per student would take several seconds.
    expect(performance.now() - t0).toBeLessThan(1_500);
    await s.close();
  });
});
