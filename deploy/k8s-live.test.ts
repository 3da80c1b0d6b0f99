import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';
import { runCli } from '../test/support/cli.js';
import { created, entrypoint, envValue, readManifest, runPodScript, volumesByMount } from '../test/support/k8s-manifest.js';

const { text: manifest, docs } = readManifest('k8s-live.yaml');
const job = docs.find((d) => d.kind === 'Job')!;
const graderPod = job.spec.template.spec;
const grader = graderPod.containers[0];
const deployment = docs.find((d) => d.kind === 'Deployment')!;
const dashboardPod = deployment.spec.template.spec;
const dashboard = dashboardPod.containers[0];
const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim')!;
const shards = Number(envValue(grader, 'SHARDS'));

/** The lab-grade arguments of grader pod `index` (what follows the image's entrypoint). */
const graderArgs = (index: number) => {
  const { status, args } = runPodScript(grader.args[0], { JOB_COMPLETION_INDEX: String(index), SHARDS: String(shards) });
  expect(status).toBe(0);
  expect(args.slice(0, entrypoint().length - 1)).toEqual(entrypoint().slice(1));
  return args.slice(entrypoint().length - 1);
};

/** The value given to `flag` in `args`. */
const optionValue = (args: readonly string[], flag: string) => args[args.indexOf(flag) + 1];

/** Whether a --follow pattern (one `*` in the file name) names a file. */
const followed = (pattern: string, file: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  ).test(file);

describe('deploy/k8s-live.yaml', () => {
  it('an Indexed Job of N graders and a Deployment serving the dashboard, sharing the class ConfigMap and one volume; only the graders get the Secret', () => {
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.completions).toBe(shards);
    expect(job.spec.parallelism).toBe(shards);
    expect(graderPod.restartPolicy).toBe('Never');
    expect(job.spec.podFailurePolicy.rules[0]).toMatchObject({ action: 'FailJob', onExitCodes: { values: [2] } });
    // The ConfigMap and the Secret are the ones the manifest's header and README tell to create.
    const setup = { configMap: 'lab-grade-class', secret: 'lab-grade-credentials' };
    expect(created(manifest)).toEqual(setup);
    expect(created(readFileSync(packagePath('README.md'), 'utf8'))).toEqual(setup);
    for (const [pod, container] of [
      [graderPod, grader],
      [dashboardPod, dashboard],
    ]) {
      const mounts = volumesByMount(pod, container);
      expect(mounts['/config']).toEqual({ name: 'config', configMap: { name: setup.configMap } });
      expect(mounts['/results'].persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    }
    // The graders get the credentials; the dashboard grades nothing and reads none (no Secret in any form).
    expect(grader.envFrom).toEqual([{ secretRef: { name: setup.secret } }]);
    expect(JSON.stringify(dashboardPod)).not.toMatch(/secret/i);
    // The graders write from several nodes while the dashboard reads; the dashboard only reads.
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(dashboard.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/results').readOnly).toBe(true);
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
  });

  it('grader pod i grades shard i+1/N in rounds into /results/live-i.jsonl, as the process the pod stops (exec)', () => {
    expect(graderArgs(2)).toEqual(['live', '--config', '/config/lab-grade.yaml', '--shard', '3/4', '--ledger', '/results/live-2.jsonl', '--interval', '120', '--quiet']);
    expect(grader.args[0]).toMatch(/^\s*exec node /m);
  });

  it("the dashboard follows every grader's ledger, with the class config", () => {
    const [command, flag, pattern] = dashboard.args as string[];
    expect([command, flag]).toEqual(['live', '--follow']);
    for (let i = 0; i < shards; i++) expect(followed(pattern, optionValue(graderArgs(i), '--ledger'))).toBe(true);
    expect(followed(pattern, '/results/shard-0.json')).toBe(false);
    expect(dashboard.args).toEqual(expect.arrayContaining(['--config', '/config/lab-grade.yaml']));
    expect(dashboard.ports).toEqual([{ containerPort: Number(optionValue(dashboard.args as string[], '--port')), name: 'dashboard' }]);
  });

  it("both pods' arguments are ones lab-grade accepts: it gets as far as reading the class config", async () => {
    for (const args of [graderArgs(0), dashboard.args as string[]]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('lab-grade: /config/lab-grade.yaml: file not found\n');
    }
  });
});
