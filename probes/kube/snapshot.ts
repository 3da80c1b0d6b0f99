/**
 * One read of the student's cluster: every kind the checks look at, each listed once, in parallel.
 * A list the grader may not read is recorded in `unreadable` (the checks that need it report
 * `error`); only when the essential kinds are all unreadable does the snapshot itself fail.
 */
import type { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import { grantCommand, MissingRightError, ProbeError, type KubeListKind, type KubeSnapshot } from '../types.js';
import { describeKubeFailure, type KubeFailure } from './errors.js';
import type { ClusterRef } from './rights.js';

export interface KubeApis {
  server: string;
  /** which cluster, for the commands that grant a right the grader lacks there */
  cluster?: ClusterRef;
  core: CoreV1Api;
  apps: AppsV1Api;
  rbac: RbacAuthorizationV1Api;
}

/** Helm 2 keeps its records (and tiller) in kube-system. */
const TILLER_NAMESPACE = 'kube-system';
/** Without these nothing of Exercises 5–7 can be graded. */
const ESSENTIAL: KubeListKind[] = ['pods', 'deployments', 'services'];

const is403 = (err: unknown) => err instanceof ApiException && err.code === 403;

export async function takeSnapshot(apis: KubeApis, namespace: string): Promise<KubeSnapshot> {
  const { core, apps, rbac } = apis;
  // Helm keeps every revision of a release (10 by default, tiller all of them) and only the newest is
  // graded: superseded revisions are left on the server, or a long history of large charts would pass
  // the answer cap (capped-http.ts) and leave a real student's Helm checks in error.
  const helm = { labelSelector: 'owner=helm,status!=superseded' };
  // resource name (for messages) and the one call that lists it
  const lists: Record<KubeListKind, [string, () => Promise<{ items: unknown[] }>]> = {
    pods: ['pods', () => core.listNamespacedPod({ namespace })],
    deployments: ['deployments', () => apps.listNamespacedDeployment({ namespace })],
    replicaSets: ['replicasets', () => apps.listNamespacedReplicaSet({ namespace })],
    services: ['services', () => core.listNamespacedService({ namespace })],
    endpoints: ['endpoints', () => core.listNamespacedEndpoints({ namespace })],
    events: ['events', () => core.listNamespacedEvent({ namespace })],
    nodes: ['nodes', () => core.listNode()],
    // Helm 3 stores a release in the namespace it was installed to: look everywhere the grader may,
    // falling back to the graded namespace when cluster-wide reads are forbidden.
    helmSecrets: ['secrets', () => core.listSecretForAllNamespaces(helm).catch((err) => (is403(err) ? core.listNamespacedSecret({ namespace, ...helm }) : Promise.reject(err)))],
    helmConfigMaps: ['configmaps', () => core.listNamespacedConfigMap({ namespace: TILLER_NAMESPACE, labelSelector: 'OWNER=TILLER,STATUS!=SUPERSEDED' })],
    serviceAccounts: ['serviceaccounts', () => core.listNamespacedServiceAccount({ namespace: TILLER_NAMESPACE })],
    clusterRoleBindings: ['clusterrolebindings', () => rbac.listClusterRoleBinding()],
  };
  const kinds = Object.keys(lists) as KubeListKind[];
  const settled = await Promise.all(
    kinds.map(async (kind) => {
      const [resource, list] = lists[kind];
      try {
        return { kind, items: (await list()).items };
      } catch (err) {
        return { kind, failure: describeKubeFailure('list', resource, err, apis.server, apis.cluster) };
      }
    }),
  );
  const snapshot = {
    takenAt: new Date().toISOString(),
    server: apis.server,
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
  if (ESSENTIAL.every((k) => failures[k])) throw essentialError(failures, namespace, apis.server);
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
