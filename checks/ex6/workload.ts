/** What the Exercise 6 checks share: the lab's manifest files, a Deployment's pods, a short pod listing. */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { WorkloadExpectation } from '../../core/profile.js';
import type { KubeSnapshot } from '../../probes/types.js';
import { isRunning, podStatusText, podsOfDeployment, summarizePod } from '../kube/pods.js';

/** The lab's manifest for a workload (myapp.yaml, myapi.yaml). */
export const fileOf = (w: WorkloadExpectation) => `${w.deployment}.yaml`;

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
export const missingHint = (file: string) => `Exercise 6 steps 4–8: put your registry name into ${file} and run \`kubectl apply -f ${file}\` (in greetings/k8s/config).`;
export const unavailableHint = 'Exercise 6 step 10: watch `kubectl get pods` until every pod is Running and READY 1/1; `kubectl describe pod <name>` shows why one waits.';

/** The lab's note on replicas (the app is "unpredictable" with several in-memory myapi replicas). */
export const REPLICA_NOTE =
  'Exercise 6 step 21 (optional, the last): the lab\'s note says the app gets "fully unpredictable for a replica count larger than 1", because each myapi pod keeps its own in-memory list. Set `replicas: 1` in myapi.yaml and `kubectl apply -f myapi.yaml`, or give myapi a shared database (SPRING_DATASOURCE_URL, as docker-compose.db.yaml and the Helm chart do).';
