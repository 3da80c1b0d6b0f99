/**
 * A fake Microsoft Entra ID token service for the simulated directory: the OpenID configuration,
 * the signing keys and `/{tenant}/oauth2/v2.0/token` for the client-credentials grant, as
 * `@azure/identity`'s ClientSecretCredential calls them (with `authorityHost` pointing here and
 * instance discovery off). Tokens are issued only for resources the directory knows (ARM, Graph,
 * the AKS server application, ACR), with the requested resource as audience; errors carry the
 * AADSTS codes Entra answers with.
 */
import { randomUUID } from 'node:crypto';
import { startHttpsService, type Exchange, type LoggedRequest, type TlsPair } from '../arm/https-service.js';
import { AUDIENCES, TokenSigner, type EntraApplication } from './tokens.js';

export interface EntraServer {
  /** https://127.0.0.1:<port>: the credential's authorityHost */
  url: string;
  tenantId: string;
  signer: TokenSigner;
  requests: LoggedRequest[];
  /** every access token handed out so far (tests grep outputs for them) */
  issued(): string[];
  close(): Promise<void>;
}

export interface EntraServerOptions {
  tls: TlsPair;
  tenantId: string;
  /** the directory's signing key (shared with the services that check its tokens); default a new one */
  signer?: TokenSigner;
  applications: EntraApplication[];
  /** resources besides the public ones (the lab's own ARM address, a cloud's ARM resource id) */
  extraResources?: string[];
  /** access token lifetime (Entra's default is 60-90 minutes) */
  lifetimeSeconds?: number;
}

const MAX_KEPT_TOKENS = 10_000;

export async function startEntra(opts: EntraServerOptions): Promise<EntraServer> {
  const signer = opts.signer ?? new TokenSigner(opts.tenantId);
  const issued: string[] = [];
  const lifetime = opts.lifetimeSeconds ?? 3599;
  const known = new Set<string>([...Object.values(AUDIENCES).flat(), ...(opts.extraResources ?? [])].map((r) => r.replace(/\/+$/, '').toLowerCase()));
  let base = '';

  const aadError = (ex: Exchange, status: number, error: string, code: number, description: string) => {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    ex.send(status, {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${base}/error?code=${code}`,
    });
  };

  const openIdConfiguration = (tenant: string) => ({
    token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  });

  async function token(ex: Exchange, tenant: string) {
    if (ex.req.method !== 'POST') return aadError(ex, 405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
    const form = new URLSearchParams((await ex.readBody()).toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') return aadError(ex, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    const clientId = form.get('client_id') ?? '';
    const app = opts.applications.find((a) => a.clientId === clientId);
    if (!app) return aadError(ex, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    if (form.get('client_secret') !== app.clientSecret) {
      return aadError(
        ex,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const resources = scopes.filter((s) => s.endsWith('/.default')).map((s) => s.slice(0, -'/.default'.length));
    if (scopes.length === 0 || resources.length !== 1 || scopes.length !== 1)
      return aadError(
        ex,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    const resource = resources[0];
    if (!known.has(resource.replace(/\/+$/, '').toLowerCase())) {
      return aadError(
        ex,
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    const { token: accessToken } = signer.issue(app, resource, lifetime);
    if (issued.length >= MAX_KEPT_TOKENS) issued.shift();
    issued.push(accessToken);
    ex.send(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
  }

  async function handle(ex: Exchange) {
    const segs = ex.url.pathname.split('/').filter(Boolean);
    const tenant = segs[0] ?? '';
    const rest = segs.slice(1).join('/');
    if (tenant.toLowerCase() !== opts.tenantId.toLowerCase()) {
      return aadError(ex, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    if (ex.req.method === 'GET' && (rest === 'v2.0/.well-known/openid-configuration' || rest === '.well-known/openid-configuration')) return ex.send(200, openIdConfiguration(tenant));
    if (ex.req.method === 'GET' && rest === 'discovery/v2.0/keys') return ex.send(200, signer.jwks());
    if (rest === 'oauth2/v2.0/token') return token(ex, tenant);
    ex.send(404, '', {});
  }

  const service = await startHttpsService(opts.tls, handle, (ex, err) => aadError(ex, 500, 'temporarily_unavailable', 50000, err instanceof Error ? err.message : String(err)));
  base = `https://127.0.0.1:${service.port}`;
  return { url: base, tenantId: opts.tenantId, signer, requests: service.requests, issued: () => [...issued], close: service.close };
}
