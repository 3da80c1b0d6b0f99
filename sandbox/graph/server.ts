/**
 * A fake Microsoft Graph (v1.0) for the lookups a grader needs: a service principal by its
 * application id, `GET /v1.0/servicePrincipals(appId='…')` or `?$filter=appId eq '…'`, for the
 * class's clusters (their service principals, and the managed identities of managed-identity
 * clusters). Only Graph-audience tokens of the simulated directory are accepted, and a student whose
 * scenario says the grader may not read Graph gets Graph's 403 Authorization_RequestDenied.
 */
import { randomUUID } from 'node:crypto';
import { clusterIdentity } from '../arm/ids.js';
import { startHttpsService, type Exchange, type LoggedRequest, type TlsPair } from '../arm/https-service.js';
import type { Scenario } from '../scenario.js';
import { AUDIENCES, type TokenSigner } from '../entra/tokens.js';

export type GraphStudent = Pick<Scenario, 'user' | 'azure'>;

export interface GraphServerOptions {
  tls: TlsPair;
  signer: TokenSigner;
  subscriptionId: string;
  students: GraphStudent[];
}

export interface GraphServer {
  /** https://127.0.0.1:<port> (stands in for https://graph.microsoft.com) */
  url: string;
  requests: LoggedRequest[];
  setStudents(list: GraphStudent[]): void;
  close(): Promise<void>;
}

interface DirectoryEntry {
  user: string;
  forbidden: boolean;
  body: Record<string, unknown>;
}

const GRAPH_AUDIENCES = new Set<string>(AUDIENCES.graph);

/** Every service principal the class's clusters bring, by application id (lower case). */
function directory(sub: string, students: GraphStudent[]): Map<string, DirectoryEntry> {
  const out = new Map<string, DirectoryEntry>();
  for (const s of students) {
    const forbidden = s.azure.graph === 'forbidden';
    for (const c of s.azure.clusters) {
      const id = clusterIdentity(sub, s.azure.resourceGroup, c.name, c.identity);
      const entries =
        id.kind === 'servicePrincipal'
          ? [{ appId: id.appId, id: id.objectId, displayName: id.displayName, servicePrincipalType: 'Application', servicePrincipalNames: [id.appId] }]
          : [
              {
                appId: id.kubelet.clientId,
                id: id.kubelet.objectId,
                displayName: `${c.name}-agentpool`,
                servicePrincipalType: 'ManagedIdentity',
                servicePrincipalNames: [id.kubelet.clientId, id.kubelet.resourceId],
              },
            ];
      for (const e of entries) {
        out.set(e.appId.toLowerCase(), {
          user: s.user,
          forbidden,
          body: {
            id: e.id,
            deletedDateTime: null,
            accountEnabled: true,
            appDisplayName: e.displayName,
            appId: e.appId,
            displayName: e.displayName,
            servicePrincipalNames: e.servicePrincipalNames,
            servicePrincipalType: e.servicePrincipalType,
            tags: [],
          },
        });
      }
    }
  }
  return out;
}

export async function startGraph(opts: GraphServerOptions): Promise<GraphServer> {
  let entries = directory(opts.subscriptionId, opts.students);
  let base = '';

  const graphError = (ex: Exchange, status: number, code: string, message: string) => {
    const id = randomUUID();
    ex.send(
      status,
      { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': id, 'client-request-id': id } } },
      { 'request-id': id, 'client-request-id': id },
    );
  };
  const denied = (ex: Exchange) => graphError(ex, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  const entity = (e: DirectoryEntry) => ({ '@odata.context': `${base}/v1.0/$metadata#servicePrincipals/$entity`, ...e.body });

  async function handle(ex: Exchange) {
    const auth = /^Bearer\s+(\S+)$/i.exec(ex.req.headers.authorization ?? '');
    if (!auth) return graphError(ex, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const claims = opts.signer.verify(auth[1]);
    if (!claims) return graphError(ex, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    // Its own address is an audience too, as the simulated ARM's is: the grader asks for its configured endpoint.
    if (!GRAPH_AUDIENCES.has(claims.aud) && claims.aud !== base && claims.aud !== `${base}/`)
      return graphError(ex, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    if (ex.req.method !== 'GET') return graphError(ex, 405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');

    const path = decodeURIComponent(ex.url.pathname);
    const byAppId = /^\/v1\.0\/servicePrincipals\(appId='([^']*)'\)$/i.exec(path);
    if (byAppId) {
      const e = entries.get(byAppId[1].toLowerCase());
      if (e) ex.user = e.user;
      if (e?.forbidden) return denied(ex);
      return e ? ex.send(200, entity(e)) : graphError(ex, 404, 'Request_ResourceNotFound', `Resource '${byAppId[1]}' does not exist or one of its queried reference-property objects are not present.`);
    }
    if (/^\/v1\.0\/servicePrincipals$/i.test(path)) {
      const filter = /^appId eq '([^']*)'$/i.exec(ex.url.searchParams.get('$filter') ?? '');
      if (!filter) return graphError(ex, 400, 'Request_UnsupportedQuery', "The simulated Graph supports only $filter=appId eq '…' on servicePrincipals.");
      const e = entries.get(filter[1].toLowerCase());
      if (e) ex.user = e.user;
      if (e?.forbidden) return denied(ex);
      return ex.send(200, { '@odata.context': `${base}/v1.0/$metadata#servicePrincipals`, value: e ? [e.body] : [] });
    }
    graphError(ex, 400, 'BadRequest', `Resource not found for the segment '${path.split('/').filter(Boolean).pop() ?? ''}'.`);
  }

  const service = await startHttpsService(opts.tls, handle, (ex, err) => graphError(ex, 500, 'generalException', err instanceof Error ? err.message : String(err)));
  base = `https://127.0.0.1:${service.port}`;
  return {
    url: base,
    requests: service.requests,
    setStudents(list) {
      entries = directory(opts.subscriptionId, list);
    },
    close: service.close,
  };
}
