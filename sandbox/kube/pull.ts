/**
 * Whether a node of the student's cluster can pull an image, and if not, the kubelet's exact words.
 * Rules (docs/scenarios.md, `kubernetes:`): an ACR image pulls when the registry exists in the scenario, the
 * cluster's pulling identity holds a role that pulls in the registry's mode on it (or its resource
 * group) and whose ABAC condition, if any, names the repository, and the tag exists; public images pull.
 */
import { createHash } from 'node:crypto';
import { parseImageRef } from '../../core/image-ref.js';
import { imageDigest, pushesOf } from '../images.js';
import { pullRoles } from '../arm/roles.js';
import type { ScenarioAzure } from '../scenario.js';

export type PullOutcome = { ok: true; imageID: string } | { ok: false; reason: 'ImagePullBackOff' | 'InvalidImageName'; eventReason: 'Failed' | 'InspectFailed'; message: string };

/** Registries besides Docker Hub that anyone can pull from without credentials (tiller comes from gcr.io, SQL Server from mcr). */
const PUBLIC_HOSTS = new Set(['registry-1.docker.io', 'mcr.microsoft.com', 'gcr.io', 'ghcr.io', 'quay.io', 'registry.k8s.io', 'k8s.gcr.io']);

const failed = (image: string, desc: string): PullOutcome => ({
  ok: false,
  reason: 'ImagePullBackOff',
  eventReason: 'Failed',
  message: `Failed to pull image "${image}": rpc error: code = Unknown desc = Error response from daemon: ${desc}`,
});

/**
 * `latest`: the pull happens now (a pod started while the lab runs) and gets a tag's newest push;
 * otherwise it happened in the student's history, before any tag was pushed again.
 */
export function pullImage(image: string, azure: ScenarioAzure, clusterName: string, opts: { latest?: boolean } = {}): PullOutcome {
  const ref = parseImageRef(image);
  if (!ref) {
    return {
      ok: false,
      reason: 'InvalidImageName',
      eventReason: 'InspectFailed',
      message: `Failed to apply default image tag "${image}": couldn't parse image reference "${image}": invalid reference format`,
    };
  }
  const tag = ref.tag ?? 'latest';
  if (!ref.host || PUBLIC_HOSTS.has(ref.host)) {
    const digest = ref.digest ?? 'sha256:' + createHash('sha256').update(`public:${ref.repository}:${tag}`).digest('hex');
    return { ok: true, imageID: `${ref.host ?? 'docker.io'}/${ref.repository}@${digest}` };
  }
  const acr = /^([a-z0-9]+)\.azurecr\.io$/i.exec(ref.host);
  const registry = acr ? azure.registries.find((r) => r.name.toLowerCase() === acr[1].toLowerCase()) : undefined;
  if (!registry) return failed(image, `Get https://${ref.host}/v2/: dial tcp: lookup ${ref.host}: no such host`);
  const roles = pullRoles(registry.roleAssignmentMode);
  // An ABAC condition limits the role to its repositories: any other repository is refused as without a role.
  const covers = (a: (typeof azure.roleAssignments)[number]) => !a.repositories || a.repositories.some((r) => r.toLowerCase() === ref.repository.toLowerCase());
  const authorized = azure.roleAssignments.some((a) => a.assignee === clusterName && roles.has(a.role) && (a.scope === registry.name || a.scope === 'resourceGroup') && covers(a));
  const reference = ref.digest ?? tag;
  if (!authorized) return failed(image, `Get https://${ref.host}/v2/${ref.repository}/manifests/${reference}: unauthorized: authentication required`);
  const pushes = registry.images
    .filter((i) => i.startsWith(`${ref.repository}:`))
    .flatMap((i) => Array.from({ length: pushesOf(i, registry.repushed) }, (_, push) => ({ tag: i.slice(ref.repository.length + 1), push, last: push === pushesOf(i, registry.repushed) - 1 })))
    .map((p) => ({ ...p, digest: imageDigest(registry.name, ref.repository, p.tag, p.push) }));
  const found = ref.digest ? pushes.find((p) => p.digest === ref.digest) : pushes.find((p) => p.tag === tag && (opts.latest ? p.last : p.push === 0));
  if (found === undefined) {
    return failed(image, `manifest for ${ref.host}/${ref.repository}:${reference} not found: manifest unknown: manifest tagged by "${reference}" is not found`);
  }
  return { ok: true, imageID: `${ref.host}/${ref.repository}@${found.digest}` };
}
