/**
 * Exercise 6's Deployments run on hand-built snapshots with stand-in probes and facts: every branch's
 * verdict, reason code, found/expected and hint, and through the engine the errors and blocks. This file
 * does not import the check catalogue (checks/index.ts) nor the simulated cluster, so a broken
 * deployments.ts fails these tests instead of failing to load them (deployments.test.ts grades the
 * same checks against the simulated cluster).
 */
import type { CoreV1Event, V1Container, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { defineCheck, fail, pass, reasons, reasonSummary, type CheckDef, type FactName, type Facts, type Verdict } from '../../core/check.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile, type LabProfile } from '../../core/profile.js';
import { selectChecks } from '../../core/selection.js';
import { ProbeError, type KubeSnapshot, type ManagedClusterFacts, type RegistryFacts } from '../../probes/types.js';
import { kubeSnapshot, runKubeCheck, standInKube } from '../../test/support/kube-check.js';
import { REGISTRY } from '../../test/support/kube-scenarios.js';
import { variantProfile } from '../../test/support/variant-profile.js';
import { PULL_CAUSES } from '../kube/pull.js';
import '../facts.js';
import { myapiDeployment, myappDeployment } from './deployments.js';
import { unavailableHint } from './workload.js';

const ONLY = ['ex6.myapp.deployment', 'ex6.myapi.deployment'];
const profile = loadProfile();
const lab = profile.expect;
const LOGIN = `${REGISTRY}.azurecr.io`;
const APP_IMAGE = `${LOGIN}/myapp:v1.0`;
const API_IMAGE = `${LOGIN}/myapi:v1.0`;
const acr: RegistryFacts = {
  id: `/subscriptions/s/resourceGroups/labuser07-rg/providers/Microsoft.ContainerRegistry/registries/${REGISTRY}`,
  name: REGISTRY,
  loginServer: LOGIN,
  adminUserEnabled: true,
};
const aks: ManagedClusterFacts = {
  id: '/subscriptions/s/resourceGroups/labuser07-rg/providers/Microsoft.ContainerService/managedClusters/aks07',
  name: 'aks07',
  agentPools: [],
  pullIdentityObjectIds: [],
  identity: 'managed',
};
const discovered = <T extends { name: string }>(chosen: T) => ({ chosen, candidates: [chosen.name], reason: 'stand-in' });
/** What Exercises 3 and 4 found: the student's cluster and registry. */
const FOUND: Partial<Facts> = { cluster: discovered(aks), registry: discovered(acr) };

interface DeploymentSpec {
  image?: string;
  replicas?: number;
  available?: number;
  env?: Record<string, string>;
  /** The pod template's containers as written (default: one container named after the Deployment). */
  containers?: V1Container[];
}

/** A Deployment as the API server returns it, with its status. */
function deployment(name: string, { image, replicas, available = replicas ?? 1, env, containers }: DeploymentSpec = {}): V1Deployment {
  const main: V1Container = { name, image, ...(env ? { env: Object.entries(env).map(([k, value]) => ({ name: k, value })) } : {}) };
  return {
    metadata: { name, namespace: 'default' },
    spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: name } }, template: { spec: { containers: containers ?? [main] } } },
    status: { availableReplicas: available, readyReplicas: available },
  };
}

/** The lab's Deployments, all replicas available. */
const labApp = (spec: DeploymentSpec = {}) => deployment('myapp', { image: APP_IMAGE, replicas: lab.app.replicas, env: lab.app.env, ...spec });
const labApi = (spec: DeploymentSpec = {}) => deployment('myapi', { image: API_IMAGE, replicas: lab.api.replicas, ...spec });

/** A pod of a Deployment: Running, or waiting with the kubelet's reason and message. */
function pod(name: string, app: string, image: string, waiting?: { reason: string; message?: string }): V1Pod {
  return {
    metadata: { name, namespace: 'default', labels: { app } },
    spec: { containers: [{ name: app, image }] },
    status: waiting
      ? { phase: 'Pending', containerStatuses: [{ name: app, image, imageID: '', ready: false, restartCount: 0, state: { waiting } }] }
      : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: app, image, imageID: '', ready: true, restartCount: 0, state: { running: {} } }] },
  };
}

/** The kubelet's Failed event about a pod. */
const failedEvent = (podName: string, message: string): CoreV1Event => ({
  metadata: { name: `${podName}.1` },
  involvedObject: { kind: 'Pod', name: podName },
  reason: 'Failed',
  type: 'Warning',
  message,
  lastTimestamp: new Date('2024-05-01T10:00:00Z'),
});

/** The lab's two Deployments, and `parts`. */
const snapshot = (parts: Partial<KubeSnapshot> = {}): KubeSnapshot => kubeSnapshot({ deployments: [labApp(), labApi()], ...parts });

/** Runs one check on a snapshot, with the facts Exercises 3 and 4 provided (default: both found). */
const runCheck = (check: CheckDef<'kube'>, snap: KubeSnapshot, { facts = FOUND, profile: p = profile }: { facts?: Partial<Facts>; profile?: LabProfile } = {}): Promise<Verdict> =>
  runKubeCheck(check, snap, { facts, profile: p });
const runApp = (snap: KubeSnapshot, opts?: Parameters<typeof runCheck>[2]) => runCheck(myappDeployment, snap, opts);
const runApi = (snap: KubeSnapshot, opts?: Parameters<typeof runCheck>[2]) => runCheck(myapiDeployment, snap, opts);

describe('the Deployment checks as the catalogue lists them', () => {
  it("titles name the profile's Deployment and, for myapp, its replicas", () => {
    expect(myappDeployment.title(profile)).toBe('Deployment myapp runs 3 replicas of your image');
    expect(myapiDeployment.title(profile)).toBe('Deployment myapi runs your image');
  });

  it('need the cluster, depend on reaching it, run after the pull right and the pushed image, and list their codes', () => {
    expect(myappDeployment).toMatchObject({
      exercise: 6,
      points: { points: 2 },
      needs: ['kube'],
      dependsOn: ['ex5.kube.reachable'],
      after: ['ex5.pull.authorized', 'ex4.image.myapp'],
      uses: ['registry', 'cluster'],
    });
    expect(myapiDeployment).toMatchObject({ exercise: 6, needs: ['kube'], dependsOn: ['ex5.kube.reachable'], after: ['ex5.pull.authorized', 'ex4.image.myapi'], uses: ['registry', 'cluster'] });
    const codes = (c: CheckDef) => Object.fromEntries(Object.entries(c.reasons).map(([k, r]) => [k, r.code]));
    expect(codes(myappDeployment)).toEqual({ missing: 'LG-601', wrongImage: 'LG-602', wrongEnv: 'LG-603', replicaCount: 'LG-604', unavailable: 'LG-605' });
    expect(codes(myapiDeployment)).toEqual({ missing: 'LG-611', wrongImage: 'LG-612', wrongEnv: 'LG-613', replicaCount: 'LG-614', unavailable: 'LG-615' });
    // Only a missing Deployment means "not started".
    for (const c of [myappDeployment, myapiDeployment]) {
      expect(
        Object.entries(c.reasons)
          .filter(([, r]) => r.absent)
          .map(([k]) => k),
      ).toEqual(['missing']);
    }
  });
});

describe("the Deployments' reasons, worded for the profile in force", () => {
  it("name the lab's Deployment, and every variable the app's must set", () => {
    const wrongEnv = (p: LabProfile) => reasonSummary(myappDeployment.reasons.wrongEnv, p.expect);
    expect(wrongEnv(profile)).toBe('Deployment myapp lacks API_BASE_URL=http://myapi:8080');
    expect(wrongEnv(variantProfile())).toBe('Deployment frontend lacks API_BASE_URL=http://backend:9000, MODE=lab');
  });
});

describe('ex6.myapp.deployment / ex6.myapi.deployment, run on a snapshot', () => {
  it('pass with the running image and the available replicas', async () => {
    expect(await runApp(snapshot())).toEqual({
      status: 'pass',
      message: `Deployment myapp runs ${APP_IMAGE} with 3/3 replica(s) available`,
      evidence: { deployment: 'myapp', image: APP_IMAGE, replicas: '3/3' },
    });
    expect(await runApi(snapshot({ deployments: [labApi({ replicas: 2 })] }))).toMatchObject({ status: 'pass', evidence: { deployment: 'myapi', image: API_IMAGE, replicas: '2/2' } });
  });

  it.each([
    ['myapp', 'LG-601', myappDeployment],
    ['myapi', 'LG-611', myapiDeployment],
  ] as const)('no %s in the namespace is %s, missing (not started), with the file to apply', async (name, code, check) => {
    const v = await runCheck(check, snapshot({ namespace: 'labuser07', deployments: [] }));
    expect(v).toEqual({
      status: 'fail',
      code,
      message: `Deployment ${name} not found in namespace labuser07`,
      hint: `Exercise 6 steps 4–8: put your registry name into ${name}.yaml and run \`kubectl apply -f ${name}.yaml\` (in greetings/k8s/config).`,
      evidence: { namespace: 'labuser07' },
      outcome: 'needs-fix',
    });
  });

  /** The LG-602 verdict for `image` (shown as `shown`) when the lab wants `expected`. */
  const wrongImage = (image: string, expected: string, registrySource: string, note = '') => ({
    status: 'fail',
    code: 'LG-602',
    message: `Deployment myapp runs ${image || 'no image'}, not your ${expected}${note}`,
    hint: `Exercise 6 steps 4–8: change the image at the bottom of myapp.yaml to ${expected} (the image you pushed in Exercise 4) and \`kubectl apply -f myapp.yaml\` again.`,
    evidence: { deployment: 'myapp', image, expected, registrySource },
    outcome: 'needs-fix',
    found: image || 'none',
    expected,
  });

  it.each([
    ['another registry', 'someoneelse.azurecr.io/myapp:v1.0'],
    ['the wrong repository', `${LOGIN}/myapi:v1.0`],
    ['another tag', `${LOGIN}/myapp:latest`],
    ['no tag', `${LOGIN}/myapp`],
    ['Docker Hub', 'myapp:v1.0'],
  ])("an image from %s is not the student's (their registry known from Exercise 4)", async (_what, image) => {
    expect(await runApp(snapshot({ deployments: [labApp({ image })] }))).toEqual(wrongImage(image, APP_IMAGE, 'ex4.registry.exists'));
  });

  it("the Helm chart's broken default registry is named as such", async () => {
    const image = 'azurezr.io/myapp:v1.0';
    expect(await runApp(snapshot({ deployments: [labApp({ image })] }))).toEqual(
      wrongImage(image, APP_IMAGE, 'ex4.registry.exists', " (azurezr.io is the Helm chart's deliberately broken default registry)"),
    );
  });

  it('myapi running myapp is LG-612, with myapi.yaml and the myapi image in the hint', async () => {
    const v = await runApi(snapshot({ deployments: [labApi({ image: APP_IMAGE })] }));
    expect(v).toMatchObject({ status: 'fail', code: 'LG-612', found: APP_IMAGE, expected: API_IMAGE, evidence: { deployment: 'myapi', image: APP_IMAGE } });
    expect(v.hint).toContain(`myapi.yaml to ${API_IMAGE}`);
  });

  describe('with the registry unknown (no Exercise 4 fact, no pod pulling from an Azure registry)', () => {
    const PLACEHOLDER = '<registry name>.azurecr.io/myapp:v1.0';
    const unknown = (image: string) => runApp(snapshot({ deployments: [labApp({ image })] }), { facts: {} });

    it("any Azure registry's myapp:v1.0 counts as the student's", async () => {
      expect(await unknown('anyacr.azurecr.io/myapp:v1.0')).toMatchObject({ status: 'pass', evidence: { image: 'anyacr.azurecr.io/myapp:v1.0' } });
    });

    it.each([
      ['a registry outside Azure', 'ghcr.io/someone/myapp:v1.0'],
      ['Docker Hub', 'myapp:v1.0'],
      ['the wrong repository', 'anyacr.azurecr.io/myapi:v1.0'],
      ['another tag', 'anyacr.azurecr.io/myapp:v2.0'],
      ['an invalid reference', 'ANYACR.azurecr.io/My App:v1.0'],
    ])('%s fails, with the placeholder as the expected image', async (_what, image) => {
      expect(await unknown(image)).toEqual(wrongImage(image, PLACEHOLDER, 'unknown'));
    });

    it.each([
      ['a container without an image', { image: undefined }],
      ['no container at all', { containers: [] }],
    ])('%s runs no image', async (_what, spec) => {
      const v = await runApp(snapshot({ deployments: [labApp(spec)] }), { facts: {} });
      expect(v).toEqual(wrongImage('', PLACEHOLDER, 'unknown'));
    });
  });

  describe('env', () => {
    const withEnv = (env: Record<string, string>) => snapshot({ deployments: [labApp({ env })] });

    it('API_BASE_URL missing: not set', async () => {
      expect(await runApp(withEnv({ OTHER: 'x' }))).toEqual({
        status: 'fail',
        code: 'LG-603',
        message: 'Deployment myapp: env API_BASE_URL is not set, the lab sets http://myapi:8080',
        hint: "Exercise 6 step 5: leave API_BASE_URL as 'http://myapi:8080' in the last lines of myapp.yaml and apply it again (step 8).",
        evidence: { deployment: 'myapp', API_BASE_URL: null },
        outcome: 'needs-fix',
        found: 'not set',
        expected: 'http://myapi:8080',
      });
    });

    it.each(['http://myapi:9090', ''])('API_BASE_URL wrong (%j): the value found, quoted', async (value) => {
      expect(await runApp(withEnv({ API_BASE_URL: value }))).toEqual({
        status: 'fail',
        code: 'LG-603',
        message: `Deployment myapp: env API_BASE_URL is ${JSON.stringify(value)}, the lab sets http://myapi:8080`,
        hint: "Exercise 6 step 5: leave API_BASE_URL as 'http://myapi:8080' in the last lines of myapp.yaml and apply it again (step 8).",
        evidence: { deployment: 'myapp', API_BASE_URL: value },
        outcome: 'needs-fix',
        found: value,
        expected: 'http://myapi:8080',
      });
    });

    it('is checked on the container named after the Deployment, not a sidecar listed first', async () => {
      const sidecar: V1Container = { name: 'proxy', image: 'envoyproxy/envoy:v1.30' };
      const main: V1Container = { name: 'myapp', image: APP_IMAGE, env: [{ name: 'API_BASE_URL', value: 'http://myapi:8080' }] };
      expect(await runApp(snapshot({ deployments: [labApp({ containers: [sidecar, main] })] }))).toMatchObject({ status: 'pass', evidence: { image: APP_IMAGE } });
    });
  });

  describe('replicas', () => {
    it.each([2, 4])("myapp asking for %i is not the lab's 3", async (replicas) => {
      expect(await runApp(snapshot({ deployments: [labApp({ replicas })] }))).toEqual({
        status: 'fail',
        code: 'LG-604',
        message: `Deployment myapp asks for ${replicas} replica(s); the lab's myapp.yaml asks for 3`,
        hint: 'Exercise 6 step 8: keep `replicas: 3` in myapp.yaml and apply it again.',
        evidence: { deployment: 'myapp', replicas },
        outcome: 'needs-fix',
        found: String(replicas),
        expected: '3',
      });
    });

    it('myapp without spec.replicas runs 1, which is not 3', async () => {
      expect(await runApp(snapshot({ deployments: [labApp({ replicas: undefined, available: 1 })] }))).toMatchObject({ code: 'LG-604', found: '1', expected: '3' });
    });

    it('myapi may run any count (ex6.api.replicas judges it)', async () => {
      expect(await runApi(snapshot({ deployments: [labApi({ replicas: 5 })] }))).toMatchObject({ status: 'pass', evidence: { replicas: '5/5' } });
    });
  });
});

describe('replicas unavailable: why, the step that fixes it, and the check it follows from', () => {
  /** myapp asking for 3 with `available` of them up, its pods and the kubelet's events. */
  const starting = (pods: V1Pod[], events: CoreV1Event[] = [], available = 1) => snapshot({ deployments: [labApp({ available })], pods, events });
  const running = (name: string) => pod(name, 'myapp', APP_IMAGE);
  const backOff = (name: string, image = APP_IMAGE) => pod(name, 'myapp', image, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
  const pullFailed = (name: string, answer: string, image = APP_IMAGE) => failedEvent(name, `Failed to pull image "${image}": rpc error: code = Unknown desc = Error response from daemon: ${answer}`);
  const UNAUTHORIZED = `Get https://${LOGIN}/v2/myapp/manifests/v1.0: unauthorized: authentication required`;

  it('pods still starting: how many are up, the pods, and to watch them (waiting may fix it)', async () => {
    const creating = (name: string) => pod(name, 'myapp', APP_IMAGE, { reason: 'ContainerCreating' });
    expect(await runApp(starting([creating('myapp-c'), running('myapp-a'), creating('myapp-b')]))).toEqual({
      status: 'fail',
      code: 'LG-605',
      message: 'Deployment myapp: 1 of 3 replica(s) available (pods: myapp-a Running, myapp-b ContainerCreating, myapp-c ContainerCreating)',
      hint: unavailableHint,
      evidence: { deployment: 'myapp', image: APP_IMAGE, replicas: '1/3' },
      outcome: 'not-ready',
      found: '1/3 available',
      expected: '3/3 available',
    });
  });

  it('no pods at all: the count alone', async () => {
    const v = await runApp(starting([], [], 0));
    expect(v).toMatchObject({ code: 'LG-605', message: 'Deployment myapp: 0 of 3 replica(s) available', hint: unavailableHint, found: '0/3 available' });
  });

  it('myapi scaled to 0 is not available either', async () => {
    expect(await runApi(snapshot({ deployments: [labApi({ replicas: 0 })] }))).toMatchObject({ status: 'fail', code: 'LG-615', found: '0/0 available', expected: '0/0 available' });
  });

  it("the registry refuses the pull: the grant command with the student's cluster, registry and group; follows from ex5.pull.authorized", async () => {
    const v = await runApp(starting([running('myapp-a'), backOff('myapp-b')], [pullFailed('myapp-b', UNAUTHORIZED)]));
    expect(v).toEqual({
      status: 'fail',
      code: 'LG-605',
      message: `Deployment myapp: 1 of 3 replica(s) available (pods: myapp-a Running, myapp-b ImagePullBackOff); ${PULL_CAUSES.unauthorized.meaning}`,
      // Exercise 5's pod myapp is gone by Exercise 6: the student watches the Deployment's pods.
      hint: "Exercise 5 steps 10–17 grant the cluster the right to pull: `az aks update --name aks07 --resource-group labuser07-rg --attach-acr labuser07acr` (it gives the cluster's kubelet identity the pull role on labuser07acr); then `kubectl get pods` until the myapp pods are Running (Exercise 6 step 10).",
      evidence: {
        deployment: 'myapp',
        image: APP_IMAGE,
        replicas: '1/3',
        pod: 'myapp-b',
        reason: 'ImagePullBackOff',
        event: `Warning Failed: Failed to pull image "${APP_IMAGE}": rpc error: code = Unknown desc = Error response from daemon: ${UNAUTHORIZED}`,
      },
      outcome: 'not-ready',
      found: '1/3 available',
      expected: '3/3 available',
      causedBy: 'ex5.pull.authorized',
    });
  });

  it("refused with the cluster and registry unknown (inferred from the pods): the lab's own grant steps", async () => {
    const v = await runApp(starting([backOff('myapp-b')], [pullFailed('myapp-b', UNAUTHORIZED)]), { facts: {} });
    expect(v).toMatchObject({
      code: 'LG-605',
      hint: "Exercise 5 steps 10–17: grant the cluster's service principal Reader on the registry (`az aks show -n <cluster> -g labuser07-rg --query servicePrincipalProfile.clientId`, then labuser07acr's Access Control → Add → Reader → that id → Save), then `kubectl get pods` until the myapp pods are Running (Exercise 6 step 10).",
      causedBy: 'ex5.pull.authorized',
    });
  });

  it('refused with only the cluster known: the registry the pods pull from is named in the grant command', async () => {
    const v = await runApp(starting([backOff('myapp-b')], [pullFailed('myapp-b', UNAUTHORIZED)]), { facts: { cluster: FOUND.cluster } });
    expect(v).toMatchObject({ code: 'LG-605', hint: expect.stringContaining('`az aks update --name aks07 --resource-group labuser07-rg --attach-acr labuser07acr`') });
  });

  it.each([
    ['myapp', 'ex4.image.myapp', myappDeployment],
    ['myapi', 'ex4.image.myapi', myapiDeployment],
  ] as const)('%s with a tag never pushed: push it, with the repository and registry named; follows from %s', async (name, pushed, check) => {
    const image = `${LOGIN}/${name}:v1.0`;
    const stuck = pod(`${name}-b`, name, image, { reason: 'ErrImagePull' });
    const snap = snapshot({
      deployments: [deployment(name, { image, replicas: name === 'myapp' ? 3 : 1, available: 0, env: name === 'myapp' ? lab.app.env : undefined })],
      pods: [stuck],
      events: [pullFailed(`${name}-b`, `manifest for ${image} not found: manifest unknown: manifest tagged by "v1.0" is not found`, image)],
    });
    const v = await runCheck(check, snap);
    expect(v).toMatchObject({
      status: 'fail',
      message: expect.stringContaining(`; ${PULL_CAUSES['manifest-unknown'].meaning}`),
      causedBy: pushed,
      evidence: { pod: `${name}-b`, reason: 'ErrImagePull' },
    });
    expect(v.hint).toContain(`REGISTRY=${LOGIN}/`);
    expect(v.hint).toContain(`--name ${REGISTRY} --repository ${name}`);
  });

  it("a registry that does not answer: use the student's own, named, in Exercise 6's file and step; no earlier check to blame", async () => {
    const v = await runApp(starting([backOff('myapp-b')], [pullFailed('myapp-b', `Get https://${LOGIN}/v2/: dial tcp: lookup ${LOGIN}: no such host`)]));
    expect(v).toMatchObject({
      code: 'LG-605',
      message: expect.stringContaining(`; ${PULL_CAUSES['no-such-host'].meaning}`),
      hint: `Exercise 6 steps 4–8: use your own registry's name in the image in myapp.yaml, ${LOGIN}/myapp:v1.0 (see \`az acr list -o table\`), and \`kubectl apply -f myapp.yaml\` again.`,
    });
    expect(v).not.toHaveProperty('causedBy');
  });

  it("myapi's pull refused or its registry unknown: the hints name myapi.yaml and myapi's pods", async () => {
    const stuck = (answer: string) =>
      snapshot({
        deployments: [labApi({ available: 0 })],
        pods: [pod('myapi-b', 'myapi', API_IMAGE, { reason: 'ImagePullBackOff' })],
        events: [pullFailed('myapi-b', answer, API_IMAGE)],
      });
    const noHost = await runApi(stuck(`dial tcp: lookup ${LOGIN}: no such host`));
    expect(noHost).toMatchObject({
      code: 'LG-615',
      hint: `Exercise 6 steps 4–8: use your own registry's name in the image in myapi.yaml, ${API_IMAGE} (see \`az acr list -o table\`), and \`kubectl apply -f myapi.yaml\` again.`,
    });
    const refused = await runApi(stuck(UNAUTHORIZED));
    expect(refused).toMatchObject({
      code: 'LG-615',
      causedBy: 'ex5.pull.authorized',
      hint: expect.stringMatching(/; then `kubectl get pods` until the myapi pods are Running \(Exercise 6 step 10\)\.$/),
    });
  });

  it.each([
    [
      'the event that explains it',
      'ErrImagePull',
      'rpc error: code = Unknown',
      [pullFailed('myapp-b', 'toomanyrequests: rate limit')],
      `ErrImagePull: Warning Failed: Failed to pull image "${APP_IMAGE}": rpc error: code = Unknown desc = Error response from daemon: toomanyrequests: rate limit`,
    ],
    ['the waiting message without an event', 'ErrImagePull', 'rpc error: code = Unknown', [], 'ErrImagePull: rpc error: code = Unknown'],
    ['the reason alone', 'ErrImageNeverPull', undefined, [], 'ErrImageNeverPull'],
  ])('a pull failing for another cause shows %s, and the generic step', async (_what, reason, message, events, why) => {
    const v = await runApp(starting([pod('myapp-b', 'myapp', APP_IMAGE, { reason, message })], events, 0));
    expect(v).toMatchObject({
      code: 'LG-605',
      message: `Deployment myapp: 0 of 3 replica(s) available (pods: myapp-b ${reason}); ${why}`,
      hint: unavailableHint,
      evidence: { pod: 'myapp-b', reason },
    });
    expect(v).not.toHaveProperty('causedBy');
  });
});

describe('values from the profile, not the lab written in', () => {
  const variant = variantProfile();
  const frontend = (spec: DeploymentSpec = {}) => deployment('frontend', { image: `${LOGIN}/web:v2.1`, replicas: 2, env: { API_BASE_URL: 'http://backend:9000', MODE: 'lab' }, ...spec });
  const backend = (spec: DeploymentSpec = {}) => deployment('backend', { image: `${LOGIN}/svc:v2.1`, replicas: 1, env: { GREETING: 'hi' }, ...spec });
  const run = (check: CheckDef<'kube'>, deployments: V1Deployment[]) => runCheck(check, snapshot({ deployments }), { profile: variant });

  it("titles and a pass use the profile's names and replicas", async () => {
    expect(myappDeployment.title(variant)).toBe('Deployment frontend runs 2 replicas of your image');
    expect(myapiDeployment.title(variant)).toBe('Deployment backend runs your image');
    expect(await run(myappDeployment, [frontend(), backend()])).toMatchObject({ status: 'pass', message: `Deployment frontend runs ${LOGIN}/web:v2.1 with 2/2 replica(s) available` });
    expect(await run(myapiDeployment, [frontend(), backend()])).toMatchObject({ status: 'pass', evidence: { deployment: 'backend' } });
  });

  it("the lab's own myapp is missing under the profile's name", async () => {
    expect(await run(myappDeployment, [labApp(), backend()])).toMatchObject({
      code: 'LG-601',
      message: 'Deployment frontend not found in namespace default',
      hint: expect.stringContaining('`kubectl apply -f frontend.yaml`'),
    });
  });

  it("the profile's tag and repository make the image", async () => {
    const v = await run(myappDeployment, [frontend({ image: `${LOGIN}/web:v1.0` })]);
    expect(v).toMatchObject({ code: 'LG-602', found: `${LOGIN}/web:v1.0`, expected: `${LOGIN}/web:v2.1`, hint: expect.stringContaining('frontend.yaml to') });
  });

  it("pull-failure hints name the profile's tag, repository and registry domain", async () => {
    const image = `${LOGIN}/web:v2.1`;
    const stuck = (answer: string) =>
      snapshot({
        deployments: [frontend({ available: 0 }), backend()],
        pods: [pod('frontend-b', 'frontend', image, { reason: 'ErrImagePull' })],
        events: [failedEvent('frontend-b', `Failed to pull image "${image}": rpc error: code = Unknown desc = ${answer}`)],
      });
    const unpushed = await runCheck(myappDeployment, stuck('manifest for x not found: manifest unknown'), { profile: variant });
    expect(unpushed.hint).toBe(
      `Exercise 4 step 5: push the image with \`TAG=v2.1 docker-compose push\` (REGISTRY=${LOGIN}/), then check it with \`az acr repository show-tags --name ${REGISTRY} --repository web\`.`,
    );
    const noHost = await runCheck(myappDeployment, stuck('dial tcp: lookup x: no such host'), { profile: variant });
    expect(noHost.hint).toContain(` ${image} `);
    // The student's registry unknown, in a cloud whose registries are *.azurecr.cn.
    const china: LabProfile = { ...variant, expect: { ...variant.expect, registryDomain: 'azurecr.cn' } };
    const unknown = await runCheck(myappDeployment, stuck('dial tcp: lookup x: no such host'), { profile: china, facts: {} });
    expect(unknown.hint).toContain(' <registry name>.azurecr.cn/web:v2.1 ');
  });

  it('every env value of the profile is checked, the second one too', async () => {
    const v = await run(myappDeployment, [frontend({ env: { API_BASE_URL: 'http://backend:9000', MODE: 'prod' } })]);
    expect(v).toMatchObject({
      code: 'LG-603',
      found: 'prod',
      expected: 'lab',
      evidence: { deployment: 'frontend', MODE: 'prod' },
      hint: "Exercise 6 step 5: leave MODE as 'lab' in the last lines of frontend.yaml and apply it again (step 8).",
    });
    expect(await run(myapiDeployment, [backend({ env: {} })])).toMatchObject({
      code: 'LG-613',
      found: 'not set',
      expected: 'hi',
      message: 'Deployment backend: env GREETING is not set, the lab sets hi',
    });
  });

  it("the profile's replica count", async () => {
    expect(await run(myappDeployment, [frontend({ replicas: 3 })])).toMatchObject({
      code: 'LG-604',
      message: "Deployment frontend asks for 3 replica(s); the lab's frontend.yaml asks for 2",
      hint: 'Exercise 6 step 8: keep `replicas: 2` in frontend.yaml and apply it again.',
      found: '3',
      expected: '2',
    });
  });
});

describe('through the engine: probe errors and the checks a failure follows from', () => {
  /** Exercises 3–5 stood in for (all run: `after` alone does not pull a check into a selection): each passes unless named in `failing`; 3 and 4 provide their facts. */
  const upstream = (failing: string[]): CheckDef[] =>
    (
      [
        ['ex3.cluster.exists', { cluster: FOUND.cluster }],
        ['ex4.registry.exists', { registry: FOUND.registry }],
        ['ex4.image.myapp', {}],
        ['ex4.image.myapi', {}],
        ['ex5.kube.reachable', {}],
        ['ex5.pull.authorized', {}],
      ] as const
    ).map(([id, facts], i) => {
      const R = reasons({ failed: [`LG-99${i}`, 'stand-in failure'] });
      return defineCheck({
        id,
        exercise: Number(id[2]),
        title: () => `stand-in ${id}`,
        points: { points: 0 },
        needs: [],
        dependsOn: [],
        ...(Object.keys(facts).length ? { provides: Object.keys(facts) as FactName[] } : {}),
        reasons: R,
        run: async () => (failing.includes(id) ? fail(R.failed, `${id} failed`, 'stand-in') : pass('stand-in', {}, { facts })),
      });
    });

  async function grade(snap: KubeSnapshot | Error, failing: string[] = []) {
    const catalogue = [...upstream(failing), myappDeployment, myapiDeployment] as CheckDef[];
    const { result } = await gradeStudent({ user: 'labuser07', resourceGroup: 'labuser07-rg' }, selectChecks(catalogue), { probes: { kube: standInKube(snap) } }, profile);
    return Object.fromEntries(result.checks.map((c) => [c.id, c]));
  }

  it.each(['deployments', 'pods'])('%s the grader may not list: error (the grader could not find out), naming the list', async (kind) => {
    const by = await grade(snapshot({ unreadable: { [kind]: `${kind} is forbidden: User "labuser07" cannot list resource "${kind}"` } }));
    for (const id of ONLY) {
      expect(by[id], id).toMatchObject({
        status: 'error',
        code: 'LG-014',
        message: `${kind} is forbidden: User "labuser07" cannot list resource "${kind}"`,
        evidence: { probe: 'kube', unreadable: [kind] },
      });
    }
  });

  it('a list these checks do not read does not matter', async () => {
    const by = await grade(snapshot({ unreadable: { services: 'services is forbidden' } }));
    expect(by['ex6.myapp.deployment'].status).toBe('pass');
  });

  it('the Kubernetes API failing is an error of the kube probe', async () => {
    const by = await grade(new ProbeError('kube', 'connect ECONNREFUSED 127.0.0.1:6443'));
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'error', code: 'LG-014', message: 'connect ECONNREFUSED 127.0.0.1:6443' });
  });

  it('blocked when the cluster cannot be reached', async () => {
    const by = await grade(snapshot(), ['ex5.kube.reachable']);
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'blocked', blockedBy: 'ex5.kube.reachable' });
    expect(by['ex6.myapp.deployment']).not.toHaveProperty('code');
  });

  const refused = (failing: string[]) =>
    grade(
      snapshot({
        deployments: [labApp({ available: 0 }), labApi()],
        pods: [pod('myapp-a', 'myapp', APP_IMAGE, { reason: 'ImagePullBackOff' })],
        events: [failedEvent('myapp-a', `Failed to pull image "${APP_IMAGE}": unauthorized: authentication required`)],
      }),
      failing,
    );

  it('pods refused by the registry: blocked by ex5.pull.authorized when it failed, the root cause named once', async () => {
    const by = await refused(['ex5.pull.authorized']);
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'blocked', blockedBy: 'ex5.pull.authorized' });
    expect(by['ex6.myapi.deployment'].status).toBe('pass');
  });

  it('pods refused while ex5.pull.authorized passed (or an image was not pushed): the failure stands', async () => {
    const by = await refused(['ex4.image.myapp']);
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'fail', code: 'LG-605', outcome: 'not-ready' });
  });
});
