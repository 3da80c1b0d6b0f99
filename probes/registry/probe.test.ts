/**
 * The registry probe against the simulated ACR (admin Basic, the bearer flow, the Entra exchange when the
 * admin user is disabled) and against Debian's real docker-registry (htpasswd and token auth): the same
 * images give the same answers everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '../../sandbox/ca.js';
import { imageContent, imageDigest } from '../../sandbox/images.js';
import { RegistryClient } from '../../test/support/registry-client.js';
import { startRegistry, type RegistryServer } from '../../sandbox/registry/server.js';
import { startHttpsService, type HttpsService } from '../../sandbox/arm/https-service.js';
import { redactText } from '../../core/redact.js';
import { startDockerRegistry, type DockerRegistry } from '../../test/support/docker-registry.js';
import { NetworkPolicy } from '../net.js';
import { MissingRightError } from '../types.js';
import { registryProbe, type ClosableRegistryProbe, type RegistryProbeOptions } from './probe.js';

const ADMIN = 'probetestacr';
const NOADMIN = 'probetestnoadmin';
/** A registry where the grader's Entra identity holds no pull right: its tokens carry no repository access. */
const NOPULL = 'probetestnopull';
const IMAGES = ['myapp:v1.0', 'myapp:v2.0', 'myapi:v1.0', 'team1/web:latest'];
const GRADER_OID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
/** Shaped like an Entra access token: the probe reads the grader's object id from it. */
const AAD_TOKEN = ['e30', Buffer.from(JSON.stringify({ oid: GRADER_OID })).toString('base64url'), 'grader-entra-access-token-for-tests'].join('.');

let ca: string;
let standIn: RegistryServer;
let htpasswd: DockerRegistry;
let token: DockerRegistry;
let policy: NetworkPolicy;
const probes: ClosableRegistryProbe[] = [];

const login = (name: string) => `${name}.azurecr.io`;

function probe(creds: Record<string, { username: string; password: string }>, more: Partial<RegistryProbeOptions> = {}): ClosableRegistryProbe {
  const p = registryProbe({ policy, ca, credentialsFor: async (server) => creds[server], timeoutMs: 5_000, maxBodyBytes: 64 * 1024, ...more });
  probes.push(p);
  return p;
}

beforeAll(async () => {
  const authority = await createCa();
  ca = authority.certPem;
  const [acrLeaf, localLeaf] = await Promise.all([authority.issue({ dns: ['*.azurecr.io'] }), authority.issue({ dns: ['localhost'], ips: ['127.0.0.1'] })]);
  [standIn, htpasswd, token] = await Promise.all([
    startRegistry({
      tls: acrLeaf,
      aadToken: AAD_TOKEN,
      registries: [
        { name: ADMIN, adminUserEnabled: true, images: IMAGES, user: 'probe', faults: { registry: null, latencyMs: 0 } },
        { name: NOADMIN, adminUserEnabled: false, images: ['myapp:v1.0'], user: 'probe', faults: { registry: null, latencyMs: 0 } },
        { name: NOPULL, adminUserEnabled: false, images: ['myapp:v1.0'], user: 'probe', faults: { registry: null, latencyMs: 0 }, granted: () => [] },
      ],
    }),
    startDockerRegistry({ tls: localLeaf, auth: 'htpasswd' }),
    startDockerRegistry({ tls: localLeaf, auth: 'token' }),
  ]);
  const connectTo = Object.fromEntries([ADMIN, NOADMIN, NOPULL].map((name) => [`${login(name)}:443`, `127.0.0.1:${standIn.port}`]));
  policy = new NetworkPolicy({ connectTo, loopbackOnly: true });
  // the same image bytes pushed to the real registries as the stand-in serves
  const agent = new NetworkPolicy({ loopbackOnly: true }).dispatcher({ ca });
  try {
    for (const real of [htpasswd, token]) {
      const client = new RegistryClient({ baseUrl: real.url, dispatcher: agent, username: real.username, password: real.password });
      for (const ref of IMAGES) {
        const [repo, tag] = ref.split(':');
        await client.push(repo, tag, imageContent(ADMIN, repo, tag));
      }
    }
  } finally {
    await agent.close();
  }
});

afterAll(async () => {
  await Promise.all(probes.map((p) => p.close()));
  await Promise.all([standIn?.close(), htpasswd?.stop(), token?.stop()]);
});

async function answers(p: ClosableRegistryProbe, server: string) {
  return {
    myapp: await p.tags(server, 'myapp'),
    nested: await p.tags(server, 'team1/web'),
    missing: await p.tags(server, 'nope'),
    digest: await p.manifestDigest(server, 'myapp', 'v1.0'),
    missingTag: await p.manifestDigest(server, 'myapp', 'v9.9'),
    missingRepoDigest: await p.manifestDigest(server, 'nope', 'v1.0'),
  };
}
const withoutAuth = (a: Awaited<ReturnType<typeof answers>>) => ({ ...a, myapp: { ...a.myapp, auth: '' }, nested: { ...a.nested, auth: '' }, missing: { ...a.missing, auth: '' } });

describe('registry probe', () => {
  it('simulated ACR with the admin user: Basic straight away', async () => {
    const a = await answers(probe({ [login(ADMIN)]: standIn.adminCredentials(ADMIN) }), login(ADMIN));
    expect(a.myapp).toEqual({ repository: 'myapp', exists: true, tags: ['v1.0', 'v2.0'], auth: 'basic-admin' });
    expect(a.nested).toEqual({ repository: 'team1/web', exists: true, tags: ['latest'], auth: 'basic-admin' });
    expect(a.missing).toEqual({ repository: 'nope', exists: false, tags: [], auth: 'basic-admin' });
    expect(a.digest).toBe(imageDigest(ADMIN, 'myapp', 'v1.0'));
    expect(a.missingTag).toBeUndefined();
    expect(a.missingRepoDigest).toBeUndefined();
  });

  it('simulated ACR through the bearer challenge with the admin user, one token per scope', async () => {
    const before = standIn.requests.length;
    const p = probe({ [login(ADMIN)]: standIn.adminCredentials(ADMIN) }, { preemptiveBasic: false });
    const a = await answers(p, login(ADMIN));
    expect(a.myapp.auth).toBe('bearer-admin');
    expect(a.digest).toBe(imageDigest(ADMIN, 'myapp', 'v1.0'));
    await p.tags(login(ADMIN), 'myapp');
    const tokenCalls = standIn.requests.slice(before).filter((r) => r.url.startsWith('/oauth2/token'));
    // scopes: myapp, team1/web, nope: one token each, reused for the manifest HEADs and the repeat
    expect(tokenCalls).toHaveLength(3);
  });

  it('simulated ACR with the admin user disabled: the Entra token is exchanged, the tags still read', async () => {
    const before = standIn.requests.length;
    const p = probe({}, { aadToken: async () => AAD_TOKEN });
    const tags = await p.tags(login(NOADMIN), 'myapp');
    expect(tags).toEqual({ repository: 'myapp', exists: true, tags: ['v1.0'], auth: 'entra-exchange' });
    expect(await p.manifestDigest(login(NOADMIN), 'myapp', 'v1.0')).toBe(imageDigest(NOADMIN, 'myapp', 'v1.0'));
    await p.tags(login(NOADMIN), 'myapi');
    const paths = standIn.requests.slice(before).map((r) => r.url.split('?')[0]);
    expect(paths.filter((u) => u === '/oauth2/exchange')).toHaveLength(1); // the refresh token is reused
    expect(paths.filter((u) => u === '/oauth2/token')).toHaveLength(2); // one access token per repository
  });

  it("a token without the scope (the grader holds no pull right): the grader's missing right, with the role of the registry's mode and the command, asked once", async () => {
    const refusal = async (more: Partial<RegistryProbeOptions>) => {
      const before = standIn.requests.length;
      const err = await probe({}, { aadToken: async () => AAD_TOKEN, ...more })
        .tags(login(NOPULL), 'myapp')
        .catch((e: unknown) => e);
      return { err: err as MissingRightError, tokens: standIn.requests.slice(before).filter((r) => r.url.startsWith('/oauth2/token')).length };
    };
    const id = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/${NOPULL}`;
    const abac = await refusal({ registryFacts: async () => ({ id, roleAssignmentMode: 'AbacRepositoryPermissions' }) });
    expect(abac.err).toBeInstanceOf(MissingRightError);
    expect(abac.err.missing).toEqual({
      principal: GRADER_OID,
      right: 'the Azure role "Container Registry Repository Reader" (the registry is in ABAC mode, where AcrPull, Reader, Contributor and Owner do not pull)',
      scope: id,
      grant: `az role assignment create --role "Container Registry Repository Reader" --assignee ${GRADER_OID} --scope ${id}`,
    });
    expect(abac.err.detail).toMatchObject({ registry: login(NOPULL), auth: 'entra-exchange', status: 401, scope: 'repository:myapp:pull', missingRight: abac.err.missing });
    expect(abac.err.message).toContain(abac.err.missing.grant);
    expect(abac.tokens).toBe(1); // a second token for the same identity would lack the scope too
    const legacy = await refusal({ registryFacts: async () => ({ id, roleAssignmentMode: 'LegacyRegistryPermissions' }) });
    expect(legacy.err.missing.grant).toBe(`az role assignment create --role "AcrPull" --assignee ${GRADER_OID} --scope ${id}`);
    const unknown = await refusal({});
    expect(unknown.err.missing.scope).toBe(`<the resource id of registry ${login(NOPULL)}>`);
  });

  it('wrong admin credentials: a ProbeError naming the registry and the auth mode, no secret in it', async () => {
    const wrong = { username: ADMIN, password: 'not-the-password-123' };
    const err = await probe({ [login(ADMIN)]: wrong })
      .tags(login(ADMIN), 'myapp')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ProbeError', probe: 'registry' });
    expect((err as Error).message).toMatch(/registry probetestacr\.azurecr\.io refused the grader .*401.*auth mode bearer-admin/);
    expect((err as Error).message).not.toContain('not-the-password-123');
    expect(redactText('x not-the-password-123 y')).toBe('x [redacted] y');
  });

  it('no admin user and no Entra token: anonymous, refused with a clear message', async () => {
    const err = await probe({})
      .tags(login(NOADMIN), 'myapp')
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/refused the grader at its token endpoint \(401 UNAUTHORIZED\) with no credentials \[auth mode anonymous\]/);
  });

  it('Debian docker-registry with htpasswd (Basic challenge): the same answers as the simulated ACR', async () => {
    const server = `127.0.0.1:${htpasswd.port}`;
    const real = await answers(probe({ [server]: { username: htpasswd.username, password: htpasswd.password } }, { preemptiveBasic: false }), server);
    const sim = await answers(probe({ [login(ADMIN)]: standIn.adminCredentials(ADMIN) }), login(ADMIN));
    expect(real.myapp.auth).toBe('basic-admin');
    expect(withoutAuth(real)).toEqual(withoutAuth(sim));
  });

  it('Debian docker-registry with token auth: the same answers, through its token server', async () => {
    const server = `127.0.0.1:${token.port}`;
    const real = await answers(probe({ [server]: { username: token.username, password: token.password } }), server);
    const sim = await answers(probe({ [login(ADMIN)]: standIn.adminCredentials(ADMIN) }, { preemptiveBasic: false }), login(ADMIN));
    expect(real.myapp.auth).toBe('bearer-admin');
    expect(real).toEqual(sim);
  });

  it('Debian docker-registry: no credentials for a Basic registry is a clear ProbeError', async () => {
    const server = `127.0.0.1:${htpasswd.port}`;
    const err = await probe({})
      .tags(server, 'myapp')
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/asks for Basic auth and the grader has no credentials/);
  });
});

describe('registry probe against a misbehaving server', () => {
  let bad: HttpsService;
  let mode: 'redirect-off-host' | 'redirect-same' | 'huge' | 'hang' | 'paged' | 'endless' | 'paged-elsewhere' = 'huge';
  let tagRequests = 0;
  let server: string;

  beforeAll(async () => {
    const authority = await createCa();
    const leaf = await authority.issue({ ips: ['127.0.0.1'] });
    bad = await startHttpsService(
      leaf,
      (ex) => {
        const path = ex.url.pathname;
        if (mode === 'hang') return ex.hang();
        if (mode === 'huge') return ex.send(200, Buffer.alloc(200 * 1024, 'x'), { 'content-type': 'application/json' });
        if (mode === 'redirect-off-host') return ex.send(307, '', { location: 'https://169.254.169.254/latest/meta-data/' });
        if (mode === 'redirect-same' && path === '/v2/myapp/tags/list') return ex.send(307, '', { location: '/v2/elsewhere/tags/list' });
        if (mode === 'redirect-same') return ex.send(200, { name: 'myapp', tags: ['v1.0'] });
        tagRequests++;
        // endless: every page names a next one
        if (mode === 'endless') {
          const n = Number(ex.url.searchParams.get('last') ?? 0) + 1;
          return ex.send(200, { name: 'myapp', tags: [String(n)] }, { link: `</v2/myapp/tags/list?last=${n}&n=1>; rel="next"` });
        }
        if (mode === 'paged-elsewhere') return ex.send(200, { name: 'myapp', tags: ['a'] }, { link: '<https://elsewhere.example.com/v2/myapp/tags/list?last=a&n=1>; rel="next"' });
        // paged: two pages through Link
        if (ex.url.searchParams.get('last') === 'a') return ex.send(200, { name: 'myapp', tags: ['v1.0', 'b'] });
        return ex.send(200, { name: 'myapp', tags: ['a'] }, { link: '</v2/myapp/tags/list?last=a&n=1>; rel="next"' });
      },
      () => undefined,
    );
    server = `127.0.0.1:${bad.port}`;
    ca = ca ?? authority.certPem;
    const make = (timeoutMs: number) => {
      const p = registryProbe({ policy: new NetworkPolicy({ loopbackOnly: true }), ca: authority.certPem, credentialsFor: async () => undefined, timeoutMs, maxBodyBytes: 64 * 1024 });
      probes.push(p);
      return p;
    };
    patient = make(10_000);
    impatient = make(400);
  });
  afterAll(() => bad?.close());

  let patient: ClosableRegistryProbe;
  let impatient: ClosableRegistryProbe;
  const last = () => patient;

  it('caps the body', async () => {
    mode = 'huge';
    await expect(last().tags(server, 'myapp')).rejects.toThrow(/larger than 65536 bytes/);
  });

  it('never follows a redirect to another host', async () => {
    mode = 'redirect-off-host';
    await expect(last().tags(server, 'myapp')).rejects.toThrow(/redirected .* to another host \(169\.254\.169\.254\): not followed/);
  });

  it('follows a redirect on the same host', async () => {
    mode = 'redirect-same';
    expect((await last().tags(server, 'myapp')).tags).toEqual(['v1.0']);
  });

  it('follows Link pagination', async () => {
    mode = 'paged';
    expect(await last().tags(server, 'myapp')).toEqual({ repository: 'myapp', exists: true, tags: ['a', 'b', 'v1.0'], auth: 'anonymous' });
  });

  it('reads at most 20 pages of a list that never ends, and says the list is cut', async () => {
    mode = 'endless';
    tagRequests = 0;
    const list = await last().tags(server, 'myapp');
    expect(tagRequests).toBe(20);
    expect(list).toMatchObject({ exists: true, truncated: true });
    expect(list.tags).toHaveLength(20);
  });

  it('does not follow a next page on another host, and says the list is cut', async () => {
    mode = 'paged-elsewhere';
    tagRequests = 0;
    expect(await last().tags(server, 'myapp')).toEqual({ repository: 'myapp', exists: true, tags: ['a'], auth: 'anonymous', truncated: true });
    expect(tagRequests).toBe(1);
  });

  it('times out a registry that does not answer', async () => {
    mode = 'hang';
    const t0 = Date.now();
    await expect(impatient.tags(server, 'myapp')).rejects.toThrow(/could not be reached for GET \/v2\/myapp\/tags\/list: no answer within 400 ms/);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
