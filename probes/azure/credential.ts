/**
 * Credentials the Azure probe asks for ARM tokens.
 * - `defaultCredential` is the only place a DefaultAzureCredential is made: it may probe the cloud
 *   metadata address (managed identity), so only the CLI calls it, never a test.
 * - `staticTokenCredential` hands out a fixed bearer token (a token fetched elsewhere, and tests).
 * - `servicePrincipalCredential` signs in with a client secret at the configured authority (a
 *   sovereign cloud's, or the simulated lab's directory), trusting the config's extra CA.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential, type DefaultAzureCredentialOptions } from '@azure/identity';
import type { AzureSettings } from '../../core/config.js';
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

export function servicePrincipalCredential(sp: NonNullable<AzureSettings['servicePrincipal']>, caPem?: string): TokenCredential {
  return new ClientSecretCredential(sp.tenantId, sp.clientId, sp.clientSecret.reveal(), {
    authorityHost: sp.authorityHost,
    // instance discovery asks login.microsoftonline.com about the authority: not for a configured one
    disableInstanceDiscovery: sp.authorityHost !== 'https://login.microsoftonline.com',
    ...(caPem ? { tlsOptions: { ca: caPem } } : {}),
  });
}

/** The credential a class config names. */
export function credentialFor(azure: AzureSettings, caPem?: string): TokenCredential {
  if (azure.credential === 'token') return staticTokenCredential(azure.token!);
  if (azure.credential === 'servicePrincipal') return servicePrincipalCredential(azure.servicePrincipal!, caPem);
  return defaultCredential();
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
