/**
 * Why a pod cannot pull its image, from the kubelet's words: the container's waiting reason and
 * message (`Back-off pulling image "…"`) and the Failed event that carries the registry's answer.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { eventLine, eventsForPod } from './events.js';
import type { WantedImage } from './images.js';
import { PULL_FAILURES, summarizePod } from './pods.js';
import { excerpt } from '../text.js';
import type { LabExpectations } from '../../core/profile.js';
import type { ManagedClusterFacts } from '../../probes/types.js';

export type PullCause = 'unauthorized' | 'manifest-unknown' | 'no-such-host' | 'invalid-name' | 'other';

export interface PullDiagnosis {
  pod: string;
  container: string;
  image: string;
  reason: string;
  message?: string;
  /** the event that explains it, as one line */
  event?: string;
  cause: PullCause;
}

const CAUSES: Array<[PullCause, RegExp]> = [
  ['unauthorized', /unauthorized|authentication required|401 Unauthorized|failed to authorize|insufficient_scope/i],
  ['manifest-unknown', /manifest unknown|manifest for .* not found|not found: manifest|: not found$/i],
  ['no-such-host', /no such host|server misbehaving|name resolution/i],
  ['invalid-name', /invalid reference format|InvalidImageName/i],
];

export function pullCause(text: string): PullCause {
  return CAUSES.find(([, re]) => re.test(text))?.[0] ?? 'other';
}

/** The first container of `pod` that cannot pull, with the cause; undefined when none is stuck pulling. */
export function diagnosePull(pod: V1Pod, events: readonly CoreV1Event[]): PullDiagnosis | undefined {
  const s = summarizePod(pod);
  const stuck = s.containers.find((c) => c.state === 'waiting' && c.reason && PULL_FAILURES.has(c.reason));
  if (!stuck) return undefined;
  const mine = eventsForPod(events, pod);
  // The registry's answer is in a Failed event about this image; fall back to any failure event.
  const ev =
    mine.find((e) => e.reason === 'Failed' && (e.message ?? '').includes(stuck.image) && pullCause(e.message ?? '') !== 'other') ??
    mine.find((e) => e.reason === 'Failed' && (e.message ?? '').includes(stuck.image)) ??
    mine.find((e) => e.type === 'Warning' && /pull|image/i.test(e.message ?? ''));
  const text = `${stuck.reason} ${stuck.message ?? ''} ${ev?.message ?? ''}`;
  // Shown in messages and evidence, excerpted: the student's image, and the kubelet's words with the
  // image they quote shortened, so the registry's answer after it still shows.
  const shortImage = excerpt(stuck.image, 80);
  const words = (text: string) => excerpt(stuck.image ? text.split(stuck.image).join(shortImage) : text, 300);
  return {
    pod: s.name,
    container: stuck.name,
    image: excerpt(stuck.image),
    reason: excerpt(stuck.reason!, 60),
    ...(stuck.message ? { message: words(stuck.message) } : {}),
    ...(ev ? { event: words(eventLine(ev)) } : {}),
    cause: stuck.reason === 'InvalidImageName' ? 'invalid-name' : pullCause(text),
  };
}

/**
 * Where a workload's image is written in the lab: the step and file a hint sends the student back to,
 * and what they watch once it is fixed (Exercise 5's pod, or Exercise 6's Deployments).
 */
export interface ImageSource {
  step: string;
  file: string;
  watch: string;
}

/** Exercise 5's pod (the profile's podName): myapp-pod.yaml, written in step 6 and applied in step 7. */
export const podImage = (e: LabExpectations): ImageSource => ({
  step: 'Exercise 5 steps 6–7',
  file: `${e.podName}-pod.yaml`,
  watch: `\`kubectl get pod ${e.podName}\` until it is Running`,
});

/** Exercise 6's Deployment `deployment`: its image is set in `file` (myapp.yaml, myapi.yaml) in steps 4–6 and applied in step 8. */
export const deploymentImage = (deployment: string, file: string): ImageSource => ({
  step: 'Exercise 6 steps 4–8',
  file,
  watch: `\`kubectl get pods\` until the ${deployment} pods are Running (Exercise 6 step 10)`,
});

/** Granting the pull right when the cluster or the registry is not known: the lab's own steps, with what is known filled in. */
const grantStep = ({ cluster, registry, resourceGroup: rg }: GrantTarget, at: ImageSource) =>
  `Exercise 5 steps 10–17: grant the cluster's service principal Reader on the registry (\`az aks show -n ${cluster?.name ?? '<cluster>'} -g ${rg} --query servicePrincipalProfile.clientId\`, then ${registry?.name ?? 'the registry'}'s Access Control → Add → Reader → that id → Save), then ${at.watch}.`;

/** The ABAC repository role that lets a cluster pull (registries in `AbacRepositoryPermissions` mode). */
const ABAC_PULL_ROLE = 'Container Registry Repository Reader';

export interface GrantTarget {
  cluster?: ManagedClusterFacts;
  registry?: { name?: string; id?: string; roleAssignmentMode?: string };
  resourceGroup: string;
}

/**
 * The command that grants this student's cluster the right to pull from their registry, names filled
 * in: `--attach-acr` for a managed-identity cluster (it grants the kubelet identity the right role,
 * ABAC registries included), a role assignment to the service principal otherwise.
 */
export function grantHint(target: GrantTarget, at: ImageSource): string {
  const { cluster, registry, resourceGroup: rg } = target;
  if (!cluster || !registry?.name) return grantStep(target, at);
  const then = `then ${at.watch}.`;
  if (cluster.identity !== 'servicePrincipal') {
    return `Exercise 5 steps 10–17 grant the cluster the right to pull: \`az aks update --name ${cluster.name} --resource-group ${rg} --attach-acr ${registry.name}\` (it gives the cluster's kubelet identity the pull role on ${registry.name}); ${then}`;
  }
  const role = registry.roleAssignmentMode === 'AbacRepositoryPermissions' ? ABAC_PULL_ROLE : 'AcrPull';
  const scope = registry.id ?? `$(az acr show --name ${registry.name} --query id --output tsv)`;
  return `Exercise 5 steps 10–17: grant the cluster's service principal ${role} on the registry: \`az role assignment create --assignee ${cluster.servicePrincipalClientId ?? '<client id>'} --role "${role}" --scope ${scope}\` (or in the portal: ${registry.name} → Access Control → Add → ${role}); ${then}`;
}

/**
 * What the registry's answer to a pull means, and the step that fixes it (with the student's registry
 * where known). A refused pull's step is `grantHint`'s: it needs the cluster and the registry.
 */
export const PULL_CAUSES = {
  unauthorized: {
    meaning: 'the registry refused the pull (unauthorized: authentication required): the cluster is not allowed to pull from your registry',
  },
  'manifest-unknown': {
    meaning: 'the registry has no such tag (manifest unknown): the image was not pushed, or under another tag',
    hint: (w: WantedImage) =>
      `Exercise 4 step 5: push the image with \`TAG=${w.tag} docker-compose push\` (REGISTRY=${w.registry}/), then check it with \`az acr repository show-tags --name ${w.registryName} --repository ${w.repository}\`.`,
  },
  'no-such-host': {
    meaning: 'no registry answers at that address (no such host): the registry name in the image is wrong',
    hint: (w: WantedImage, at: ImageSource) =>
      `${at.step}: use your own registry's name in the image in ${at.file}, ${w.image} (see \`az acr list -o table\`), and \`kubectl apply -f ${at.file}\` again.`,
  },
  'invalid-name': {
    meaning: 'the image name is not a valid reference (a placeholder like <registry name> left in?)',
    hint: (w: WantedImage, at: ImageSource) =>
      w.known
        ? `${at.step}: the image in ${at.file} must be ${w.image}, with your registry's name in it.`
        : `${at.step}: replace <registry name> in the image in ${at.file} with your registry’s name.`,
  },
  other: { meaning: '', hint: () => 'Exercise 5 step 9: `kubectl describe pod <pod>` shows the kubelet’s events; fix what they name.' },
} satisfies Record<Exclude<PullCause, 'unauthorized'>, { meaning: string; hint: (wanted: WantedImage, at: ImageSource) => string }> & Record<'unauthorized', { meaning: string }>;
