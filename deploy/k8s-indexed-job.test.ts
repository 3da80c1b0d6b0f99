import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';
import { created, entrypoint as imageEntrypoint, envValue, readManifest, runPodScript, volumesByMount } from '../test/support/k8s-manifest.js';

const { text: manifest, docs } = readManifest('k8s-indexed-job.yaml');
const job = docs.find((d) => d.kind === 'Job')!;
const pod = job.spec.template.spec;
const container = pod.containers[0];
const script: string = container.args[0];
const entrypoint = imageEntrypoint();
const version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;

const runScript = (index: number, rc: number) => runPodScript(script, { JOB_COMPLETION_INDEX: String(index), SHARDS: '4' }, rc);

describe('deploy/k8s-indexed-job.yaml', () => {
  it('is an Indexed Job of N shards with the class config from a ConfigMap, credentials from a Secret, results on a volume', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.spec.completionMode).toBe('Indexed');
    const shards = Number(envValue(container, 'SHARDS'));
    expect(job.spec.completions).toBe(shards);
    expect(job.spec.parallelism).toBe(shards);
    expect(pod.restartPolicy).toBe('Never');
    // The ConfigMap and the Secret are the ones the manifest's header and README "Shards" tell to create.
    const setup = { configMap: 'lab-grade-class', secret: 'lab-grade-credentials' };
    expect(created(manifest)).toEqual(setup);
    expect(created(readFileSync(packagePath('README.md'), 'utf8'))).toEqual(setup);
    expect(container.envFrom).toEqual([{ secretRef: { name: setup.secret } }]);
    const mounts = volumesByMount(pod, container);
    expect(mounts['/config']).toEqual({ name: 'config', configMap: { name: setup.configMap } });
    const claim = mounts['/results'].persistentVolumeClaim.claimName;
    expect(docs.find((d) => d.kind === 'PersistentVolumeClaim')?.metadata.name).toBe(claim);
    expect(job.spec.podFailurePolicy.rules[0]).toMatchObject({ action: 'FailJob', onExitCodes: { values: [2] } });
  });

  it("runs the image the repository's Dockerfile builds, tagged with lab-grade's version", () => {
    expect(container.image).toMatch(new RegExp(`^ghcr\\.io/[a-z0-9-]+/lab-grade:${version.replace(/\./g, '\\.')}$`));
    // The pod's shell script (journal resume, exit codes) replaces the entrypoint, so it calls the same command.
    expect(runScript(0, 0).args.slice(0, entrypoint.length - 1)).toEqual(entrypoint.slice(1));
  });

  it('pod i grades shard i+1/N into /results/shard-i.json, journaled', () => {
    const { status, args } = runScript(2, 0);
    expect(status).toBe(0);
    expect(args).toEqual(expect.arrayContaining(['--shard', '3/4', '--journal', '/results/journal-2.jsonl', '--reporter', 'json=/results/shard-2.json', '--config', '/config/lab-grade.yaml']));
  });

  it('"below the pass mark" (exit 1) completes the index; incomplete (3) and usage (2) fail it', () => {
    expect(runScript(0, 1).status).toBe(0);
    expect(runScript(0, 3).status).toBe(3);
    expect(runScript(0, 2).status).toBe(2);
  });
});
