/**
 * Helm's traces in the cluster: the release record (Helm 3: a Secret in the release namespace; Helm 2:
 * a ConfigMap in kube-system, written by tiller) and tiller itself as `helm init` installs it.
 */
import type { Scenario } from '../../scenario.js';
import { helm2ConfigMapData, helm2ReleaseProto, helm3ReleaseJson, helm3SecretData } from '../helm.js';
import type { KObj } from '../manifests.js';
import { meta } from '../objects.js';
import { ago, type ClusterState } from '../state.js';

type HelmRelease = NonNullable<Scenario['kubernetes']>['helm'][number];

const TILLER_IMAGE = 'gcr.io/kubernetes-helm/tiller:v2.16.12';

/** The release record `helm list` reads; `manifest` is what the release applied. */
export function putHelmRecord(w: ClusterState, release: HelmRelease, manifest: string): void {
  const deployedAt = ago(w, 30);
  if (release.helm === 3) {
    const ns = 'default';
    const name = `sh.helm.release.v1.${release.name}.v1`;
    w.store.put({
      apiVersion: 'v1',
      data: { release: helm3SecretData(helm3ReleaseJson(release, ns, deployedAt, manifest)) },
      kind: 'Secret',
      metadata: meta({
        name,
        namespace: ns,
        uid: w.ids.uid(`secret/${ns}/${name}`),
        resourceVersion: w.store.nextRv(),
        creationTimestamp: deployedAt,
        labels: { modifiedAt: String(Date.parse(deployedAt) / 1000), name: release.name, owner: 'helm', status: release.status, version: '1' },
      }),
      type: 'helm.sh/release.v1',
    });
    return;
  }
  const name = `${release.name}.v1`;
  w.store.put({
    apiVersion: 'v1',
    data: { release: helm2ConfigMapData(helm2ReleaseProto(release, 'default', deployedAt, manifest)) },
    kind: 'ConfigMap',
    metadata: meta({
      name,
      namespace: 'kube-system',
      uid: w.ids.uid(`cm/kube-system/${name}`),
      resourceVersion: w.store.nextRv(),
      creationTimestamp: deployedAt,
      labels: { NAME: release.name, OWNER: 'TILLER', STATUS: release.status.toUpperCase(), VERSION: '1' },
    }),
  });
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
