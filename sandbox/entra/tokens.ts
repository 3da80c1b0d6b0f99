/**
 * Access tokens as Microsoft Entra issues them to a service principal (client credentials): RS256
 * JWTs signed with the simulated directory's key (published as JWKS), v1 claims (`aud` = the
 * resource asked for, `iss` = sts.windows.net/<tenant>/, `appid`, `oid`, `tid`). Every stand-in that
 * checks a bearer token verifies the signature and then its audience, as the real services do.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

export interface EntraClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  appidacr: '1';
  idp: string;
  oid: string;
  sub: string;
  tid: string;
  uti: string;
  ver: '1.0';
}

/** The directory's applications: who may ask for tokens, and as which service principal. */
export interface EntraApplication {
  clientId: string;
  clientSecret: string;
  /** the object id of its service principal (what role assignments and ARM errors name) */
  objectId: string;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class TokenSigner {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(readonly tenantId: string) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = createHash('sha1')
      .update(this.publicKey.export({ format: 'der', type: 'spki' }))
      .digest('base64url');
  }

  /** The issuer of v1 access tokens, as ARM and AKS see it. */
  get issuer(): string {
    return `https://sts.windows.net/${this.tenantId}/`;
  }

  issue(app: Pick<EntraApplication, 'clientId' | 'objectId'>, audience: string, lifetimeSeconds: number): { token: string; claims: EntraClaims } {
    const now = Math.floor(Date.now() / 1000);
    const claims: EntraClaims = {
      aud: audience,
      iss: this.issuer,
      iat: now,
      nbf: now - 300,
      exp: now + lifetimeSeconds,
      appid: app.clientId,
      appidacr: '1',
      idp: this.issuer,
      oid: app.objectId,
      sub: app.objectId,
      tid: this.tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '1.0',
    };
    const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.kid })) + '.' + b64url(JSON.stringify(claims));
    return { token: head + '.' + b64url(sign('sha256', Buffer.from(head), this.privateKey)), claims };
  }

  /** The claims of a token this directory signed and that is valid now; otherwise undefined. */
  verify(token: string): EntraClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      if (!verify('sha256', Buffer.from(parts[0] + '.' + parts[1]), this.publicKey, Buffer.from(parts[2], 'base64url'))) return undefined;
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string };
      if (header.alg !== 'RS256') return undefined;
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as EntraClaims;
      const now = Date.now() / 1000;
      if (claims.iss !== this.issuer || claims.exp < now || claims.nbf > now) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  /** The signing key as a JSON Web Key Set (what `jwks_uri` serves). */
  jwks(): { keys: Array<Record<string, unknown>> } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e, issuer: `https://login.microsoftonline.com/${this.tenantId}/v2.0` }] };
  }
}

/** Audiences of the services the simulated lab runs, as the real tokens carry them. */
export const AUDIENCES = {
  /** ARM accepts these four (its "allowed audiences"), plus the lab's own ARM address as a cloud's resource id */
  arm: ['https://management.core.windows.net/', 'https://management.core.windows.net', 'https://management.azure.com/', 'https://management.azure.com'],
  graph: ['https://graph.microsoft.com', 'https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000'],
  /** the AKS AAD server application: what kubelogin asks tokens for (--server-id) */
  aks: ['6dae42f8-4368-4678-94ff-3960e28e3630'],
  /** ACR's own Entra audience */
  acr: ['https://containerregistry.azure.net', 'https://containerregistry.azure.net/'],
} as const;

export const AKS_SERVER_APP_ID = AUDIENCES.aks[0];
/** The public client kubelogin signs users in with (its --client-id in AKS kubeconfigs). */
export const AKS_CLIENT_APP_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a';
