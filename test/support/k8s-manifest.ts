/**
 * The Kubernetes manifests of deploy/, as tests check them: kubectl's client-side dry run still asks a
 * server for the API groups, so a manifest is checked by parsing it, and a pod's shell script by running
 * it against a stand-in for the image's `node` that records the arguments it was given.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packagePath } from '../../core/paths.js';
import { readDockerfile } from './dockerfile.js';

// Manifests are loosely typed YAML: the tests' assertions are the schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

/** deploy/NAME: its text and its documents. */
export function readManifest(name: string): { text: string; docs: Manifest[] } {
  const text = readFileSync(packagePath('deploy', name), 'utf8');
  return { text, docs: parseAllDocuments(text).map((d) => d.toJS() as Manifest) };
}

/** The image's entrypoint (`node /app/lab-grade.mjs`), from the repository's Dockerfile. */
export const entrypoint = (): string[] => readDockerfile().entrypoint!;

/** The ConfigMap and Secret that setup commands (`kubectl create …`) in a text create. */
export const created = (text: string) => ({ configMap: /kubectl create configmap (\S+)/.exec(text)?.[1], secret: /kubectl create secret generic (\S+)/.exec(text)?.[1] });

/** A container's environment variable as the manifest sets it. */
export const envValue = (container: Manifest, name: string): string | undefined => (container.env as Array<{ name: string; value?: string }>).find((e) => e.name === name)?.value;

/** Runs a pod's shell script with `env`; the stand-in `node` exits with `rc` and records its arguments. */
export function runPodScript(script: string, env: Record<string, string>, rc = 0): { status: number | null; args: string[] } {
  const bin = mkdtempSync(join(tmpdir(), 'lab-grade-pod-'));
  const fake = join(bin, entrypoint()[0]);
  writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin}/args"\nexit ${rc}\n`);
  chmodSync(fake, 0o755);
  const r = spawnSync('/bin/sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
  return { status: r.status, args: readFileSync(join(bin, 'args'), 'utf8').trim().split('\n') };
}

/** Which mount path reads which volume of the pod. */
export function volumesByMount(pod: Manifest, container: Manifest): Record<string, Manifest> {
  const volumes = Object.fromEntries((pod.volumes as Manifest[]).map((v) => [v.name, v]));
  return Object.fromEntries((container.volumeMounts as Manifest[]).map((m) => [m.mountPath, volumes[m.name]]));
}
