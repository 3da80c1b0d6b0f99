/**
 * Microsoft Graph, for the one thing ARM cannot tell: the object id of a service principal from its
 * application (client) id. A service-principal cluster pulls images as that principal, and role
 * assignments name principals by object id. The grader's identity may not be allowed to read Graph;
 * then the answer says why, and the checks let the running pods decide.
 */
import type { TokenCredential } from '@azure/core-auth';
import { bearerTokenAuthenticationPolicy, createDefaultHttpClient, createPipelineFromOptions, createPipelineRequest, type TlsSettings } from '@azure/core-rest-pipeline';
import { errorMessage } from '../../core/errors.js';
import type { PrincipalLookup } from './map.js';
import { sharedSecureContext, trustedCas } from '../tls.js';

export const PUBLIC_GRAPH_ENDPOINT = 'https://graph.microsoft.com';

export interface GraphOptions {
  credential: TokenCredential;
  endpoint?: string;
  ca?: string;
  timeoutMs?: number;
}

/** Looks principals up once per application id for the whole run (every student's cluster has its own). */
export function servicePrincipalLookup(opts: GraphOptions): (clientId: string) => Promise<PrincipalLookup> {
  const endpoint = (opts.endpoint ?? PUBLIC_GRAPH_ENDPOINT).replace(/\/+$/, '');
  const ca = trustedCas(opts.ca);
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 2 }, ...(ca ? { tlsOptions: { secureContext: sharedSecureContext(ca) } as TlsSettings } : {}) });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: opts.credential, scopes: `${endpoint}/.default` }));
  const http = createDefaultHttpClient();
  const cache = new Map<string, Promise<PrincipalLookup>>();

  const lookup = async (clientId: string): Promise<PrincipalLookup> => {
    const url = `${endpoint}/v1.0/servicePrincipals(appId='${encodeURIComponent(clientId)}')?$select=id`;
    try {
      const res = await pipeline.sendRequest(http, createPipelineRequest({ url, method: 'GET', timeout: opts.timeoutMs ?? 20_000 }));
      const body = JSON.parse(res.bodyAsText || '{}') as { id?: string; error?: { code?: string; message?: string } };
      if (res.status === 200 && typeof body.id === 'string') return { objectId: body.id.toLowerCase() };
      const why = body.error?.code ? `${body.error.code}${body.error.message ? `: ${body.error.message}` : ''}` : `HTTP ${res.status}`;
      if (res.status === 404) return { unresolved: `Microsoft Graph knows no service principal with application id ${clientId} (${why})` };
      return { unresolved: `Microsoft Graph did not tell the service principal's object id to the grader (${why})` };
    } catch (err) {
      return { unresolved: `Microsoft Graph could not be asked for the service principal's object id: ${errorMessage(err)}` };
    }
  };

  return (clientId) => {
    const key = clientId.toLowerCase();
    let hit = cache.get(key);
    if (!hit) {
      hit = lookup(clientId);
      cache.set(key, hit);
    }
    return hit;
  };
}
