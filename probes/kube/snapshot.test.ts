import { describe, expect, it } from 'vitest';
import { ProbeError } from '../types.js';
import { KubeStatusError, type KubeHttp } from './capped-http.js';
import { takeSnapshot } from './snapshot.js';

const forbidden = (resource: string) =>
  new KubeStatusError(403, JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: `${resource} is forbidden: User "student" cannot list resource "${resource}"` }));

const LISTS: Record<string, string> = {
  '/api/v1/namespaces/default/pods': 'pods',
  '/apis/apps/v1/namespaces/default/deployments': 'deployments',
  '/apis/apps/v1/namespaces/default/replicasets': 'replicasets',
  '/api/v1/namespaces/default/services': 'services',
  '/api/v1/namespaces/default/endpoints': 'endpoints',
  '/api/v1/namespaces/default/events': 'events',
  '/api/v1/nodes': 'nodes',
  '/api/v1/secrets': 'secrets (all namespaces)',
  '/api/v1/namespaces/default/secrets': 'secrets',
  '/api/v1/namespaces/kube-system/configmaps': 'configmaps',
  '/api/v1/namespaces/kube-system/serviceaccounts': 'serviceaccounts',
  '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings': 'clusterrolebindings',
};
const ITEMS: Record<string, unknown[]> = {
  pods: [{ metadata: { name: 'myapp' } }],
  secrets: [{ metadata: { name: 'sh.helm.release.v1.greetings.v1' } }],
};

/** The API server reduced to the lists the snapshot reads; `deny` lists the kinds (LISTS' values) that answer 403. */
function http(deny: string[], calls: string[]): KubeHttp {
  return {
    server: 'https://aks.example:443',
    async get<T>(path: string, query?: Record<string, string>) {
      const kind = LISTS[path];
      if (!kind) throw new Error(`unexpected GET ${path}`);
      calls.push(`${kind} ${JSON.stringify(query ?? {})}`);
      if (deny.includes(kind)) throw forbidden(kind);
      return { items: ITEMS[kind] ?? [] } as T;
    },
    async delete() {
      throw new Error('the snapshot never deletes');
    },
  };
}

describe('takeSnapshot', () => {
  it('records a forbidden kind as unreadable and falls back to the namespace for Helm secrets', async () => {
    const calls: string[] = [];
    const snap = await takeSnapshot(http(['events', 'secrets (all namespaces)', 'clusterrolebindings'], calls), 'default');
    expect(snap.unreadable).toEqual({
      events: "list events: forbidden (RBAC): the grader's identity needs get/list on events",
      clusterRoleBindings: "list clusterrolebindings: forbidden (RBAC): the grader's identity needs get/list on clusterrolebindings",
    });
    expect(snap.events).toEqual([]);
    expect(snap.pods).toHaveLength(1);
    expect(snap.helmSecrets).toHaveLength(1);
    expect(calls).toContain('secrets {"labelSelector":"owner=helm,status!=superseded"}');
    expect(calls).toContain('configmaps {"labelSelector":"OWNER=TILLER,STATUS!=SUPERSEDED"}');
    expect(calls.filter((c) => c.startsWith('pods '))).toHaveLength(1);
  });

  it('fails with the verb and resource when pods, deployments and services are all forbidden', async () => {
    const err = await takeSnapshot(http(['pods', 'deployments', 'services'], []), 'default').catch((e) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.detail).toMatchObject({ status: 403, verb: 'list', resource: 'pods', namespace: 'default' });
  });

  it('still answers when only some essential kinds are forbidden', async () => {
    const snap = await takeSnapshot(http(['pods'], []), 'default');
    expect(Object.keys(snap.unreadable)).toEqual(['pods']);
  });
});
