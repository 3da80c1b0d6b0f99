/**
 * The registry probe: tags of a repository and the digest of a tag, read through the registry's own
 * Docker Registry v2 API (ACR, or any distribution registry), over the network policy's dispatcher.
 * It gives the same answers for ACR (admin Basic, bearer tokens, Entra exchange) and Debian's
 * docker-registry (htpasswd or token auth).
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { refusedByPolicy, type NetworkPolicy } from '../net.js';
import { trustedCas } from '../tls.js';
import { ProbeError, type RegistryProbe, type TagList } from '../types.js';
import { RegistryAuth, refused, type AuthMode, type Credentials, type Grant } from './auth.js';
import { parseChallenge, pullScope } from './challenge.js';
import { BodyTooLarge, jsonOf, registryErrorOf, send, type RegistryAnswer } from './http.js';
import { insufficientScope, missingPullRight, type RegistryFactsOf } from './rights.js';

export interface RegistryProbeOptions {
  policy: NetworkPolicy;
  /** Extra CA (PEM) to trust besides the system roots. */
  ca?: string | string[];
  /** Admin credentials of a registry (from ARM's listCredentials), undefined when none (admin disabled). */
  credentialsFor(loginServer: string): Promise<Credentials | undefined>;
  /** The grader's Entra access token, exchanged at /oauth2/exchange when there are no admin credentials. */
  aadToken?: () => Promise<string>;
  /** Bound on one HTTP exchange (default 15 s). */
  timeoutMs?: number;
  /** Cap on one answer's body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Send the admin credentials with the first request (default true); false starts with the challenge. */
  preemptiveBasic?: boolean;
  /** A dispatcher to share; made from the policy (and closed by close()) otherwise. */
  dispatcher?: Dispatcher;
  /** The registry's resource id and role assignment mode, to name the right the grader lacks there. */
  registryFacts?: RegistryFactsOf;
}

export interface ClosableRegistryProbe extends RegistryProbe {
  close(): Promise<void>;
}

/** Every manifest type a tag may point at: OCI and Docker v2, single images and indexes. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

const MAX_REDIRECTS = 3;
/** ACR answers up to 1000 tags a page (100 unless asked for more): 20 pages is far beyond a lab's repository. */
const MAX_TAG_PAGES = 20;

/** Repository names are path segments separated by "/"; each is encoded, the slashes are kept. */
const repoPath = (repository: string) => repository.split('/').map(encodeURIComponent).join('/');

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function registryProbe(opts: RegistryProbeOptions): ClosableRegistryProbe {
  const ownDispatcher = opts.dispatcher ? undefined : opts.policy.dispatcher({ ca: trustedCas(opts.ca) });
  const dispatcher = opts.dispatcher ?? ownDispatcher!;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;

  /** One exchange; transport failures become ProbeErrors naming the registry. */
  async function exchange(registry: string, url: URL, method: 'GET' | 'HEAD' | 'POST', headers: Record<string, string>, body?: string): Promise<RegistryAnswer> {
    try {
      return await send(url, { method, headers, body, dispatcher, timeoutMs, maxBodyBytes });
    } catch (err) {
      if (err instanceof BodyTooLarge) throw new ProbeError('registry', `registry ${registry}: ${err.message} for ${method} ${url.pathname}`, { registry, limit: maxBodyBytes });
      const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError' || /timeout/i.test(e.code ?? '');
      const why = timedOut ? `no answer within ${timeoutMs} ms` : (e.cause?.message ?? e.message);
      const refused = refusedByPolicy(err) ? { refused: true } : {};
      throw new ProbeError('registry', `registry ${registry} could not be reached for ${method} ${url.pathname}: ${why}`, { registry, code: e.code ?? e.cause?.code ?? e.name, ...refused });
    }
  }

  const auth = new RegistryAuth({
    credentialsFor: opts.credentialsFor,
    aadToken: opts.aadToken,
    preemptiveBasic: opts.preemptiveBasic,
    send: (url, method, headers, body) => exchange(url.host, url, method, headers, body),
  });

  /** Follows redirects only on the registry's own origin: a student's registry cannot send the grader elsewhere. */
  async function fetchOnRegistry(registry: string, url: URL, method: 'GET' | 'HEAD', headers: Record<string, string>): Promise<RegistryAnswer> {
    let current = url;
    for (let hop = 0; ; hop++) {
      const answer = await exchange(registry, current, method, headers);
      if (answer.status < 300 || answer.status >= 400 || !answer.headers['location']) return answer;
      const next = new URL(answer.headers['location'], current);
      if (next.origin !== url.origin) {
        throw new ProbeError('registry', `registry ${registry} redirected ${method} ${url.pathname} to another host (${next.host}): not followed`, { registry, status: answer.status });
      }
      if (hop >= MAX_REDIRECTS) throw new ProbeError('registry', `registry ${registry} redirected more than ${MAX_REDIRECTS} times`, { registry });
      current = next;
    }
  }

  /** A request with whatever auth the registry asks for; a 401 after authenticating is a ProbeError. */
  async function authorized(registry: string, url: URL, method: 'GET' | 'HEAD', scope: string, headers: Record<string, string> = {}): Promise<{ answer: RegistryAnswer; mode: AuthMode }> {
    let grant: Grant | undefined = await auth.initial(registry, scope);
    let firstContactDone: (() => void) | undefined;
    if (!grant) {
      const turn = auth.firstContact(registry, scope);
      if ('wait' in turn) {
        await turn.wait;
        grant = await auth.initial(registry, scope);
      } else firstContactDone = turn.done;
    }
    try {
      return await authorizedWith(registry, url, method, scope, headers, grant);
    } finally {
      firstContactDone?.();
    }
  }

  async function authorizedWith(
    registry: string,
    url: URL,
    method: 'GET' | 'HEAD',
    scope: string,
    headers: Record<string, string>,
    initial: Grant | undefined,
  ): Promise<{ answer: RegistryAnswer; mode: AuthMode }> {
    let grant = initial;
    const attempt = (g: Grant | undefined) => fetchOnRegistry(registry, url, method, { ...headers, ...(g?.header ? { authorization: g.header } : {}) });
    let answer = await attempt(grant);
    for (let round = 0; answer.status === 401 && round < 2; round++) {
      if (grant) auth.forget(registry, scope);
      const challenge = parseChallenge(answer.headers['www-authenticate']);
      // The grader's own Entra identity may not do this: a new token for it would not carry the scope either.
      if (grant?.mode === 'entra-exchange' && insufficientScope(challenge)) {
        throw missingPullRight(registry, scope, auth.principal, await opts.registryFacts?.(registry).catch(() => undefined));
      }
      const before = grant;
      grant = await auth.answer(registry, scope, challenge);
      // the same credentials in the same form were just refused: asking again cannot help
      if (before && before.mode === grant.mode && before.header === grant.header) break;
      answer = await attempt(grant);
    }
    if (answer.status === 401) throw refused(registry, grant?.mode ?? 'anonymous', answer);
    if (grant) auth.accepted(registry, scope, grant);
    return { answer, mode: grant?.mode ?? 'anonymous' };
  }

  function unexpected(registry: string, method: string, url: URL, answer: RegistryAnswer): ProbeError {
    const err = registryErrorOf(answer.body);
    const what = err ? `${err.code}${err.message ? `: ${err.message}` : ''}` : answer.body.toString('utf8').slice(0, 120).replace(/\s+/g, ' ').trim();
    return new ProbeError('registry', `registry ${registry} answered ${answer.status} to ${method} ${url.pathname}${what ? ` (${what})` : ''}`, {
      registry,
      status: answer.status,
      ...(err ? { code: err.code } : {}),
    });
  }

  return {
    async tags(loginServer: string, repository: string): Promise<TagList> {
      const registry = loginServer.toLowerCase();
      const scope = pullScope(repository);
      const first = new URL(`https://${registry}/v2/${repoPath(repository)}/tags/list`);
      const tags: string[] = [];
      let mode: AuthMode = 'anonymous';
      let url: URL | undefined = first;
      // A next page the probe does not read (past MAX_TAG_PAGES, or on another host) leaves the list incomplete.
      let truncated = false;
      for (let page = 0; url; page++) {
        if (page === MAX_TAG_PAGES) {
          truncated = true;
          break;
        }
        const r = await authorized(registry, url, 'GET', scope, { accept: 'application/json' });
        mode = r.mode;
        if (r.answer.status === 404) {
          const err = registryErrorOf(r.answer.body);
          if (err?.code === 'NAME_UNKNOWN') return { repository, exists: false, tags: [], auth: mode };
          throw unexpected(registry, 'GET', url, r.answer);
        }
        if (r.answer.status !== 200) throw unexpected(registry, 'GET', url, r.answer);
        const json = jsonOf<{ tags?: string[] | null }>(r.answer.body);
        if (!json) throw new ProbeError('registry', `registry ${registry} answered GET ${url.pathname} with something that is not JSON`, { registry });
        tags.push(...(json.tags ?? []));
        // RFC 5988 pagination (`Link: </v2/x/tags/list?last=a&n=100>; rel="next"`), on the same origin only
        const next = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(r.answer.headers['link'] ?? '')?.[1];
        const nextUrl: URL | undefined = next ? new URL(next, url) : undefined;
        if (nextUrl && nextUrl.origin !== first.origin) {
          truncated = true;
          break;
        }
        url = nextUrl;
      }
      return { repository, exists: true, tags: [...new Set(tags)].sort(), auth: mode, ...(truncated ? { truncated } : {}) };
    },

    async manifestDigest(loginServer: string, repository: string, reference: string): Promise<string | undefined> {
      const registry = loginServer.toLowerCase();
      // A digest goes into the path as it is (registries route `sha256:<hex>`, not its escaped form).
      const ref = DIGEST.test(reference) ? reference : encodeURIComponent(reference);
      const url = new URL(`https://${registry}/v2/${repoPath(repository)}/manifests/${ref}`);
      const headers = { accept: MANIFEST_ACCEPT };
      const head = await authorized(registry, url, 'HEAD', pullScope(repository), headers);
      if (head.answer.status === 404) return undefined;
      if (head.answer.status !== 200) throw unexpected(registry, 'HEAD', url, head.answer);
      const digest = head.answer.headers['docker-content-digest'];
      if (digest) return digest;
      // A registry that leaves the header out of HEAD: the digest is the sha256 of the manifest bytes.
      const get = await authorized(registry, url, 'GET', pullScope(repository), headers);
      if (get.answer.status !== 200) throw unexpected(registry, 'GET', url, get.answer);
      return get.answer.headers['docker-content-digest'] ?? 'sha256:' + createHash('sha256').update(get.answer.body).digest('hex');
    },

    async close() {
      // The student's grading is over: abandon what is still in flight instead of waiting for it.
      await ownDispatcher?.destroy();
    },
  };
}
