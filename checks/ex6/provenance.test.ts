/**
 * Exercise 6 on hand-built snapshots and a stand-in registry: the myapp and myapi pods run the digests
 * the student pushed (or another push to their own repository), or the reason code says why that cannot be told or
 * is not so.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../core/check.js';
import type { RegistryProbe } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { kubeSnapshot, standInKube } from '../../test/support/kube-check.js';
import { labDeployment, labPod } from '../../test/support/kube-objects.js';
import { discovered, LAB_REGISTRY, LOGIN_SERVER } from '../../test/support/lab-azure.js';
import '../facts.js';
import { imageProvenance } from './provenance.js';

const FOUND: Partial<Facts> = { registry: discovered(LAB_REGISTRY) };
const APP_IMAGE = `${LOGIN_SERVER}/myapp:v1.0`;
const API_IMAGE = `${LOGIN_SERVER}/myapi:v1.0`;
const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
const APP = digest('a');
const API = digest('b');
const OLDER_APP = digest('c');
const FOREIGN = digest('f');

/** A registry whose tags v1.0 point at `tags` (repository -> digest) and that also holds the `older` manifests. */
function registryWith(tags: Record<string, string>, older: string[] = []): RegistryProbe {
  return {
    tags: async () => {
      throw new Error('ex6.image.provenance reads digests only');
    },
    manifestDigest: async (server, repository, reference) => {
      if (server !== LOGIN_SERVER) throw new Error(`asked ${server}, not the student's registry`);
      if (reference === 'v1.0') return tags[repository];
      return older.includes(reference) ? reference : undefined;
    },
  };
}
const PUSHED = { myapp: APP, myapi: API };
const runningApp = (digestRun = APP, image = APP_IMAGE) => labPod('myapp-7d9f8-x2x4q', 'myapp', image, { digest: digestRun });
const runningApi = labPod('myapi-5c6b7-k8k9l', 'myapi', API_IMAGE, { digest: API });

const graded = (pods: V1Pod[], registry = registryWith(PUSHED), facts: Partial<Facts> = FOUND) =>
  runWith(imageProvenance, { kube: standInKube(kubeSnapshot({ pods, deployments: [labDeployment('myapp', APP_IMAGE, { replicas: 3 }), labDeployment('myapi', API_IMAGE)] })), registry }, { facts });

describe('ex6.image.provenance', () => {
  it('passes when the pods run exactly the digests of the tags pushed', async () => {
    expect(await graded([runningApp(), runningApi])).toMatchObject({ status: 'pass', evidence: { registry: LOGIN_SERVER, digests: { 'myapp:v1.0': APP, 'myapi:v1.0': API }, pods: 2 } });
  });

  it('passes on an older push of the student’s v1.0, the pod having pulled v1.0 before it was pushed again', async () => {
    expect(await graded([runningApp(OLDER_APP), runningApi], registryWith(PUSHED, [OLDER_APP]))).toMatchObject({
      status: 'pass',
      evidence: { otherPushes: [{ pod: 'myapp-7d9f8-x2x4q', repository: 'myapp', digest: OLDER_APP, pulledAs: 'v1.0', olderPushOfLabTag: true }] },
    });
  });

  it.each([
    ['another tag', `${LOGIN_SERVER}/myapp:v0.9`, 'v0.9'],
    ['its digest', `${LOGIN_SERVER}/myapp@${OLDER_APP}`, OLDER_APP],
  ])('passes on a push to the student’s myapp repository pulled by %s, not calling it a push of v1.0', async (_how, image, pulledAs) => {
    const result = await graded([runningApp(OLDER_APP, image), runningApi], registryWith(PUSHED, [OLDER_APP]));
    expect(result).toMatchObject({
      status: 'pass',
      evidence: { otherPushes: [{ pod: 'myapp-7d9f8-x2x4q', repository: 'myapp', digest: OLDER_APP, pulledAs, olderPushOfLabTag: false }] },
    });
    expect(result.message).not.toContain('older push of your myapp:v1.0');
  });

  it('no registry from Exercise 4 and no pod from an Azure registry fails with LG-661 (not started)', async () => {
    expect(await graded([labPod('web', 'web', 'nginx:1.27')], registryWith(PUSHED), {})).toMatchObject({ status: 'fail', code: 'LG-661', evidence: { registrySource: 'unknown' } });
  });

  it.each([
    ['myapp', 'ex4.image.myapp', { myapi: API }],
    ['myapi', 'ex4.image.myapi', { myapp: APP }],
  ])('no %s:v1.0 in the registry to compare with fails with LG-662, following from %s', async (repository, cause, tags) => {
    expect(await graded([runningApp(), runningApi], registryWith(tags))).toMatchObject({
      status: 'fail',
      code: 'LG-662',
      outcome: 'needs-fix',
      causedBy: cause,
      evidence: { registry: LOGIN_SERVER, repository, tag: 'v1.0' },
    });
  });

  it('no running pod of Deployment myapp fails with LG-663, following from ex6.myapp.deployment', async () => {
    const starting = labPod('myapp-7d9f8-x2x4q', 'myapp', APP_IMAGE, { waiting: { reason: 'ContainerCreating' } });
    expect(await graded([starting, runningApi])).toMatchObject({
      status: 'fail',
      code: 'LG-663',
      outcome: 'not-ready',
      causedBy: 'ex6.myapp.deployment',
      evidence: { deployment: 'myapp' },
    });
  });

  it('a pod running a digest the student never pushed fails with LG-664', async () => {
    expect(await graded([runningApp(FOREIGN), runningApi])).toMatchObject({ status: 'fail', code: 'LG-664', outcome: 'needs-fix', evidence: { mismatches: [expect.any(String)] } });
  });

  it("a Deployment pod without the lab's image at all fails with LG-664", async () => {
    expect(await graded([runningApp(FOREIGN, 'nginx:1.27'), runningApi])).toMatchObject({ status: 'fail', code: 'LG-664', evidence: { mismatches: [expect.any(String)] } });
  });
});
