/**
 * Registry tokens, shaped like ACR's (JWTs with an `access` claim, audience = the login server) and
 * checked statelessly with an HMAC: a refresh token comes from /oauth2/exchange, an access token from
 * /oauth2/token, and each access token carries only the scopes it was asked for, so a token for
 * repository A does not open repository B.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenClaims {
  iss: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  /** the Entra identity (object id) a token was issued to; absent for the admin user */
  sub?: string;
  grant_type: 'refresh_token' | 'access_token';
  access?: Access[];
}

const ISSUER = 'Azure Container Registry';
const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export function signToken(key: Buffer, claims: Omit<TokenClaims, 'iss' | 'nbf' | 'iat' | 'exp' | 'jti'>, ttlSeconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  const full: TokenClaims = { jti: randomUUID(), iss: ISSUER, nbf: now - 5, iat: now, exp: now + ttlSeconds, ...claims };
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })) + '.' + b64url(JSON.stringify(full));
  return head + '.' + createHmac('sha256', key).update(head).digest('base64url');
}

/** The claims of a token this key signed, still valid, for this audience and grant; otherwise null. */
export function verifyToken(key: Buffer, token: string, aud: string, grant: TokenClaims['grant_type']): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const expected = createHmac('sha256', key)
    .update(parts[0] + '.' + parts[1])
    .digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return null;
  }
  const now = Date.now() / 1000;
  if (claims.aud !== aud || claims.grant_type !== grant || claims.exp < now || claims.nbf > now) return null;
  return claims;
}

/** `repository:myapp:pull,push` (several separated by spaces or given as repeated parameters). */
export function parseScopes(values: string[]): Access[] {
  const out: Access[] = [];
  for (const v of values.flatMap((s) => s.split(' ')).filter(Boolean)) {
    // the name may itself hold ":" (a port in a registry name is not used here, but be safe): type first, actions last
    const first = v.indexOf(':');
    const last = v.lastIndexOf(':');
    if (first <= 0 || last === first) continue;
    out.push({
      type: v.slice(0, first),
      name: v.slice(first + 1, last),
      actions: v
        .slice(last + 1)
        .split(',')
        .filter(Boolean),
    });
  }
  return out;
}

export function permits(access: Access[] | undefined, type: string, name: string, action: string): boolean {
  return (access ?? []).some((a) => a.type === type && a.name === name && (a.actions.includes(action) || a.actions.includes('*')));
}
