/**
 * Exercise 5 on hand-built snapshots: a pod running the student's myapp:v1.0 reached Running, or the
 * reason code says why not: each cause of a failed pull the kubelet reports, a pod still starting,
 * another image, no pod, no registry to tell.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../core/check.js';
import type { AzureProbe } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { kubeSnapshot, standInKube } from '../../test/support/kube-check.js';
import { failedEvent, labDeployment, labPod } from '../../test/support/kube-objects.js';
import { discovered, LAB_CLUSTER, LAB_REGISTRY, LOGIN_SERVER, standInAzure } from '../../test/support/lab-azure.js';
import '../facts.js';
import { podRunning } from './pod.js';

const FOUND: Partial<Facts> = { cluster: discovered(LAB_CLUSTER), registry: discovered(LAB_REGISTRY) };
const APP_IMAGE = `${LOGIN_SERVER}/myapp:v1.0`;

interface Cluster {
  pods?: V1Pod[];
  events?: CoreV1Event[];
  facts?: Partial<Facts>;
  azure?: AzureProbe;
  withDeployment?: boolean;
}
const graded = ({ pods = [], events = [], facts = FOUND, azure, withDeployment }: Cluster) =>
  runWith(
    podRunning,
    { kube: standInKube(kubeSnapshot({ pods, events, deployments: withDeployment ? [labDeployment('myapp', APP_IMAGE, { replicas: 3 })] : [] })), ...(azure ? { azure } : {}) },
    { facts },
  );
/** Pod myapp running `image` that cannot pull it: the kubelet's `reason`, and its Failed event saying `event`. */
const cannotPull = (reason: string, event: string, image = APP_IMAGE): Cluster => ({
  pods: [labPod('myapp', 'myapp', image, { waiting: { reason, message: `Back-off pulling image "${image}"` } })],
  events: [failedEvent('myapp', `Failed to pull image "${image}": ${event}`)],
});

describe('ex5.pod.running', () => {
  it('passes on pod myapp running the image', async () => {
    expect(await graded({ pods: [labPod('myapp', 'myapp', APP_IMAGE)] })).toMatchObject({ status: 'pass', evidence: { image: APP_IMAGE, pod: 'myapp', phase: 'Running' } });
  });

  it('passes on any pod running the image (the Deployment’s after the clean-up, a renamed one)', async () => {
    expect(await graded({ pods: [labPod('myapp-7d9f8-x2x4q', 'myapp', APP_IMAGE)], withDeployment: true })).toMatchObject({ status: 'pass', evidence: { pod: 'myapp-7d9f8-x2x4q' } });
    expect(await graded({ pods: [labPod('my-first-pod', 'demo', APP_IMAGE)] })).toMatchObject({ status: 'pass', evidence: { pod: 'my-first-pod' } });
  });

  it('a pull the registry refuses fails with LG-521, following from ex5.pull.authorized, and Azure confirms no role', async () => {
    const refused = cannotPull('ErrImagePull', 'failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized');
    expect(await graded({ ...refused, azure: standInAzure({ clusters: [LAB_CLUSTER], registries: [LAB_REGISTRY] }) })).toMatchObject({
      status: 'fail',
      code: 'LG-521',
      outcome: 'not-ready',
      causedBy: 'ex5.pull.authorized',
      found: 'ErrImagePull',
      evidence: { pod: 'myapp', cause: 'unauthorized', roleAssignment: 'none' },
    });
  });

  const TYPO = 'labuser7acr.azurecr.io/myapp:v1.0';
  it.each([
    ['a tag the registry does not have', 'LG-522', 'manifest-unknown', 'ErrImagePull', `rpc error: code = NotFound desc = ${APP_IMAGE}: not found: manifest unknown`, APP_IMAGE],
    ['a registry name that does not resolve', 'LG-523', 'no-such-host', 'ImagePullBackOff', 'dial tcp: lookup labuser7acr.azurecr.io on 168.63.129.16:53: no such host', TYPO],
  ])('%s fails with %s, naming the image the pod runs', async (_what, code, cause, reason, event, image) => {
    expect(await graded(cannotPull(reason, event, image))).toMatchObject({ status: 'fail', code, outcome: 'needs-fix', found: reason, evidence: { image, cause } });
  });

  it("the lab's placeholder left in the image fails with LG-524", async () => {
    const placeholder = '<registry name>.azurecr.io/myapp:v1.0';
    const pods = [labPod('myapp', 'myapp', placeholder, { waiting: { reason: 'InvalidImageName', message: `Failed to apply default image tag "${placeholder}": couldn't parse image reference` } })];
    expect(await graded({ pods })).toMatchObject({ status: 'fail', code: 'LG-524', outcome: 'needs-fix', found: 'InvalidImageName', evidence: { cause: 'invalid-name' } });
  });

  it("a wrong registry name's hint sends the student to Exercise 5 steps 6–7 and myapp-pod.yaml, with their own image", async () => {
    const typo = await graded(cannotPull('ImagePullBackOff', 'dial tcp: lookup labuser7acr.azurecr.io on 168.63.129.16:53: no such host', TYPO));
    expect(typo).toMatchObject({
      code: 'LG-523',
      hint: `Exercise 5 steps 6–7: use your own registry's name in the image in myapp-pod.yaml, ${APP_IMAGE} (see \`az acr list -o table\`), and \`kubectl apply -f myapp-pod.yaml\` again.`,
    });
  });

  it('a pull failing for another reason fails with LG-525', async () => {
    const timeout = `Head "https://${LOGIN_SERVER}/v2/myapp/manifests/v1.0": dial tcp 20.61.8.3:443: i/o timeout`;
    expect(await graded(cannotPull('ErrImagePull', timeout))).toMatchObject({ status: 'fail', code: 'LG-525', outcome: 'needs-fix', found: 'ErrImagePull', evidence: { cause: 'other' } });
  });

  it('a pod of the image still starting fails with LG-526, which waiting can change', async () => {
    expect(await graded({ pods: [labPod('myapp', 'myapp', APP_IMAGE, { waiting: { reason: 'ContainerCreating' } })] })).toMatchObject({
      status: 'fail',
      code: 'LG-526',
      outcome: 'not-ready',
      found: 'ContainerCreating',
      expected: 'Running',
    });
  });

  it('no registry from Exercise 4 and no pod from an Azure registry fails with LG-527 (not started)', async () => {
    expect(await graded({ pods: [labPod('web', 'web', 'nginx:1.27')], facts: {} })).toMatchObject({ status: 'fail', code: 'LG-527', outcome: 'needs-fix', evidence: { registrySource: 'unknown' } });
  });

  it('pod myapp running another image fails with LG-528, naming both', async () => {
    expect(await graded({ pods: [labPod('myapp', 'myapp', 'nginx:1.27')] })).toMatchObject({ status: 'fail', code: 'LG-528', outcome: 'needs-fix', found: 'nginx:1.27', expected: APP_IMAGE });
  });

  it("the Deployment's pods running another image fail with LG-528 too", async () => {
    expect(await graded({ pods: [labPod('myapp-7d9f8-x2x4q', 'myapp', 'nginx:1.27')], withDeployment: true })).toMatchObject({
      status: 'fail',
      code: 'LG-528',
      evidence: { pod: 'myapp-7d9f8-x2x4q' },
    });
  });

  it('no pod myapp and no Deployment myapp fails with LG-529 (not started), naming the image wanted', async () => {
    expect(await graded({ pods: [labPod('web', 'web', 'nginx:1.27')] })).toMatchObject({ status: 'fail', code: 'LG-529', outcome: 'needs-fix', expected: APP_IMAGE });
  });
});
