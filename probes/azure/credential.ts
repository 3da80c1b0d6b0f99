/**
 * Credentials the Azure probe asks for ARM tokens.
 * - `defaultCredential` is the only place a DefaultAzureCredential is made: it may probe the cloud
 *   metadata address (managed identity), so only the CLI calls it, never a test.
 * - `staticTokenCredential` hands out a fixed bearer token: the simulated lab's class config, and tests.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential, type DefaultAzureCredentialOptions } from '@azure/identity';
import type { Secret } from '../../core/secret.js';

export function defaultCredential(options: DefaultAzureCredentialOptions = {}): TokenCredential {
  return new DefaultAzureCredential(options);
}

/** A fixed token, whatever the scope asked (the ACR client asks `<endpoint>/.default`). */
export function staticTokenCredential(secret: Secret, lifetimeMs = 3_600_000): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token: secret.reveal(), expiresOnTimestamp: Date.now() + lifetimeMs };
    },
  };
}

/** Who a bearer token speaks for, from its JWT claims when it is a JWT (for error messages only). */
export function tokenIdentity(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    const pick = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : undefined);
    const name = pick('upn') ?? pick('unique_name') ?? pick('appid') ?? pick('azp');
    const oid = pick('oid');
    if (name && oid) return `${name} (object id ${oid})`;
    return name ?? (oid ? `object id ${oid}` : undefined);
  } catch {
    return undefined;
  }
}

/**
 * The grader's Entra access token for ARM's audience: what ACR's /oauth2/exchange accepts in exchange
 * for a registry refresh token when a registry's admin user is disabled.
 */
export function armAccessToken(credential: TokenCredential, endpoint: string): () => Promise<string> {
  return async () => {
    const t = await credential.getToken(`${endpoint.replace(/\/+$/, '')}/.default`);
    if (!t) throw new Error('the Azure credential returned no token');
    return t.token;
  };
}
