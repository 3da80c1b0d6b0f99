/**
 * One student's AKS API server over HTTPS on 127.0.0.1: enough of the REST API for real kubectl and
 * @kubernetes/client-node (discovery, get/list with selectors, pod delete, the pod proxy), Status
 * objects for every error, and the scenario's faults (forbidden, error500, hang, latency).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toAppRequest } from '../app/http.js';
import { listenLoopback, serveLoopback } from '../listen.js';
import type { ScenarioFaults } from '../scenario.js';
import { apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import type { KObj } from './manifests.js';
import { resourceByPlural, type ResourceDef } from './resources.js';
import { SelectorError } from './selectors.js';
import { toTable } from './table.js';
import type { ClusterWorld } from './world.js';
import { AKS_CLIENT_APP_ID, AKS_SERVER_APP_ID, type TokenSigner } from '../entra/tokens.js';
import type { KubeAuthorizer, KubeRequest } from './authorization.js';

export type KubeFault = ScenarioFaults['kube'];

export interface RequestLogEntry {
  method: string;
  /** path and query as sent */
  path: string;
  /** 0 while unanswered (e.g. the hang fault) */
  status: number;
  /** Body bytes written so far, for the lists the huge fault streams. */
  bytes?: number;
}

export interface KubeApiServerOptions {
  world: ClusterWorld;
  tls: { cert: string; key: string };
  token: string;
  faults?: KubeFault;
  latencyMs?: number;
  /** Who the token belongs to, as RBAC messages name it. */
  userName?: string;
  /**
   * Entra-integrated (managed AAD, local accounts disabled): only tokens of this directory issued for
   * the AKS server application are accepted, the static token is not; the caller is the token's
   * object id, and `authorize` decides what it may do.
   */
  entra?: TokenSigner;
  /** Without it, an authenticated caller may do everything (the clusterUser of a cluster with local accounts). */
  authorize?: KubeAuthorizer;
}

export interface KubeApiServer {
  url: string;
  port: number;
  requests: RequestLogEntry[];
  /** TLS connections accepted so far (the benchmark checks that the probe reuses one). */
  readonly tlsConnections: number;
  /** Change faults, Entra integration and authorization while running (a reloaded scenario); `null` turns one off. */
  configure(faults: { faults?: KubeFault; latencyMs?: number; entra?: TokenSigner | null; authorize?: KubeAuthorizer | null }): void;
  /**
   * Power the control plane off or on (`az aks stop` / `start`). Off, nothing listens on the port,
   * so clients are refused at once: the nearest loopback gets to the real "no such host" (a stopped
   * cluster's API server name is taken out of DNS). On again, it listens on the same port.
   */
  setRunning(running: boolean): Promise<void>;
  readonly running: boolean;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const status = (e: ApiError): Record<string, unknown> => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: e.message,
  reason: e.reason,
  ...(e.details ? { details: e.details } : {}),
  code: e.code,
});

/** A parsed resource URL: /api/v1/namespaces/ns/pods/name/proxy/rest */
interface ResourceRequest {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** for pods/proxy: the path after /proxy, with the query */
  proxyPath?: string;
}

function parseResourcePath(pathname: string, search: string): ResourceRequest | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') [group, rest] = ['', parts.slice(2)];
  else if (parts[0] === 'apis' && parts[2] === 'v1') [group, rest] = [parts[1], parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const def = resourceByPlural(group, rest[0] ?? '');
  if (!def || (namespace !== undefined && !def.namespaced)) return undefined;
  const [, name, subresource] = rest;
  if (subresource === 'proxy' && def.plural === 'pods') return { def, namespace, name, subresource, proxyPath: '/' + rest.slice(3).join('/') + search };
  if (rest.length > 3 || (subresource !== undefined && subresource !== 'proxy')) return undefined;
  return { def, namespace, name, subresource };
}

const HUGE_PADDING = 'z'.repeat(64 * 1024);

/** The verbs Kubernetes authorizes other methods as (GET and HEAD are get, list or watch). */
const WRITE_VERBS: Record<string, KubeRequest['verb'] | undefined> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

const groupQualified = (def: ResourceDef): string => (def.group ? `${def.plural}.${def.group}` : def.plural);

export async function startKubeApiServer(opts: KubeApiServerOptions): Promise<KubeApiServer> {
  const { world, token } = opts;
  const userName = opts.userName ?? 'clusterUser';
  let faults = opts.faults ?? null;
  let latencyMs = opts.latencyMs ?? 0;
  let entra = opts.entra ?? null;
  let authorize = opts.authorize ?? null;
  /** The caller's user name, or undefined when the credentials are not accepted. */
  const authenticated = (header: string): string | undefined => {
    if (!entra) return header === `Bearer ${token}` ? userName : undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const claims = bearer ? entra.verify(bearer) : undefined;
    return claims?.aud === AKS_SERVER_APP_ID ? claims.oid : undefined;
  };
  const requests: RequestLogEntry[] = [];
  let address = '127.0.0.1:443';

  const send = (res: ServerResponse, entry: RequestLogEntry, code: number, body: unknown): void => {
    entry.status = code;
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
    res.end(text);
  };

  /** What a resource request asks, as an authorizer sees it. */
  function requestOf(method: string, r: ResourceRequest, query: URLSearchParams): KubeRequest {
    const written = WRITE_VERBS[method];
    const verb = written ?? (r.name === undefined ? (query.get('watch') ? 'watch' : 'list') : 'get');
    return { verb, group: r.def.group, resource: r.def.plural, subresource: r.subresource, namespace: r.namespace, name: r.name };
  }

  /** Kubernetes' own 403 Status; `reason` follows the RBAC sentence (AKS's Azure RBAC webhook gives one). */
  function forbidden(user: string, method: string, r: ResourceRequest | undefined, pathname: string, query: URLSearchParams, reason?: string): ApiError {
    if (!r) return new ApiError(403, 'Forbidden', `forbidden: User "${user}" cannot ${method === 'GET' ? 'get' : method.toLowerCase()} path "${pathname}"`, {});
    const { verb, namespace, name } = requestOf(method, r, query);
    const resource = r.subresource ? `${r.def.plural}/${r.subresource}` : r.def.plural;
    const subject = name !== undefined ? `${groupQualified(r.def)} "${name}"` : groupQualified(r.def);
    const where = namespace !== undefined ? `in the namespace "${namespace}"` : 'at the cluster scope';
    return new ApiError(403, 'Forbidden', `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${r.def.group}" ${where}${reason ? `: ${reason}` : ''}`, {
      ...(name !== undefined ? { name } : {}),
      ...(r.def.group ? { group: r.def.group } : {}),
      kind: r.def.plural,
    });
  }

  const notFound = (r: ResourceRequest): ApiError =>
    new ApiError(404, 'NotFound', `${groupQualified(r.def)} "${r.name}" not found`, { name: r.name, ...(r.def.group ? { group: r.def.group } : {}), kind: r.def.plural });

  const wantsTable = (req: IncomingMessage): boolean => /as=Table/.test(req.headers.accept ?? '') && /g=meta\.k8s\.io/.test(req.headers.accept ?? '');

  async function handle(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kube');
    const { pathname, searchParams: query } = url;
    const method = req.method ?? 'GET';
    const user = authenticated(req.headers.authorization ?? '');
    if (user === undefined) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    const r = parseResourcePath(pathname, url.search);
    if (faults === 'forbidden') throw forbidden(user, method, r, pathname, query);
    if (r && authorize) {
      const decision = authorize(user, requestOf(method, r, query));
      if (!decision.allowed) throw forbidden(user, method, r, pathname, query, decision.reason);
    }
    if (faults === 'error500') throw new ApiError(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out', { causes: [{ message: 'etcdserver: request timed out' }] });

    if (!r) {
      if (method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
      const discovery =
        pathname === '/version'
          ? versionInfo()
          : pathname === '/api'
            ? apiVersions(address)
            : pathname === '/apis'
              ? apiGroupList()
              : pathname === '/api/v1'
                ? apiResourceList('')
                : /^\/apis\/[^/]+\/v1$/.test(pathname)
                  ? apiResourceList(pathname.split('/')[2])
                  : undefined;
      if (!discovery) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
      return send(res, entry, 200, discovery);
    }

    if (r.subresource === 'proxy') return proxy(req, res, entry, r);
    if (method === 'DELETE' && r.def.plural === 'pods' && r.name !== undefined && r.namespace !== undefined) {
      const deleted = world.deletePod(r.namespace, r.name);
      if (!deleted) throw notFound(r);
      return send(res, entry, 200, deleted);
    }
    if (method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    if (query.get('watch') === 'true' || query.get('watch') === '1') throw new ApiError(405, 'MethodNotAllowed', 'watch is not supported by this simulated API server', {});

    if (r.name !== undefined) {
      const obj = world.get(r.def.plural, r.def.namespaced ? r.namespace : undefined, r.name);
      if (!obj || (r.def.namespaced && r.namespace === undefined)) throw notFound(r);
      const table = wantsTable(req) ? toTable(r.def.plural, [obj], obj.metadata.resourceVersion ?? '') : undefined;
      return send(res, entry, 200, table ?? obj);
    }
    let items: KObj[];
    try {
      items = world.list(r.def.plural, r.namespace, { labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined });
    } catch (e) {
      if (e instanceof SelectorError) throw new ApiError(400, 'BadRequest', e.message);
      throw e;
    }
    const rv = world.resourceVersion;
    const table = wantsTable(req) ? toTable(r.def.plural, items, rv) : undefined;
    if (table) return send(res, entry, 200, table);
    // Real lists leave kind/apiVersion off their items (kubectl adds them back for -o json).
    const bare = items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
    const list = { kind: `${r.def.kind}List`, apiVersion: r.def.group ? `${r.def.group}/v1` : 'v1', metadata: { resourceVersion: rv }, items: bare };
    if (faults === 'huge') return endlessList(res, entry, list, r.namespace);
    return send(res, entry, 200, list);
  }

  /**
   * faults.kube huge: the list's items, then generated objects of 64 KiB each (labelled like Helm's
   * records) without end, as thousands of large Secrets or Pods would make it. Written as fast as the
   * client reads (backpressure), so it costs the server nothing; `entry.bytes` counts what was sent.
   */
  function endlessList(res: ServerResponse, entry: RequestLogEntry, list: { items: unknown[] }, namespace = 'default'): void {
    entry.status = 200;
    entry.bytes = 0;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    const write = (text: string): boolean => {
      entry.bytes! += Buffer.byteLength(text);
      return res.write(text);
    };
    const head = JSON.stringify(list);
    write(head.slice(0, head.lastIndexOf(']')));
    let n = 0;
    const pump = (): void => {
      for (;;) {
        if (res.destroyed) return;
        const item = { metadata: { name: `bulk-${n}`, namespace, labels: { owner: 'helm', name: `bulk-${n}` }, annotations: { padding: HUGE_PADDING } } };
        const more = write(`${list.items.length || n ? ',' : ''}${JSON.stringify(item)}`);
        n++;
        if (!more) return void res.once('drain', pump);
      }
    };
    pump();
  }

  async function proxy(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry, r: ResourceRequest): Promise<void> {
    const [podName, portText] = (r.name ?? '').split(':');
    const target = world.podProxyTarget(r.namespace ?? 'default', podName, portText ? Number(portText) : undefined);
    if (target.kind === 'missing') throw notFound({ ...r, name: podName });
    if (target.kind === 'unavailable') throw new ApiError(503, 'ServiceUnavailable', target.message);
    const answer = await target.handler(await toAppRequest(req, r.proxyPath ?? '/'));
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    entry.status = answer.status;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': body.length });
    res.end(body);
  }

  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0 };
    requests.push(entry);
    if (faults === 'hang') return; // never answer; close() destroys the socket
    const answer = async (): Promise<void> => {
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      try {
        await handle(req, res, entry);
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
        if (!res.headersSent) send(res, entry, err.code, status(err));
        else res.destroy();
      }
    };
    void answer();
  });
  let tlsConnections = 0;
  server.on('secureConnection', () => tlsConnections++);
  const { port, stop } = await serveLoopback(server);
  address = `127.0.0.1:${port}`;
  let running = true;
  let closed = false;
  let powering = Promise.resolve();
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    requests,
    get tlsConnections() {
      return tlsConnections;
    },
    configure(next) {
      if (next.faults !== undefined) faults = next.faults;
      if (next.latencyMs !== undefined) latencyMs = next.latencyMs;
      if (next.entra !== undefined) entra = next.entra;
      if (next.authorize !== undefined) authorize = next.authorize;
    },
    get running() {
      return running;
    },
    setRunning(on) {
      powering = powering.then(async () => {
        if (closed || on === running) return;
        running = on;
        if (on) await listenLoopback(server, port);
        else await stop();
      });
      return powering;
    },
    async close() {
      closed = true;
      await powering;
      if (running) await stop();
    },
  };
}

interface KubeconfigTarget {
  server: string;
  caPem: string;
  clusterName: string;
  userName: string;
  namespace?: string;
}

/** A kubeconfig as `az aks get-credentials` writes it: this server and its CA, one context, and the user's `user:` entry (`credentials`, indented under it). */
function kubeconfigText(t: KubeconfigTarget, credentials: string): string {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(t.caPem).toString('base64')}
    server: ${t.server}
  name: ${t.clusterName}
contexts:
- context:
    cluster: ${t.clusterName}
    user: ${t.userName}${t.namespace ? `\n    namespace: ${t.namespace}` : ''}
  name: ${t.clusterName}
current-context: ${t.clusterName}
kind: Config
preferences: {}
users:
- name: ${t.userName}
  user:
${credentials}`;
}

/**
 * The user kubeconfig of an Entra-integrated cluster as AKS hands it out: a kubelogin `exec` user
 * (client.authentication.k8s.io/v1beta1, device-code login against the AKS server application).
 */
export function entraKubeconfigFor(opts: KubeconfigTarget & { tenantId: string }): string {
  return kubeconfigText(
    opts,
    `    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - ${AKS_SERVER_APP_ID}
      - --client-id
      - ${AKS_CLIENT_APP_ID}
      - --tenant-id
      - ${opts.tenantId}
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.

        To learn more, please go to https://aka.ms/aks/kubelogin
      provideClusterInfo: false
`,
  );
}

/** A kubeconfig for this server with a token user (the cluster user's, unless `userName` says). */
export function kubeconfigFor(opts: Omit<KubeconfigTarget, 'userName'> & { token: string; userName?: string }): string {
  return kubeconfigText({ ...opts, userName: opts.userName ?? `clusterUser_${opts.clusterName}` }, `    token: ${opts.token}\n`);
}
