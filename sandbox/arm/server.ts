/**
 * A fake Azure Resource Manager for the class: HTTPS on 127.0.0.1, one bearer token, every student's
 * resource group with its clusters, registries and role assignments. The project's `@azure/arm-*`
 * clients work against it unchanged except `endpoint`, credential and CA. Path segments are matched
 * case-insensitively, as ARM does; any api-version is accepted (but one is required, as in ARM).
 * Faults are per student, found by the resource group in the path.
 */
import { randomUUID } from 'node:crypto';
import type { Scenario } from '../scenario.js';
import { armErrors, type ArmError } from './errors.js';
import { startHttpsService, type Exchange, type HttpsService, type TlsPair } from './https-service.js';
import { roleByGuid, BUILT_IN_ROLES } from './roles.js';
import { AUDIENCES, type TokenSigner } from '../entra/tokens.js';
import { clusterId, graderIdentity, registryId, resourceGroupId } from './ids.js';
import { mayCall } from '../entra/rights.js';
import {
  agentPoolJson,
  assignmentScope,
  clusterJson,
  createdTime,
  genericResourceJson,
  registryCredentialsJson,
  registryJson,
  resourceGroupJson,
  roleAssignmentJson,
  roleDefinitionJson,
  subscriptionJson,
  userCredentialsJson,
} from './resources.js';

export type ArmStudent = Pick<Scenario, 'user' | 'azure' | 'faults'>;

/** Who called, as ARM names a caller in its authorization errors. */
export interface ArmCaller {
  appId: string;
  objectId: string;
}

/** The caller behind a bearer token, or the 401 ARM answers. */
type ArmAuthenticator = (bearer: string) => ArmCaller | ArmError;

/** The grader's identity when the fake ARM is given one fixed token (tests). */
export const STATIC_CALLER: ArmCaller = { appId: '9f3c6b52-1d7e-4a8b-9c0d-2e4f6a8b0c1d', objectId: '4b7d2e91-6c3a-4f58-8e1b-0d9c7a5f3e26' };

export interface ArmServerOptions {
  tls: TlsPair;
  /** A fixed bearer token every request must carry (tests); `authenticate` takes precedence. */
  token?: string;
  /** The simulated directory: ARM then accepts only its tokens, and only for ARM's audiences (or this server's address). */
  signer?: TokenSigner;
  subscriptionId: string;
  /** The directory the subscription trusts (default: a fixed GUID). */
  tenantId?: string;
  students: ArmStudent[];
  /** the kubeconfig listClusterUserCredential hands out */
  kubeconfigFor(user: string, clusterName: string): string;
}

export interface ArmServer extends HttpsService {
  /** https://127.0.0.1:<port> */
  url: string;
  setStudents(list: ArmStudent[]): void;
}

/** calls of a throttled student that get 429 before it recovers */
const THROTTLED_CALLS = 3;

interface Filter {
  atScope: boolean;
  principalId?: string;
}

/** `$filter` of role assignment lists: atScope(), principalId eq '…', assignedTo('…'), joined with "and" */
function parseFilter(filter: string | null): Filter | null {
  const f: Filter = { atScope: false };
  if (!filter) return f;
  for (const part of filter.trim().split(/\s+and\s+/i)) {
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(part)) f.atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']+)'$/i.exec(part) ?? /^assignedTo\('([^']+)'\)$/i.exec(part))) f.principalId = m[1].toLowerCase();
    else return null;
  }
  return f;
}

const norm = (id: string): string => id.replace(/\/+$/, '').toLowerCase();
/** `outer` is `inner` or one of its parents */
const covers = (outer: string, inner: string): boolean => {
  const o = norm(outer);
  const i = norm(inner);
  return o === '' || i === o || i.startsWith(o + '/');
};

const LIST_USER_CREDENTIAL = 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action';
const LIST_CREDENTIALS = 'Microsoft.ContainerRegistry/registries/listCredentials/action';

export const SANDBOX_TENANT = '8c2f4a61-3b9e-4d07-a5c8-1f6e2d9b7a40';

const isArmError = (x: ArmCaller | ArmError): x is ArmError => 'status' in x;

export async function startArm(opts: ArmServerOptions): Promise<ArmServer> {
  const sub = opts.subscriptionId;
  const tenantId = opts.tenantId ?? SANDBOX_TENANT;
  const tenancy = { subscriptionId: sub, tenantId };
  // Every caller is the grader (the fixed test token stands for it too): its rights decide the actions beyond reading.
  const grader = graderIdentity(tenantId).objectId;
  let ownAudiences: string[] = [];
  const authenticate: ArmAuthenticator = (bearer) => {
    if (opts.signer) {
      const claims = opts.signer.verify(bearer);
      if (!claims) return armErrors.invalidToken();
      if (!(AUDIENCES.arm as readonly string[]).includes(claims.aud) && !ownAudiences.includes(claims.aud)) return armErrors.wrongAudience(claims.aud, AUDIENCES.arm);
      return { appId: claims.appid, objectId: claims.oid };
    }
    if (opts.token === undefined) throw new Error('startArm needs a token or the directory that signs them');
    return bearer === opts.token ? STATIC_CALLER : armErrors.invalidToken();
  };
  let byRg = new Map<string, ArmStudent>();
  const calls = new Map<string, number>();
  const setStudents = (list: ArmStudent[]) => {
    byRg = new Map(list.map((s) => [s.azure.resourceGroup.toLowerCase(), s]));
  };
  setStudents(opts.students);

  /** Lists of a student with the `endless-pages` fault: each answer names a next page, without end. */
  const endless = new WeakSet<Exchange>();
  const reply = (ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const id = randomUUID();
    const paged = endless.has(ex) && status === 200 && Array.isArray((body as { value?: unknown } | undefined)?.value);
    ex.send(status, paged ? { ...(body as object), nextLink: nextPage(ex) } : body, { 'x-ms-request-id': id, 'x-ms-correlation-request-id': id, 'cache-control': 'no-cache', ...headers });
  };
  /** The same list's next page, as ARM links one: absolute, with a `$skiptoken`. */
  const nextPage = (ex: Exchange): string => {
    const url = new URL(ex.url.pathname + ex.url.search, `https://${ex.req.headers.host}`);
    url.searchParams.set('$skiptoken', String(Number(url.searchParams.get('$skiptoken') ?? 0) + 1));
    return url.toString();
  };
  const fail = (ex: Exchange, e: ArmError) => reply(ex, e.status, e.body, e.headers);

  function roleAssignments(ex: Exchange, scopeSegs: string[], students: ArmStudent[]) {
    const scope = '/' + scopeSegs.join('/');
    const filter = parseFilter(ex.url.searchParams.get('$filter'));
    if (!filter) return fail(ex, armErrors.unsupportedFilter(ex.url.searchParams.get('$filter') ?? ''));
    const value = students.flatMap((s) =>
      s.azure.roleAssignments
        .filter((a) => {
          const at = assignmentScope(sub, s.azure, a);
          // no filter: at, above and below the scope; atScope(): at or above only
          return covers(at, scope) || (!filter.atScope && covers(scope, at));
        })
        .map((a) => roleAssignmentJson(sub, s.azure, a, tenantId))
        .filter((ra) => !filter.principalId || ra.properties.principalId === filter.principalId),
    );
    reply(ex, 200, { value });
  }

  function authorization(ex: Exchange, scopeSegs: string[], rest: string[], student: ArmStudent | undefined) {
    if (ex.req.method !== 'GET') return fail(ex, armErrors.noRoute(ex.req.method ?? '', ex.url.pathname));
    const idPrefix = scopeSegs[0]?.toLowerCase() === 'subscriptions' ? `/subscriptions/${sub}` : '';
    if (rest[0] === 'roledefinitions' && rest.length === 2) {
      const role = roleByGuid(rest[1]);
      return role ? reply(ex, 200, roleDefinitionJson(idPrefix, role)) : fail(ex, armErrors.roleDefinitionNotFound(rest[1]));
    }
    if (rest[0] === 'roledefinitions' && rest.length === 1) {
      const byName = /^roleName\s+eq\s+'([^']+)'$/i.exec(ex.url.searchParams.get('$filter') ?? '')?.[1];
      const names = (Object.keys(BUILT_IN_ROLES) as Array<keyof typeof BUILT_IN_ROLES>).filter((n) => !byName || n.toLowerCase() === byName.toLowerCase());
      return reply(ex, 200, { value: names.map((n) => roleDefinitionJson(idPrefix, n)) });
    }
    if (rest[0] === 'roleassignments' && rest.length === 1) return roleAssignments(ex, scopeSegs, student ? [student] : [...byRg.values()]);
    fail(ex, armErrors.noRoute(ex.req.method ?? '', ex.url.pathname));
  }

  /** The group's generic resource list: its clusters and registries, `$filter=resourceType eq '…'` and `$expand=createdTime` as ARM takes them. */
  function resources(ex: Exchange, s: ArmStudent) {
    const rg = s.azure.resourceGroup;
    const filter = ex.url.searchParams.get('$filter');
    const type = filter === null ? undefined : /^resourceType\s+eq\s+'([^']+)'$/i.exec(filter.trim())?.[1]?.toLowerCase();
    if (filter !== null && !type) return fail(ex, armErrors.invalidResourceFilter(filter));
    const expand = (ex.url.searchParams.get('$expand') ?? '').split(',').map((x) => x.trim().toLowerCase());
    const all = [
      // ARM's own list writes `resourceGroups` where AKS's answers write `resourcegroups`: ids compare without case.
      ...s.azure.clusters.map((c, i) => ({
        id: `${resourceGroupId(sub, rg)}/providers/Microsoft.ContainerService/managedClusters/${c.name}`,
        name: c.name,
        type: 'Microsoft.ContainerService/managedClusters',
        createdTime: createdTime('cluster', i),
      })),
      ...s.azure.registries.map((r, i) => ({ id: registryId(sub, rg, r.name), name: r.name, type: 'Microsoft.ContainerRegistry/registries', createdTime: createdTime('registry', i) })),
    ];
    const value = all.filter((r) => !type || r.type.toLowerCase() === type).map((r) => genericResourceJson(r, expand.includes('createdtime')));
    // ARM filters this list late, after paging: a filtered first page may come back empty with only a
    // nextLink to the items (seen with `$filter` and with resources the caller may not read).
    if (filter !== null && !ex.url.searchParams.has('$skiptoken')) return reply(ex, 200, { value: [], nextLink: nextPage(ex) });
    reply(ex, 200, { value });
  }

  /** routes under /subscriptions/{sub}/resourceGroups/{rg}: `rest` is lower case, `names` keeps the case */
  function resourceGroup(ex: Exchange, caller: ArmCaller, s: ArmStudent, rest: string[], names: string[]) {
    const method = ex.req.method;
    const rg = s.azure.resourceGroup;
    const apiVersion = ex.url.searchParams.get('api-version') ?? '';
    const noRoute = () => fail(ex, armErrors.noRoute(method ?? '', ex.url.pathname));
    if (rest.length === 0) return method === 'GET' ? reply(ex, 200, resourceGroupJson(sub, rg)) : noRoute();
    if (rest.length === 1 && rest[0] === 'resources') return method === 'GET' ? resources(ex, s) : noRoute();
    const [p, ns, type, name, action, pool] = rest;
    if (p !== 'providers' || rest.length > 6) return noRoute();
    if (ns === 'microsoft.containerservice' && type === 'managedclusters') {
      if (!name) return method === 'GET' ? reply(ex, 200, { value: s.azure.clusters.map((c) => clusterJson(sub, rg, c, tenantId)) }) : noRoute();
      const c = s.azure.clusters.find((x) => x.name.toLowerCase() === name);
      if (!c) return fail(ex, armErrors.resourceNotFound('Microsoft.ContainerService/managedClusters', names[3], rg));
      if (!action) return method === 'GET' ? reply(ex, 200, clusterJson(sub, rg, c, tenantId)) : noRoute();
      if (action === 'agentpools' && method === 'GET') {
        if (!pool) return reply(ex, 200, { value: [agentPoolJson(sub, rg, c)] });
        return pool === 'nodepool1'
          ? reply(ex, 200, agentPoolJson(sub, rg, c))
          : fail(ex, armErrors.resourceNotFound('Microsoft.ContainerService/managedClusters/agentPools', `${c.name}/${names[5]}`, rg));
      }
      if (action === 'listclusterusercredential' && method === 'POST' && !pool) {
        if (!mayCall(s.azure, tenancy, grader, c.name, LIST_USER_CREDENTIAL)) return fail(ex, armErrors.authorizationFailed(caller, LIST_USER_CREDENTIAL, clusterId(sub, rg, c.name)));
        return reply(ex, 200, userCredentialsJson(opts.kubeconfigFor(s.user, c.name)));
      }
      return noRoute();
    }
    if (ns === 'microsoft.containerregistry' && type === 'registries' && !pool) {
      const created = (i: number) => ({ at: createdTime('registry', i), by: `${s.user}@lab.example` });
      if (!name) return method === 'GET' ? reply(ex, 200, { value: s.azure.registries.map((r, i) => registryJson(sub, rg, r, apiVersion, created(i))) }) : noRoute();
      const i = s.azure.registries.findIndex((x) => x.name.toLowerCase() === name);
      const r = s.azure.registries[i];
      if (!r) return fail(ex, armErrors.resourceNotFound('Microsoft.ContainerRegistry/registries', names[3], rg));
      if (!action) return method === 'GET' ? reply(ex, 200, registryJson(sub, rg, r, apiVersion, created(i))) : noRoute();
      if (action === 'listcredentials' && method === 'POST') {
        // RBAC decides before the resource provider looks at the admin user.
        if (r.listCredentials === 'forbidden' || !mayCall(s.azure, tenancy, grader, r.name, LIST_CREDENTIALS))
          return fail(ex, armErrors.authorizationFailed(caller, LIST_CREDENTIALS, registryId(sub, rg, r.name)));
        return r.adminUserEnabled ? reply(ex, 200, registryCredentialsJson(r)) : fail(ex, armErrors.adminUserDisabled());
      }
    }
    noRoute();
  }

  async function handle(ex: Exchange) {
    const auth = ex.req.headers.authorization;
    if (!auth || !/^Bearer\s/i.test(auth)) return fail(ex, armErrors.missingAuth());
    const caller = authenticate(auth.slice(7).trim());
    if (isArmError(caller)) return fail(ex, caller);
    if (!ex.url.searchParams.get('api-version')) return fail(ex, armErrors.missingApiVersion());
    if (ex.req.method === 'POST') await ex.readBody(); // listCredentials bodies are empty; drain whatever comes

    const segs = ex.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const lower = segs.map((s) => s.toLowerCase());
    // The grader's identity sees the one subscription and every resource group of the class.
    if (segs.length === 1 && lower[0] === 'subscriptions')
      return ex.req.method === 'GET' ? reply(ex, 200, { value: [subscriptionJson(sub, tenantId)] }) : fail(ex, armErrors.noRoute(ex.req.method ?? '', ex.url.pathname));
    if (lower[0] === 'subscriptions' && lower[1] !== sub.toLowerCase()) return fail(ex, armErrors.subscriptionNotFound(segs[1] ?? ''));
    if (ex.req.method === 'GET' && segs.length === 2) return reply(ex, 200, subscriptionJson(sub, tenantId));
    if (ex.req.method === 'GET' && segs.length === 3 && lower[2] === 'resourcegroups') return reply(ex, 200, { value: [...byRg.values()].map((st) => resourceGroupJson(sub, st.azure.resourceGroup)) });
    const rgName = lower[0] === 'subscriptions' && lower[2] === 'resourcegroups' ? segs[3] : undefined;
    const student = rgName ? byRg.get(rgName.toLowerCase()) : undefined;

    if (student) {
      ex.user = student.user;
      ex.delayMs = student.faults.latencyMs;
      const fault = student.faults.arm;
      if (fault === 'hang') return ex.hang();
      if (fault === 'error500') return fail(ex, armErrors.internal(sub, randomUUID()));
      if (fault === 'endless-pages' && ex.req.method === 'GET') {
        endless.add(ex);
        // Past the first page: empty pages, each naming the next.
        if (ex.url.searchParams.has('$skiptoken')) return reply(ex, 200, { value: [] });
      }
      if (fault === 'throttle') {
        const n = (calls.get(student.user) ?? 0) + 1;
        calls.set(student.user, n);
        if (n <= THROTTLED_CALLS) return fail(ex, armErrors.throttled(sub));
      }
    }

    const authz = lower.findIndex((s, i) => s === 'providers' && lower[i + 1] === 'microsoft.authorization');
    if (rgName && !student) return fail(ex, armErrors.resourceGroupNotFound(rgName));
    if (authz >= 0) return authorization(ex, segs.slice(0, authz), lower.slice(authz + 2), student);
    if (student) return resourceGroup(ex, caller, student, lower.slice(4), segs.slice(4));
    fail(ex, armErrors.noRoute(ex.req.method ?? '', ex.url.pathname));
  }

  const service = await startHttpsService(opts.tls, handle, (ex, err) => fail(ex, armErrors.internal(sub, err instanceof Error ? err.message : String(err))));
  ownAudiences = [`https://127.0.0.1:${service.port}`, `https://127.0.0.1:${service.port}/`];
  return Object.assign(service, { url: `https://127.0.0.1:${service.port}`, setStudents });
}
