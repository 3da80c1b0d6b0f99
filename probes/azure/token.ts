/**
 * Azure tokens without the SDKs: a fixed token, who a token speaks for, and the class config's
 * credential, whose @azure/identity implementation (probes/azure/credential.ts) is imported on the
 * first token asked for. Light enough for every start: nothing here loads an Azure package.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { AzureSettings } from '../../core/config.js';
import type { Secret } from '../../core/secret.js';

/** A fixed token, whatever the scope asked (the ACR client asks `<endpoint>/.default`). */
export function staticTokenCredential(secret: Secret, lifetimeMs = 3_600_000): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token: secret.reveal(), expiresOnTimestamp: Date.now() + lifetimeMs };
    },
  };
}

/** The credential a class config names: a fixed token at once, an identity's when it first signs in. */
export function credentialFor(azure: AzureSettings, caPem?: string): TokenCredential {
  if (azure.credential === 'token') return staticTokenCredential(azure.token!);
  if (azure.credential === 'servicePrincipal') return servicePrincipalLogin(azure.servicePrincipal!, caPem);
  return lazyCredential(async () => (await import('./credential.js')).defaultCredential());
}

/**
 * A service principal signed in at its authority, asking it for a token of each scope asked (ARM's,
 * the AKS server application's…), as `az login --service-principal` does; signed in on the first token.
 */
export function servicePrincipalLogin(sp: NonNullable<AzureSettings['servicePrincipal']>, caPem?: string): TokenCredential {
  return lazyCredential(async () => (await import('./credential.js')).servicePrincipalCredential(sp, caPem));
}

/** A credential made on its first token (one instance: its token cache is shared by every caller). */
function lazyCredential(make: () => Promise<TokenCredential>): TokenCredential {
  let made: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      return (await (made ??= make())).getToken(scopes, options);
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
