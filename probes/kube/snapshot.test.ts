import { ApiException, type AppsV1Api, type CoreV1Api, type RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../types.js';
import { takeSnapshot } from './snapshot.js';

const forbidden = (resource: string) =>
  new ApiException(
    403,
    'HTTP-Code: 403',
    JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: `${resource} is forbidden: User "student" cannot list resource "${resource}"` }),
    {},
  );

/** client-node's API classes reduced to the calls the snapshot makes; `deny` lists method names that answer 403. */
function apis(deny: string[], calls: string[]) {
  const list =
    (name: string, items: unknown[] = []) =>
    async (param?: unknown) => {
      calls.push(`${name} ${JSON.stringify(param ?? {})}`);
      if (deny.includes(name)) throw forbidden(name);
      return { items };
    };
  const core = {
    listNamespacedPod: list('listNamespacedPod', [{ metadata: { name: 'myapp' } }]),
    listNamespacedService: list('listNamespacedService'),
    listNamespacedEndpoints: list('listNamespacedEndpoints'),
    listNamespacedEvent: list('listNamespacedEvent'),
    listNode: list('listNode'),
    listSecretForAllNamespaces: list('listSecretForAllNamespaces'),
    listNamespacedSecret: list('listNamespacedSecret', [{ metadata: { name: 'sh.helm.release.v1.greetings.v1' } }]),
    listNamespacedConfigMap: list('listNamespacedConfigMap'),
    listNamespacedServiceAccount: list('listNamespacedServiceAccount'),
  } as unknown as CoreV1Api;
  const apps = { listNamespacedDeployment: list('listNamespacedDeployment'), listNamespacedReplicaSet: list('listNamespacedReplicaSet') } as unknown as AppsV1Api;
  const rbac = { listClusterRoleBinding: list('listClusterRoleBinding') } as unknown as RbacAuthorizationV1Api;
  return { server: 'https://aks.example:443', core, apps, rbac };
}

describe('takeSnapshot', () => {
  it('records a forbidden kind as unreadable and falls back to the namespace for Helm secrets', async () => {
    const calls: string[] = [];
    const snap = await takeSnapshot(apis(['listNamespacedEvent', 'listSecretForAllNamespaces', 'listClusterRoleBinding'], calls), 'default');
    expect(snap.unreadable).toEqual({
      events: "list events: forbidden (RBAC): the grader's identity needs get/list on events",
      clusterRoleBindings: "list clusterrolebindings: forbidden (RBAC): the grader's identity needs get/list on clusterrolebindings",
    });
    expect(snap.events).toEqual([]);
    expect(snap.pods).toHaveLength(1);
    expect(snap.helmSecrets).toHaveLength(1);
    expect(calls).toContain('listNamespacedSecret {"namespace":"default","labelSelector":"owner=helm,status!=superseded"}');
    expect(calls).toContain('listNamespacedConfigMap {"namespace":"kube-system","labelSelector":"OWNER=TILLER,STATUS!=SUPERSEDED"}');
    expect(calls.filter((c) => c.startsWith('listNamespacedPod'))).toHaveLength(1);
  });

  it('fails with the verb and resource when pods, deployments and services are all forbidden', async () => {
    const err = await takeSnapshot(apis(['listNamespacedPod', 'listNamespacedDeployment', 'listNamespacedService'], []), 'default').catch((e) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.detail).toMatchObject({ status: 403, verb: 'list', resource: 'pods', namespace: 'default' });
  });

  it('still answers when only some essential kinds are forbidden', async () => {
    const snap = await takeSnapshot(apis(['listNamespacedPod'], []), 'default');
    expect(Object.keys(snap.unreadable)).toEqual(['pods']);
  });
});
