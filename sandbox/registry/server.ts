/**
 * One HTTPS Docker Registry v2 server for all of a class's ACRs, told apart by the Host header
 * (`<name>.azurecr.io`, reached through the grader's connect-to map; the leaf covers *.azurecr.io).
 * It answers what the grader and kubelet ask, the way ACR does: the bearer challenge, admin Basic auth,
 * /oauth2/exchange (Entra token -> refresh token) and /oauth2/token (-> access token scoped to
 * repositories), catalog, tags, manifests (by tag or by the digest of any push) with
 * Docker-Content-Digest, blobs, ACR's /acr/v1 listings of tags and manifests.
 * Where ACR and distribution share behaviour (error codes and details, Accept negotiation for OCI
 * manifests), it copies distribution 2.8, which the differential test runs side by side.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { OCI_MANIFEST } from '../images.js';
import type { ScenarioFaults } from '../scenario.js';
import { startHttpsService, type Exchange, type HttpsService, type TlsPair } from '../arm/https-service.js';
import { registryContent, sortedKeys, type RegistryContent } from './content.js';
import { adminCredentials, loginServer, tokenKey } from './credentials.js';
import { bearerChallenge, registryError, type RegistryErrorCode } from './errors.js';
import { parseScopes, permits, signToken, verifyToken, type Access } from './tokens.js';

export interface SandboxRegistry {
  name: string;
  adminUserEnabled: boolean;
  /** "repo:tag" */
  images: string[];
  /** "repo:tag" pushed again after the first push (once per mention) */
  repushed?: string[];
  /** the student it belongs to (request log, faults) */
  user: string;
  faults: Pick<ScenarioFaults, 'registry' | 'latencyMs'>;
  /**
   * Of the actions a token asks for, those an Entra identity (its object id) holds here; ACR leaves the
   * others out of the access token. Default: every action asked.
   */
  granted?: (objectId: string, access: Access) => string[];
}

export interface RegistryServerOptions {
  tls: TlsPair;
  registries: SandboxRegistry[];
  /** a fixed Entra access token /oauth2/exchange accepts (tests), as the identity `aad-test-principal` */
  aadToken?: string;
  /**
   * Whose Entra access token /oauth2/exchange accepts (its object id), undefined when it refuses it:
   * ACR takes tokens for its own audience and, while `azureADAuthenticationAsArmPolicy` is enabled
   * (the default), ARM-audience tokens.
   */
  aadPrincipal?: (token: string) => string | undefined;
}

export interface RegistryServer extends HttpsService {
  setRegistries(list: SandboxRegistry[]): void;
  /** what `az acr credential show` would print first: the registry name and password 1 */
  adminCredentials(name: string): { username: string; password: string };
}

interface Hosted {
  registry: SandboxRegistry;
  server: string;
  content: RegistryContent;
  createdTime: string;
}

/** docker login with an Entra identity (`az acr login`) sends this user name and the refresh token as password */
const AAD_USER = '00000000-0000-0000-0000-000000000000';
/** who the fixed test token (`aadToken`) belongs to */
const TEST_PRINCIPAL = 'aad-test-principal';
const ACCESS_TTL = 75 * 60;
const REFRESH_TTL = 3 * 3600;
const BASE_HEADERS = { 'docker-distribution-api-version': 'registry/2.0' };
/** distribution ends its JSON bodies with a newline; content-length comparisons depend on it */
const jsonBody = (v: unknown): string => JSON.stringify(v) + '\n';
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
/** ACR's tag pages: 100 tags unless `n` asks otherwise, and 1000 at most (Azure/acr#749). */
const TAGS_PER_PAGE = 100;
const MAX_TAGS_PER_PAGE = 1000;

interface Need {
  type: 'repository' | 'registry';
  name: string;
  /** any of these actions suffices; the first is the one a challenge asks for */
  actions: string[];
}

export async function startRegistry(opts: RegistryServerOptions): Promise<RegistryServer> {
  const key = tokenKey();
  let hosts = new Map<string, Hosted>();
  const setRegistries = (list: SandboxRegistry[]) => {
    const createdTime = new Date().toISOString();
    const next = new Map<string, Hosted>();
    for (const r of list)
      next.set(loginServer(r.name), {
        registry: r,
        server: loginServer(r.name),
        content: registryContent(r.name, r.images, r.repushed),
        createdTime: hosts.get(loginServer(r.name))?.createdTime ?? createdTime,
      });
    hosts = next;
  };
  setRegistries(opts.registries);

  const fail = (ex: Exchange, status: number, code: RegistryErrorCode, detail?: unknown, headers: OutgoingHttpHeaders = {}, message?: string) =>
    ex.send(status, jsonBody(registryError(code, detail, message)), { ...BASE_HEADERS, ...JSON_TYPE, ...headers });
  const ok = (ex: Exchange, body: unknown) => ex.send(200, jsonBody(body), { ...BASE_HEADERS, ...JSON_TYPE });

  const challenge = (ex: Exchange, h: Hosted, need: Need | null, error?: 'invalid_token' | 'insufficient_scope') =>
    fail(
      ex,
      401,
      'UNAUTHORIZED',
      need ? [{ Type: need.type, Class: '', Name: need.name, Action: need.actions[0] }] : null,
      { 'www-authenticate': bearerChallenge(h.server, need ? `${need.type}:${need.name}:${need.actions[0]}` : undefined, error) },
      'authentication required, visit https://aka.ms/acr/authorization for more information.',
    );

  const isAdmin = (h: Hosted, user: string, password: string) => {
    if (!h.registry.adminUserEnabled) return false;
    const c = adminCredentials(h.registry.name);
    return user.toLowerCase() === c.username.toLowerCase() && c.passwords.includes(password);
  };

  /** true when the request may go on; otherwise the 401 has been sent */
  function authorize(ex: Exchange, h: Hosted, need: Need | null): boolean {
    const header = ex.req.headers.authorization ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic) {
      const [user, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      if (isAdmin(h, user, rest.join(':'))) return true;
      challenge(ex, h, need);
      return false;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) {
      const claims = verifyToken(key, bearer[1], h.server, 'access_token');
      if (!claims) challenge(ex, h, need, 'invalid_token');
      else if (need && !need.actions.some((a) => permits(claims.access, need.type, need.name, a))) challenge(ex, h, need, 'insufficient_scope');
      else return true;
      return false;
    }
    challenge(ex, h, need);
    return false;
  }

  async function formOrQuery(ex: Exchange): Promise<URLSearchParams> {
    if (ex.req.method === 'POST') return new URLSearchParams((await ex.readBody()).toString('utf8'));
    return ex.url.searchParams;
  }

  async function exchange(ex: Exchange, h: Hosted) {
    if (ex.req.method !== 'POST') return fail(ex, 405, 'UNSUPPORTED');
    const form = await formOrQuery(ex);
    if (form.get('grant_type') !== 'access_token' || !form.get('access_token')) return fail(ex, 400, 'UNSUPPORTED', undefined, {}, 'grant_type access_token with an access_token is required');
    const aad = form.get('access_token')!;
    const principal = opts.aadPrincipal ? opts.aadPrincipal(aad) : aad === opts.aadToken ? TEST_PRINCIPAL : undefined;
    if (form.get('service') !== h.server || !principal) return fail(ex, 401, 'UNAUTHORIZED');
    // The exchange does not look at the identity's rights: the access tokens it leads to do.
    ex.send(200, { refresh_token: signToken(key, { aud: h.server, grant_type: 'refresh_token', sub: principal }, REFRESH_TTL) });
  }

  async function token(ex: Exchange, h: Hosted) {
    if (ex.req.method !== 'GET' && ex.req.method !== 'POST') return fail(ex, 405, 'UNSUPPORTED');
    const params = await formOrQuery(ex);
    const service = params.get('service');
    if (service && service !== h.server) return fail(ex, 401, 'UNAUTHORIZED');
    // Who asks: the admin user (every action), or the Entra identity a refresh token was issued to.
    let caller: { admin: true } | { principal: string } | undefined;
    const refreshed = (token: string) => {
      const claims = verifyToken(key, token, h.server, 'refresh_token');
      return claims ? { principal: claims.sub ?? '' } : undefined;
    };
    const grant = params.get('grant_type');
    if (grant === 'refresh_token') caller = refreshed(params.get('refresh_token') ?? '');
    else if (grant === 'password') caller = isAdmin(h, params.get('username') ?? '', params.get('password') ?? '') ? { admin: true } : undefined;
    else {
      const basic = /^Basic\s+(\S+)$/i.exec(ex.req.headers.authorization ?? '');
      const [user, ...rest] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : [''];
      const password = rest.join(':');
      caller = user === AAD_USER ? refreshed(password) : isAdmin(h, user, password) ? { admin: true } : undefined;
    }
    if (!caller) return fail(ex, 401, 'UNAUTHORIZED');
    const asked: Access[] = parseScopes(params.getAll('scope'));
    const { granted } = h.registry;
    // An identity without the right still gets a token, without that access: the registry then answers 401 insufficient_scope.
    const access = 'admin' in caller || !granted ? asked : asked.map((a) => ({ ...a, actions: granted(caller.principal, a) })).filter((a) => a.actions.length > 0);
    ex.send(200, { access_token: signToken(key, { aud: h.server, grant_type: 'access_token', ...(!('admin' in caller) ? { sub: caller.principal } : {}), access }, ACCESS_TTL) });
  }

  function manifest(ex: Exchange, h: Hosted, repo: string, ref: string) {
    const r = h.content.get(repo);
    const blob = ref.startsWith('sha256:') ? r?.byDigest.get(ref) : r?.tags.get(ref)?.manifest;
    if (!blob || blob.mediaType !== OCI_MANIFEST) return fail(ex, 404, 'MANIFEST_UNKNOWN', ref.startsWith('sha256:') ? undefined : { Tag: ref });
    // distribution 2.8 hides an OCI manifest from clients that do not list its media type in Accept
    const accepts = (ex.req.headers.accept ?? '').split(',').map((s) => s.split(';')[0].trim());
    if (!accepts.includes(OCI_MANIFEST)) return fail(ex, 404, 'MANIFEST_UNKNOWN', undefined, {}, 'OCI manifest found, but accept header does not support OCI manifests');
    ex.send(200, blob.bytes, { ...BASE_HEADERS, 'content-type': blob.mediaType, 'docker-content-digest': blob.digest, etag: `"${blob.digest}"` });
  }

  function blob(ex: Exchange, h: Hosted, repo: string, digest: string) {
    const b = h.content.get(repo)?.byDigest.get(digest);
    if (!b) return fail(ex, 404, 'BLOB_UNKNOWN', digest);
    ex.send(200, b.bytes, {
      ...BASE_HEADERS,
      'content-type': 'application/octet-stream',
      'docker-content-digest': b.digest,
      etag: `"${b.digest}"`,
      'accept-ranges': 'bytes',
      'cache-control': 'max-age=31536000',
    });
  }

  /**
   * One page of a repository's tags as ACR pages /v2 listings: `n` a page (100 when not asked, never more
   * than 1000 whatever is asked), those after `last`, and a Link header to the next page while any remain,
   * relative and with ACR's empty `orderby`.
   */
  function tagsPage(ex: Exchange, repo: string, all: string[]) {
    const asked = Number.parseInt(ex.url.searchParams.get('n') ?? '', 10);
    const n = Math.min(asked > 0 ? asked : TAGS_PER_PAGE, MAX_TAGS_PER_PAGE);
    const last = ex.url.searchParams.get('last');
    const after = last === null ? all : all.filter((t) => t > last);
    const tags = after.slice(0, n);
    const next = after.length > n ? { link: `</v2/${repo}/tags/list?last=${encodeURIComponent(tags[tags.length - 1])}&n=${n}&orderby=>; rel="next"` } : {};
    ex.send(200, jsonBody({ name: repo, tags }), { ...BASE_HEADERS, ...JSON_TYPE, ...next });
  }

  const CHANGEABLE = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };

  /** A tag's pushes happened before the lab started: the first two hours before, later ones minutes before. */
  const pushedAt = (h: Hosted, push: number): string => new Date(Date.parse(h.createdTime) - (push === 0 ? 2 * 3600_000 : 300_000 - push * 1000)).toISOString();

  function acrTags(ex: Exchange, h: Hosted, repo: string) {
    const r = h.content.get(repo);
    if (!r) return fail(ex, 404, 'NAME_UNKNOWN', { name: repo });
    ok(ex, {
      registry: h.server,
      imageName: repo,
      tags: sortedKeys(r.tags).map((name) => {
        const pushes = r.manifests.filter((m) => m.tag === name);
        return { name, digest: r.tags.get(name)!.manifest.digest, createdTime: pushedAt(h, 0), lastUpdateTime: pushedAt(h, pushes.length - 1), changeableAttributes: CHANGEABLE };
      }),
    });
  }

  /** ACR's manifest listing (the keys of its GetManifestList example): every manifest of the repository; one pushed over keeps no tag. */
  function acrManifests(ex: Exchange, h: Hosted, repo: string) {
    const r = h.content.get(repo);
    if (!r) return fail(ex, 404, 'NAME_UNKNOWN', { name: repo });
    ok(ex, {
      registry: h.server,
      imageName: repo,
      manifests: r.manifests.map((m) => ({
        digest: m.image.manifest.digest,
        imageSize: m.image.config.bytes.length + m.image.layer.bytes.length,
        createdTime: pushedAt(h, m.push),
        lastUpdateTime: pushedAt(h, m.push),
        architecture: 'amd64',
        os: 'linux',
        ...(m.tagged ? { tags: [m.tag] } : {}),
        changeableAttributes: CHANGEABLE,
      })),
    });
  }

  async function handle(ex: Exchange) {
    const h = hosts.get(ex.host);
    if (!h) return fail(ex, 404, 'NAME_UNKNOWN', { host: ex.host }, {}, `no registry is served under ${ex.host}`);
    ex.user = h.registry.user;
    ex.delayMs = h.registry.faults.latencyMs;
    const fault = h.registry.faults.registry;
    if (fault === 'hang') return ex.hang();
    if (fault === 'error500') return fail(ex, 500, 'UNKNOWN', undefined, {}, 'unknown error');
    if (fault === 'unauthorized') return challenge(ex, h, null);

    const path = ex.url.pathname;
    if (path === '/oauth2/exchange') return exchange(ex, h);
    if (path === '/oauth2/token') return token(ex, h);
    const method = ex.req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return fail(ex, 405, 'UNSUPPORTED', undefined, {}, 'the sandbox registry is read-only');

    let m: RegExpExecArray | null;
    if (path === '/v2/' || path === '/v2') return authorize(ex, h, null) && ex.send(200, '{}', { ...BASE_HEADERS, ...JSON_TYPE });
    if (path === '/v2/_catalog' || path === '/acr/v1/_catalog') return authorize(ex, h, { type: 'registry', name: 'catalog', actions: ['*'] }) && ok(ex, { repositories: sortedKeys(h.content) });
    if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(path))) {
      const repo = m[1];
      if (!authorize(ex, h, { type: 'repository', name: repo, actions: ['pull'] })) return;
      const r = h.content.get(repo);
      return r ? tagsPage(ex, repo, sortedKeys(r.tags)) : fail(ex, 404, 'NAME_UNKNOWN', { name: repo });
    }
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) return authorize(ex, h, { type: 'repository', name: m[1], actions: ['pull'] }) && manifest(ex, h, m[1], m[2]);
    if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path))) return authorize(ex, h, { type: 'repository', name: m[1], actions: ['pull'] }) && blob(ex, h, m[1], m[2]);
    if ((m = /^\/acr\/v1\/(.+)\/_tags$/.exec(path))) return authorize(ex, h, { type: 'repository', name: m[1], actions: ['metadata_read', 'pull'] }) && acrTags(ex, h, m[1]);
    if ((m = /^\/acr\/v1\/(.+)\/_manifests$/.exec(path))) return authorize(ex, h, { type: 'repository', name: m[1], actions: ['metadata_read', 'pull'] }) && acrManifests(ex, h, m[1]);
    ex.send(404, '404 page not found\n', { 'content-type': 'text/plain; charset=utf-8' });
  }

  const service = await startHttpsService(opts.tls, handle, (ex, err) => fail(ex, 500, 'UNKNOWN', undefined, {}, err instanceof Error ? err.message : String(err)));
  return Object.assign(service, {
    setRegistries,
    adminCredentials(name: string) {
      const c = adminCredentials(name);
      return { username: c.username, password: c.passwords[0] };
    },
  });
}
