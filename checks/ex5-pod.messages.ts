/** Student-facing words of the Exercise 5 checks (data, kept apart from the logic). */
import type { PullCause } from './kube/pull.js';

const GRANT_STEP =
  "Exercise 5: grant the cluster's service principal Reader on the registry (`az aks show -n <cluster> -g <resource group> --query servicePrincipalProfile.clientId`, then the registry's Access Control → Add → Reader → that id → Save), then `kubectl get pod myapp` until it is Running.";

export const ex5Messages = {
  reachable: (server: string, version: string) => `the cluster's API at ${server} answers (Kubernetes ${version})`,

  pull: {
    skipped: 'needs Azure access (role assignments) or the cluster (running pods) to tell; neither is configured for this student',
    byRole: (role: string, scope: string) => `the cluster's identity holds ${role} on ${scope}, which lets it pull from the registry`,
    byPods: (count: number, loginServer: string) => `${count} pod(s) run images pulled from ${loginServer}, which proves the cluster may pull from it`,
    noRegistry: 'no Azure registry is known for you (Exercise 4) and no pod uses an image from one (*.azurecr.io)',
    none: (loginServer: string, azureChecked: boolean) =>
      `the cluster may not pull from ${loginServer}: ${azureChecked ? "no role assignment (Reader, AcrPull, …) on the registry or above names the cluster's identity, and " : ''}no pod from it is running`,
    hint: GRANT_STEP,
  },

  pod: {
    running: (pod: string, image: string) => `pod ${pod} runs ${image}`,
    noRegistry: 'cannot tell which registry is yours: Exercise 4 found none and no pod uses an image from an Azure registry',
    none: (pod: string, deployment: string, image: string) => `no pod runs ${image}: neither pod ${pod} nor the pods of Deployment ${deployment} exist`,
    noneHint: 'Exercise 5: put your registry name into myapp-pod.yaml (image <registry name>.azurecr.io/myapp:v1.0) and run `kubectl apply -f myapp-pod.yaml`.',
    wrongImage: (pod: string, image: string, expected: string) => `pod ${pod} runs ${image || 'no image'}, not ${expected}`,
    wrongImageHint: 'Exercise 5: the image must be <your registry name>.azurecr.io/myapp:v1.0, the image you pushed in Exercise 4.',
    notRunning: (pod: string, status: string) => `pod ${pod} is ${status}, not Running yet`,
    notRunningHint: 'Exercise 5: run `kubectl get pod myapp` a few times until it shows Running; `kubectl describe pod myapp` shows why it waits.',
    stuck: (pod: string, reason: string, message: string | undefined, event: string | undefined) =>
      `pod ${pod} is stuck in ${reason}${message ? ` (${message})` : ''}${event ? `; event: ${event}` : ''}`,
  },

  /** What the registry's answer means, and the step that fixes it. */
  cause: {
    unauthorized: {
      meaning: 'the registry refused the pull (unauthorized: authentication required): the cluster is not allowed to pull from your registry',
      hint: GRANT_STEP,
    },
    'manifest-unknown': {
      meaning: 'the registry has no such tag (manifest unknown): the image was not pushed, or under another tag',
      hint: 'Exercise 4: push the image with `TAG=v1.0 docker-compose push` (REGISTRY=<registry name>.azurecr.io/), then check it with `az acr repository show-tags`.',
    },
    'no-such-host': {
      meaning: 'no registry answers at that address (no such host): the registry name in the image is wrong',
      hint: "Exercise 5: use your own registry's name in the image, <registry name>.azurecr.io/myapp:v1.0 (see `az acr list -o table`).",
    },
    'invalid-name': {
      meaning: 'the image name is not a valid reference (a placeholder like <registry name> left in?)',
      hint: 'Exercise 5: replace <registry name> in the image with your registry’s name.',
    },
    other: { meaning: '', hint: 'Exercise 5: `kubectl describe pod <pod>` shows the kubelet’s events; fix what they name.' },
  } satisfies Record<PullCause, { meaning: string; hint: string }>,

  crossCheck: {
    noGrant: (loginServer: string) => `Azure confirms: no role assignment lets the cluster's identity pull from ${loginServer}`,
    granted: (role: string, scope: string) => `Azure shows ${role} on ${scope} for the cluster's identity; a new assignment can take a few minutes to apply: wait and re-run`,
  },
};
