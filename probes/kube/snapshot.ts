/**
 * One read of the student's cluster: every kind the checks look at, each listed once, in parallel.
 * A list the grader may not read is recorded in `unreadable` (the checks that need it report
 * `error`); only when the essential kinds are all unreadable does the snapshot itself fail.
 */
import { grantCommand, MissingRightError, ProbeError, type KubeListKind, type KubeSnapshot } from '../types.js';
import { KubeStatusError, type KubeHttp } from './capped-http.js';
import { describeKubeFailure, type KubeFailure } from './errors.js';
import type { ClusterRef } from './rights.js';

/** Helm 2 keeps its records (and tiller) in kube-system. */
const TILLER_NAMESPACE = 'kube-system';
/** Without these nothing of Exercises 5–7 can be graded. */
const ESSENTIAL: KubeListKind[] = ['pods', 'deployments', 'services'];

const is403 = (err: unknown) => err instanceof KubeStatusError && err.code === 403;

/** `cluster`: which cluster this is, for the commands that grant a right the grader lacks there. */
export async function takeSnapshot(http: KubeHttp, namespace: string, cluster?: ClusterRef): Promise<KubeSnapshot> {
  const list = (path: string, query?: Record<string, string>) => http.get<{ items?: unknown[] | null }>(path, query);
  const ns = (name: string, resource: string, group = '/api/v1') => `${group}/namespaces/${encodeURIComponent(name)}/${resource}`;
  const apps = '/apis/apps/v1';
  // Helm keeps every revision of a release (10 by default, tiller all of them) and only the newest is
  // graded: superseded revisions are left on the server, or a long history of large charts would pass
  // the answer cap (capped-http.ts) and leave a real student's Helm checks in error.
  const helm = { labelSelector: 'owner=helm,status!=superseded' };
  // resource name (for messages) and the one call that lists it
  const lists: Record<KubeListKind, [string, () => Promise<{ items?: unknown[] | null }>]> = {
    pods: ['pods', () => list(ns(namespace, 'pods'))],
    deployments: ['deployments', () => list(ns(namespace, 'deployments', apps))],
    replicaSets: ['replicasets', () => list(ns(namespace, 'replicasets', apps))],
    services: ['services', () => list(ns(namespace, 'services'))],
    endpoints: ['endpoints', () => list(ns(namespace, 'endpoints'))],
    events: ['events', () => list(ns(namespace, 'events'))],
    nodes: ['nodes', () => list('/api/v1/nodes')],
    // Helm 3 stores a release in the namespace it was installed to: look everywhere the grader may,
    // falling back to the graded namespace when cluster-wide reads are forbidden.
    helmSecrets: ['secrets', () => list('/api/v1/secrets', helm).catch((err) => (is403(err) ? list(ns(namespace, 'secrets'), helm) : Promise.reject(err)))],
    helmConfigMaps: ['configmaps', () => list(ns(TILLER_NAMESPACE, 'configmaps'), { labelSelector: 'OWNER=TILLER,STATUS!=SUPERSEDED' })],
    serviceAccounts: ['serviceaccounts', () => list(ns(TILLER_NAMESPACE, 'serviceaccounts'))],
    clusterRoleBindings: ['clusterrolebindings', () => list('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings')],
  };
  const kinds = Object.keys(lists) as KubeListKind[];
  const settled = await Promise.all(
    kinds.map(async (kind) => {
      const [resource, list] = lists[kind];
      try {
        return { kind, items: (await list()).items };
      } catch (err) {
        return { kind, failure: describeKubeFailure('list', resource, err, http.server, cluster) };
      }
    }),
  );
  const snapshot = {
    takenAt: new Date().toISOString(),
    server: http.server,
    namespace,
    unreadable: {} as Record<string, string>,
  } as KubeSnapshot;
  const failures: Partial<Record<KubeListKind, KubeFailure>> = {};
  for (const r of settled) {
    (snapshot as unknown as Record<string, unknown>)[r.kind] = r.items ?? [];
    if (r.failure) {
      failures[r.kind] = r.failure;
      snapshot.unreadable[r.kind] = r.failure.message;
      if (r.failure.missing) (snapshot.missingRights ??= {})[r.kind] = r.failure.missing;
    }
  }
  if (ESSENTIAL.every((k) => failures[k])) throw essentialError(failures, namespace, http.server);
  return snapshot;
}

function essentialError(failures: Partial<Record<KubeListKind, KubeFailure>>, namespace: string, server: string): ProbeError {
  const first = failures.pods!;
  const missing = ESSENTIAL.every((k) => failures[k]?.missing) ? first.missing : undefined;
  if (missing) {
    return new MissingRightError(
      'kube',
      `the API server refused the grader's identity ${missing.principal} every list of pods, deployments and services in namespace ${namespace} (403 Forbidden): it needs ${missing.right} on ${missing.scope}; grant it with: ${grantCommand(missing)}`,
      missing,
      { status: 403, verb: 'list', resource: 'pods', namespace, server },
    );
  }
  if (ESSENTIAL.every((k) => failures[k]?.status === 403)) {
    return new ProbeError('kube', `the grader's identity may not list pods, deployments or services in namespace ${namespace} (forbidden, RBAC): it needs get/list on pods, deployments and services`, {
      status: 403,
      verb: 'list',
      resource: 'pods',
      namespace,
      server,
    });
  }
  return new ProbeError('kube', first.message, {
    verb: 'list',
    resource: 'pods',
    namespace,
    server,
    ...(first.status ? { status: first.status } : {}),
    ...(first.limitBytes ? { limitBytes: first.limitBytes } : {}),
  });
}
