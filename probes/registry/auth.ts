/**
 * How the grader gets in to a registry, the way docker does, plus ACR's Entra exchange:
 * - `Basic realm=` (htpasswd): the admin credentials on every request;
 * - `Bearer realm=…,service=…,scope=…`: a token from the realm, asked with the admin credentials
 *   (Basic) or, when the admin user is disabled, with an ACR refresh token that the grader's Entra
 *   token was exchanged for at `https://<login server>/oauth2/exchange`; anonymous otherwise; the realm
 *   must be on the registry's own host (another host would collect the credentials);
 * - with admin credentials at hand, Basic is sent at once (ACR accepts it on the data plane although it
 *   challenges with Bearer; a token-auth registry answers with its challenge and the token flow follows).
 * Tokens are cached per registry and scope until shortly before they expire. Every credential and token
 * is registered as a secret; none is ever put in a message.
 */
import { registerSecret } from '../../core/redact.js';
import { ProbeError } from '../types.js';
import type { Challenge } from './challenge.js';
import { jsonOf, registryErrorOf, type RegistryAnswer } from './http.js';
import { AUTH_MODE_TEXT, type AuthMode } from '../types.js';

export { AUTH_MODE_TEXT, type AuthMode } from '../types.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface Grant {
  /** The Authorization header value; absent for anonymous access. */
  header?: string;
  mode: AuthMode;
  /** ms since epoch; Infinity for Basic */
  expiresAt: number;
}

export interface AuthDeps {
  credentialsFor(loginServer: string): Promise<Credentials | undefined>;
  aadToken?: () => Promise<string>;
  /** Sends a request on the policy's dispatcher (bounded); `url` may be the realm on another host. */
  send(url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body?: string): Promise<RegistryAnswer>;
  /** Send Basic before any challenge when admin credentials exist (default true). */
  preemptiveBasic?: boolean;
  now?: () => number;
}

/** Tokens are dropped this long before they expire, so a request never carries a stale one. */
const EXPIRY_MARGIN_MS = 30_000;
const DEFAULT_TOKEN_TTL_S = 60; // the Docker token spec's default when expires_in is absent
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const basicHeader = (c: Credentials) => 'Basic ' + Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64');

/** A claim of a JWT, when readable. */
function jwtClaim(token: string, claim: string): unknown {
  const p = token.split('.');
  return p.length === 3 ? jsonOf<Record<string, unknown>>(Buffer.from(p[1], 'base64url'))?.[claim] : undefined;
}

/** `exp` of a JWT, in ms, when readable. */
function jwtExpiry(token: string): number | undefined {
  const exp = jwtClaim(token, 'exp');
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

export class RegistryAuth {
  /** The grader's Entra object id, once its token was exchanged (for the right it may lack). */
  principal: string | undefined;
  private readonly grants = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly creds = new Map<string, Promise<Credentials | undefined>>();
  private readonly exchanging = new Map<string, Promise<string>>();
  /** Bearer grants being fetched, by registry and scope: a request for the same scope waits for it. */
  private readonly fetching = new Map<string, Promise<Grant>>();
  /** Requests sent with nothing to offer, by registry and scope: others of that scope wait for its outcome. */
  private readonly firstContacts = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly deps: AuthDeps) {
    this.now = deps.now ?? Date.now;
  }

  private credentials(registry: string): Promise<Credentials | undefined> {
    let c = this.creds.get(registry);
    if (!c) {
      c = this.deps.credentialsFor(registry).then((found) => {
        registerSecret(found?.password);
        return found;
      });
      // A failure to learn the credentials is not remembered: the next call asks again.
      c.catch(() => this.creds.delete(registry));
      this.creds.set(registry, c);
    }
    return c;
  }

  private key = (registry: string, scope: string) => `${registry.toLowerCase()} ${scope}`;

  /** What to send first: a cached grant for this scope, the registry's Basic, or nothing. */
  async initial(registry: string, scope: string): Promise<Grant | undefined> {
    // Another check is fetching a token for this scope: use it rather than be challenged too.
    const fetching = await this.fetching.get(this.key(registry, scope))?.catch(() => undefined);
    if (fetching) return fetching;
    const cached = this.grants.get(this.key(registry, scope)) ?? this.grants.get(this.key(registry, '*basic*'));
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > this.now()) return cached;
    if (this.deps.preemptiveBasic === false) return undefined;
    const c = await this.credentials(registry);
    return c ? { header: basicHeader(c), mode: 'basic-admin', expiresAt: Infinity } : undefined;
  }

  /**
   * With nothing to offer for a scope, one request meets the registry's challenge and the others of the
   * same scope wait for it (then reuse its grant) rather than each being refused once: `wait` when
   * another request is already at it, else `done` to call once this one has its answer.
   */
  firstContact(registry: string, scope: string): { wait: Promise<void> } | { done: () => void } {
    const key = this.key(registry, scope);
    const pending = this.firstContacts.get(key);
    if (pending) return { wait: pending };
    let done!: () => void;
    this.firstContacts.set(key, new Promise<void>((resolve) => (done = resolve)));
    return {
      done: () => {
        this.firstContacts.delete(key);
        done();
      },
    };
  }

  /** The grant was refused (401): not to be offered again. */
  forget(registry: string, scope: string): void {
    this.fetching.delete(this.key(registry, scope));
    this.grants.delete(this.key(registry, scope));
    this.grants.delete(this.key(registry, '*basic*'));
  }

  /** Answers a 401's challenge with a grant to retry with (remembered on success by `accepted`). */
  async answer(registry: string, scope: string, challenge: Challenge | undefined): Promise<Grant> {
    if (challenge?.scheme === 'basic') {
      const c = await this.credentials(registry);
      if (!c) throw new ProbeError('registry', `registry ${registry} asks for Basic auth and the grader has no credentials for it (is its admin user disabled?)`, { registry, auth: 'basic' });
      return { header: basicHeader(c), mode: 'basic-admin', expiresAt: Infinity };
    }
    if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      const key = this.key(registry, scope);
      let pending = this.fetching.get(key);
      if (!pending) {
        // Kept until the registry accepts or refuses it (`accepted`/`forget`), so no request slips in between.
        pending = this.bearer(registry, challenge.params, scope);
        pending.catch(() => this.fetching.delete(key));
        this.fetching.set(key, pending);
      }
      return pending;
    }
    throw new ProbeError('registry', `registry ${registry} answered 401 without a challenge the grader understands (${challenge?.scheme ?? 'none'})`, { registry });
  }

  accepted(registry: string, scope: string, grant: Grant): void {
    this.fetching.delete(this.key(registry, scope));
    this.grants.set(this.key(registry, grant.mode === 'basic-admin' ? '*basic*' : scope), grant);
  }

  private async bearer(registry: string, params: Record<string, string>, fallbackScope: string): Promise<Grant> {
    const realm = tokenRealm(registry, params.realm);
    const service = params.service ?? registry;
    const scope = params.scope ?? fallbackScope;
    const admin = await this.credentials(registry);
    let mode: AuthMode;
    let answer: RegistryAnswer;
    if (admin) {
      mode = 'bearer-admin';
      const url = new URL(realm);
      url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      answer = await this.deps.send(url, 'GET', { authorization: basicHeader(admin) });
    } else if (this.deps.aadToken) {
      mode = 'entra-exchange';
      const refresh = await this.refreshToken(registry, service);
      const form = new URLSearchParams({ grant_type: 'refresh_token', service, scope, refresh_token: refresh });
      answer = await this.deps.send(realm, 'POST', FORM, form.toString());
    } else {
      mode = 'anonymous';
      const url = new URL(realm);
      url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      answer = await this.deps.send(url, 'GET', {});
    }
    if (answer.status !== 200) throw refused(registry, mode, answer, 'its token endpoint');
    const json = jsonOf<{ token?: string; access_token?: string; expires_in?: number }>(answer.body);
    const token = json?.access_token ?? json?.token;
    if (!token) throw new ProbeError('registry', `registry ${registry}'s token endpoint answered without a token`, { registry, auth: mode });
    registerSecret(token);
    const expiresAt = typeof json?.expires_in === 'number' ? this.now() + json.expires_in * 1000 : (jwtExpiry(token) ?? this.now() + DEFAULT_TOKEN_TTL_S * 1000);
    return { header: `Bearer ${token}`, mode, expiresAt };
  }

  /** ACR's /oauth2/exchange, on the login server itself: the grader's Entra token never goes elsewhere. */
  private async refreshToken(registry: string, service: string): Promise<string> {
    const cached = this.refreshTokens.get(registry);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > this.now()) return cached.token;
    // Checks reading two repositories at once share one exchange, not one each.
    let pending = this.exchanging.get(registry);
    if (!pending) {
      pending = this.exchange(registry, service).finally(() => this.exchanging.delete(registry));
      this.exchanging.set(registry, pending);
    }
    return pending;
  }

  private async exchange(registry: string, service: string): Promise<string> {
    const aad = await this.deps.aadToken!();
    registerSecret(aad);
    const oid = jwtClaim(aad, 'oid');
    if (typeof oid === 'string') this.principal = oid;
    const form = new URLSearchParams({ grant_type: 'access_token', service, access_token: aad });
    const answer = await this.deps.send(new URL(`https://${registry}/oauth2/exchange`), 'POST', FORM, form.toString());
    if (answer.status !== 200) throw refused(registry, 'entra-exchange', answer, '/oauth2/exchange');
    const token = jsonOf<{ refresh_token?: string }>(answer.body)?.refresh_token;
    if (!token) throw new ProbeError('registry', `registry ${registry}'s /oauth2/exchange answered without a refresh token`, { registry, auth: 'entra-exchange' });
    registerSecret(token);
    this.refreshTokens.set(registry, { token, expiresAt: jwtExpiry(token) ?? this.now() + 30 * 60_000 });
    return token;
  }
}

/**
 * The challenge's realm, where the grader's credentials (Basic) or the ACR refresh token will be sent:
 * only on the registry's own host (ACR's is https://<login server>/oauth2/token; a token server of a
 * Docker registry may listen on another port of it). A realm elsewhere would collect them.
 */
function tokenRealm(registry: string, realmText: string): URL {
  let realm: URL;
  try {
    realm = new URL(realmText);
  } catch {
    throw new ProbeError('registry', `registry ${registry} names a token realm that is not a URL: not sending credentials there`, { registry });
  }
  if (realm.protocol !== 'https:') throw new ProbeError('registry', `registry ${registry} names a token realm that is not https (${realm.origin}): not sending credentials there`, { registry });
  const own = new URL(`https://${registry}`).hostname;
  if (realm.hostname !== own) {
    throw new ProbeError('registry', `registry ${registry} names a token realm on another host (${realm.hostname}): not sending credentials there`, { registry, realm: realm.hostname });
  }
  return realm;
}

export function refused(registry: string, mode: AuthMode, answer: RegistryAnswer, where = 'it'): ProbeError {
  const err = registryErrorOf(answer.body);
  const why = `${answer.status}${err ? ` ${err.code}` : ''}`;
  return new ProbeError('registry', `registry ${registry} refused the grader at ${where} (${why}) with ${AUTH_MODE_TEXT[mode]} [auth mode ${mode}]`, {
    registry,
    auth: mode,
    status: answer.status,
    ...(err ? { code: err.code } : {}),
  });
}
