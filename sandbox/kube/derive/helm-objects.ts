/**
 * Helm's traces in the cluster: the release record (Helm 3: a Secret in the release namespace; Helm 2:
 * a ConfigMap in kube-system, written by tiller) and tiller itself as `helm init` installs it.
 */
import type { Scenario } from '../../scenario.js';
import { helmRecords } from '../helm.js';
import type { KObj } from '../manifests.js';
import { meta } from '../objects.js';
import { ago, type ClusterState } from '../state.js';

type HelmRelease = NonNullable<Scenario['kubernetes']>['helm'][number];

const TILLER_IMAGE = 'gcr.io/kubernetes-helm/tiller:v2.16.12';

/** The release's records `helm list` and `helm history` read; `manifest` is what the release applied. */
export function putHelmRecord(w: ClusterState, release: HelmRelease, manifest: string): void {
  const deployedAt = ago(w, 30);
  for (const record of helmRecords(release, deployedAt, manifest)) {
    const { name, namespace, labels } = record.metadata;
    const uidKey = record.kind === 'Secret' ? `secret/${namespace}/${name}` : `cm/${namespace}/${name}`;
    w.store.put({ ...record, metadata: meta({ name, namespace, labels, creationTimestamp: deployedAt, uid: w.ids.uid(uidKey), resourceVersion: w.store.nextRv() }) });
  }
}

/** `kubectl create serviceaccount tiller`, the cluster-admin binding, and `helm init`'s Deployment. */
export function tillerObjects(): KObj[] {
  const labels = { app: 'helm', name: 'tiller' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'tiller', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'tiller' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'tiller', namespace: 'kube-system' }],
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'tiller-deploy', namespace: 'kube-system', labels },
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'tiller', port: 44134, targetPort: 'tiller' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'tiller-deploy', namespace: 'kube-system', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: true,
            serviceAccountName: 'tiller',
            containers: [
              {
                name: 'tiller',
                image: TILLER_IMAGE,
                env: [
                  { name: 'TILLER_NAMESPACE', value: 'kube-system' },
                  { name: 'TILLER_HISTORY_MAX', value: '0' },
                ],
                ports: [
                  { containerPort: 44134, name: 'tiller' },
                  { containerPort: 44135, name: 'http' },
                ],
              },
            ],
          },
        },
      },
    },
  ];
}
