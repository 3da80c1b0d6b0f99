/** What the Exercise 6 checks share: the lab's manifest files, a Deployment's pods, a short pod listing. */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { LabExpectations, WorkloadExpectation } from '../../core/profile.js';
import type { KubeSnapshot } from '../../probes/types.js';
import { isRunning, podStatusText, podsOfDeployment, summarizePod } from '../kube/pods.js';

/** The lab's manifest for a workload (myapp.yaml, myapi.yaml). */
export const fileOf = (w: WorkloadExpectation) => `${w.deployment}.yaml`;

/** Where the lab's manifests are: the Kubernetes folder of the student's clone. */
export const manifestFolder = (e: LabExpectations) => `${e.repoDir}/k8s/config`;

/** The env a workload's manifest sets, as messages name it: `API_BASE_URL (http://myapi:8080)`. */
export const envText = (w: WorkloadExpectation) =>
  Object.entries(w.env)
    .map(([k, v]) => `${k} (${v})`)
    .join(', ') || 'the env';

/** That env left as the lab writes it: `API_BASE_URL stays http://myapi:8080`. */
export const envStays = (w: WorkloadExpectation) =>
  Object.entries(w.env)
    .map(([k, v]) => `${k} stays ${v}`)
    .join(', ') || `the env in ${fileOf(w)} stays as the lab writes it`;

export const labelsText = (l: Record<string, string> | undefined) =>
  l && Object.keys(l).length
    ? Object.entries(l)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : 'none';

/** The Deployment's pods, sorted by name, as `kubectl get pods` lists them. */
export function podsOf(d: V1Deployment, snap: KubeSnapshot): V1Pod[] {
  return podsOfDeployment(d, snap.pods, snap.replicaSets).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

export const runningPodsOf = (d: V1Deployment, snap: KubeSnapshot) => podsOf(d, snap).filter((p) => isRunning(summarizePod(p)) && !p.metadata?.deletionTimestamp);

/** `myapp-7d9f-abcde Running, …`: the first few pods and their states. */
export const podsLine = (pods: V1Pod[]) =>
  pods
    .slice(0, 4)
    .map((p) => `${p.metadata?.name} ${podStatusText(summarizePod(p))}`)
    .join(', ');

export const missingMessage = (kind: string, name: string, ns: string) => `${kind} ${name} not found in namespace ${ns}`;
/** The workload's manifest applied from the lab's folder. */
export const missingHint = (e: LabExpectations, w: WorkloadExpectation) =>
  `Exercise 6 steps 4–8: put your registry name into ${fileOf(w)} and run \`kubectl apply -f ${fileOf(w)}\` (in ${manifestFolder(e)}).`;
export const unavailableHint = 'Exercise 6 step 10: watch `kubectl get pods` until every pod is Running and READY 1/1; `kubectl describe pod <name>` shows why one waits.';

/** The lab's note on replicas (the app is "unpredictable" with several in-memory API replicas), for the profile's API. */
export const replicaNote = (api: WorkloadExpectation) =>
  `Exercise 6 step 21 (optional, the last): the lab's note says the app gets "fully unpredictable for a replica count larger than 1", because each ${api.deployment} pod keeps its own in-memory list. Set \`replicas: 1\` in ${fileOf(api)} and \`kubectl apply -f ${fileOf(api)}\`, or give ${api.deployment} a shared database (SPRING_DATASOURCE_URL, as docker-compose.db.yaml and the Helm chart do).`;
