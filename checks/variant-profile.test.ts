/**
 * A course's variant of the lab (test/support/variant-profile.ts: images web and svc, Deployments
 * frontend and backend, Services storefront and orders, pod shopfront, chart shop, clone ~/shop, tag
 * v2.1): the Kubernetes checks' messages and hints name the variant's objects, files and commands, and
 * never the built-in lab's (myapp, myapi, v1.0, greetings/k8s). Each check runs alone on stand-in
 * probes; the check catalogue is not loaded.
 */
import type { V1Endpoints, V1Secret, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { CheckDef, Facts, Verdict } from '../core/check.js';
import type { ProbeKind } from '../core/model.js';
import type { HttpAnswer, HttpProbe, KubeProbe, KubeSnapshot, Probes, RegistryProbe } from '../probes/types.js';
import { helmRecord } from '../sandbox/kube/helm.js';
import { runWith } from '../test/support/check-run.js';
import { kubeSnapshot, standInKube } from '../test/support/kube-check.js';
import { failedEvent, labDeployment, labPod, podLists } from '../test/support/kube-objects.js';
import { discovered, LAB_REGISTRY, LOGIN_SERVER } from '../test/support/lab-azure.js';
import { BUILTIN_NAMES, variantProfile } from '../test/support/variant-profile.js';
import './facts.js';
import { podRunning } from './ex5/pod.js';
import { pullAuthorized } from './ex5/pull.js';
import { myappDeployment } from './ex6/deployments.js';
import { appE2e } from './ex6/e2e.js';
import { imageProvenance } from './ex6/provenance.js';
import { apiReplicas } from './ex6/replicas.js';
import { selfHeal } from './ex6/selfheal.js';
import { myapiService, myappService } from './ex6/services.js';
import { helmRegistry, helmRelease } from './ex7/helm.js';

const profile = variantProfile();
const FOUND: Partial<Facts> = { registry: discovered(LAB_REGISTRY) };
const WEB = `${LOGIN_SERVER}/web:v2.1`;
const SVC = `${LOGIN_SERVER}/svc:v2.1`;
const frontend = (replicas = 2) => labDeployment('frontend', WEB, { replicas, env: profile.expect.app.env });
const backend = (replicas = 1) => labDeployment('backend', SVC, { replicas, env: profile.expect.api.env });
const service = (name: string, type: string, port: number, ingress?: { ip: string }[]): V1Service => ({
  metadata: { name, namespace: 'default' },
  spec: { type, selector: { app: name === 'storefront' ? 'frontend' : 'backend' }, ports: [{ protocol: 'TCP', port, targetPort: 8080 as never }] },
  status: ingress ? { loadBalancer: { ingress } } : {},
});
const storefront = (ingress?: { ip: string }[]) => service('storefront', 'LoadBalancer', 80, ingress);
const orders = service('orders', 'ClusterIP', 8080);
const helm3Secret = (status: string) => helmRecord({ name: 'shop', chart: 'shop-0.3.0', helm: 3, status, values: {}, tiller: false }, '2024-05-01T09:00:00Z') as V1Secret;

/** Runs `check` under the variant and holds its message and hint to the variant's names. */
async function graded<N extends ProbeKind>(check: CheckDef<N>, probes: Probes, { facts = FOUND, waitMs = 0 }: { facts?: Partial<Facts>; waitMs?: number } = {}): Promise<Verdict> {
  const v = await runWith(check, probes, { profile, facts, options: { allowDisruptive: true, waitMs } });
  expect(`${v.message}\n${v.hint ?? ''}`).not.toMatch(BUILTIN_NAMES);
  return v;
}
const kube = (parts: Partial<KubeSnapshot>) => ({ kube: standInKube(kubeSnapshot(parts)) });

describe("Exercise 5 under a variant: the profile's pod and its file", () => {
  it('no pod at all: the pod file and the Deployment named as the profile names them', async () => {
    expect(await graded(podRunning, kube({}))).toMatchObject({
      code: 'LG-529',
      message: `no pod runs ${WEB}: neither pod shopfront nor the pods of Deployment frontend exist`,
      hint: `Exercise 5 steps 6–7: put your registry name into shopfront-pod.yaml (image ${WEB}) and run \`kubectl apply -f shopfront-pod.yaml\`.`,
    });
  });

  it('a pod that waits is watched by its own name', async () => {
    const waiting = labPod('shopfront', 'shopfront', WEB, { waiting: { reason: 'ContainerCreating' } });
    expect(await graded(podRunning, kube({ pods: [waiting] }))).toMatchObject({
      code: 'LG-526',
      hint: 'Exercise 5 step 18: run `kubectl get pod shopfront` a few times until it shows Running; `kubectl describe pod shopfront` shows why it waits.',
    });
  });

  it('a refused pull: the grant steps with the resource group and registry filled in, then the pod watched', async () => {
    const stuck = labPod('shopfront', 'shopfront', WEB, { waiting: { reason: 'ImagePullBackOff' } });
    const v = await graded(podRunning, kube({ pods: [stuck], events: [failedEvent('shopfront', `Failed to pull image "${WEB}": 401 Unauthorized`)] }));
    expect(v).toMatchObject({ code: 'LG-521' });
    expect(v.hint).toContain('-g labuser07-rg ');
    expect(v.hint).toContain(`then ${LAB_REGISTRY.name}'s Access Control`);
    expect(v.hint).toMatch(/then `kubectl get pod shopfront` until it is Running\.$/);
  });

  it('no registry known to grant on: the lab grant steps end watching the profile’s pod', async () => {
    const v = await graded(pullAuthorized, kube({}), { facts: {} });
    expect(v).toMatchObject({ code: 'LG-512' });
    expect(v.hint).toMatch(/then `kubectl get pod shopfront` until it is Running\.$/);
  });
});

describe("Exercise 6 under a variant: the profile's Deployments, Services, files and folder", () => {
  it("a missing Deployment: its file applied in the clone's k8s/config", async () => {
    expect(await graded(myappDeployment, kube({}))).toMatchObject({
      code: 'LG-601',
      hint: 'Exercise 6 steps 4–8: put your registry name into frontend.yaml and run `kubectl apply -f frontend.yaml` (in shop/k8s/config).',
    });
  });

  it('Services removed for Exercise 7 and a failed release of the chart: both ways back with the profile’s names', async () => {
    const v = await graded(myappService, kube({ helmSecrets: [helm3Secret('failed')] }));
    expect(v).toMatchObject({ code: 'LG-637' });
    expect(v.hint).toBe(
      "Get them back either way: re-apply the lab's files (`kubectl apply -f frontend.yaml -f backend.yaml` in shop/k8s/config), or finish Exercise 7 step 5: " +
        `\`helm uninstall shop\`, \`kubectl delete deployment frontend backend\` (the chart makes its own), then in shop/k8s/helm \`helm install shop . --set registry=${LOGIN_SERVER}\`.`,
    );
  });

  it("Services removed for Helm 2's tiller, no release yet: the chart's own install", async () => {
    const v = await graded(myapiService, kube({ serviceAccounts: [{ metadata: { name: 'tiller', namespace: 'kube-system' } }] }));
    expect(v).toMatchObject({ code: 'LG-627' });
    expect(v.hint).toContain(`finish Exercise 7 step 5: \`kubectl delete deployment frontend backend\`, then in shop/k8s/helm \`helm install shop . --set registry=${LOGIN_SERVER}\`.`);
  });

  it("the API's Service without ready endpoints: its pods, listed by the Service's selector", async () => {
    const starting = labPod('backend-5c6b7-aaaaa', 'backend', SVC, { waiting: { reason: 'ContainerCreating' } });
    const endpoints: V1Endpoints = { metadata: { name: 'orders', namespace: 'default' }, subsets: [] };
    const v = await graded(myapiService, kube({ services: [orders], deployments: [backend()], pods: [starting], endpoints: [endpoints] }));
    expect(v).toMatchObject({
      code: 'LG-626',
      message: 'Service orders has no ready endpoints: no backend pod is Ready (pods: backend-5c6b7-aaaaa ContainerCreating)',
      hint: 'Exercise 6 step 10: the backend pods must be Running and Ready; `kubectl get pods --selector app=backend` and `kubectl describe pod <name>` show why they are not.',
    });
  });

  it("the app's Service still pending, for the Service check and the end-to-end check", async () => {
    const pending = 'Exercise 6 step 14: repeat `kubectl get svc` until the storefront service has an external IP.';
    const snap = { services: [storefront()], deployments: [frontend()], pods: [labPod('frontend-a', 'frontend', WEB)] };
    expect(await graded(myappService, kube(snap))).toMatchObject({ code: 'LG-636', hint: pending });
    expect(await graded(appE2e, { ...kube(snap), http: answering({}) })).toMatchObject({ code: 'LG-641', hint: pending });
  });
});

/** An app whose pages are `pages` (by path; the POST answers `post`), the start page and form the lab's. */
function answering(pages: Record<string, string>, post: HttpAnswer['status'] = 200, postBody = '<h1>Result</h1>'): HttpProbe {
  const at = (url: string, status: number, body: string): HttpAnswer => ({ url, status, headers: {}, body, truncated: false });
  const page: Record<string, string> = { '/': '<a href="/greeting">start</a>', '/greeting': '<h1>Form</h1><input name="content">', ...pages };
  return {
    get: async (url) => at(url, 200, page[new URL(url).pathname] ?? ''),
    postForm: async (url) => at(url, post, postBody),
  } as HttpProbe;
}

describe('the app end to end under a variant', () => {
  const up = kube({
    services: [storefront([{ ip: '20.50.100.7' }])],
    deployments: [frontend(), backend(3)],
    endpoints: [{ metadata: { name: 'storefront' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] }],
  });

  it("nginx's page: the app's Deployment and file", async () => {
    const v = await graded(appE2e, { ...up, http: answering({ '/': '<h1>Welcome to nginx!</h1>' }) });
    expect(v).toMatchObject({
      code: 'LG-643',
      message: "http://20.50.100.7/ shows nginx's welcome page, not the greetings app: the frontend Deployment runs an nginx image",
      hint: `Exercise 6 steps 4–8: the image in frontend.yaml must be ${WEB}; apply it again with \`kubectl apply -f frontend.yaml\`.`,
    });
  });

  it("a 500 on posting: the app's env, the API's Service and pods", async () => {
    const v = await graded(appE2e, { ...up, http: answering({}, 500, '') });
    expect(v).toMatchObject({
      code: 'LG-647',
      message:
        "POST http://20.50.100.7/greeting answered 500: frontend could not reach backend: check API_BASE_URL (http://backend:9000), MODE (lab) in frontend.yaml and that the orders Service's selector matches the backend pods",
      hint: 'Exercise 6 steps 5–7: `kubectl describe svc orders` must list endpoints; API_BASE_URL stays http://backend:9000, MODE stays lab.',
    });
  });

  it("the greeting not listed with several API replicas: the lab's note on the profile's API", async () => {
    const v = await graded(appE2e, { ...up, http: answering({}) });
    expect(v).toMatchObject({ code: 'LG-649', message: expect.stringContaining('; backend runs 3 replicas, each with its own in-memory list') });
    expect(v.hint).toContain('because each backend pod keeps its own in-memory list. Set `replicas: 1` in backend.yaml and `kubectl apply -f backend.yaml`, or give backend a shared database');
  });
});

describe("the API's state under a variant", () => {
  const pods = [labPod('backend-a', 'backend', SVC), labPod('backend-b', 'backend', SVC)];

  it("several in-memory replicas: the lab's note on the profile's API", async () => {
    const kubeProbe = { snapshot: async () => kubeSnapshot({ deployments: [backend(2)], pods }), podProxyGet: podLists({ 'backend-a': ['hi'], 'backend-b': [] }) } as Partial<KubeProbe> as KubeProbe;
    const v = await graded(apiReplicas, { kube: kubeProbe });
    expect(v).toMatchObject({ code: 'LG-673', hint: expect.stringContaining('in backend.yaml and `kubectl apply -f backend.yaml`, or give backend a shared database') });
  });

  it('a replacement pod that does not start empty, and one that never comes: the profile’s API and its selector', async () => {
    const fresh = labPod('backend-c', 'backend', SVC);
    const cluster = (after: typeof pods): KubeProbe =>
      ({
        snapshot: async () => kubeSnapshot({ deployments: [backend(2)], pods }),
        deletePod: async () => undefined,
        listPods: async (_ns: string, selector: string) => (selector === 'app=backend' ? after : []),
        podProxyGet: podLists({ 'backend-c': ['hi'] }),
      }) as Partial<KubeProbe> as KubeProbe;
    const kept = await graded(selfHeal, { kube: cluster([...pods, fresh]) }, { waitMs: 2_000 });
    expect(kept).toMatchObject({
      code: 'LG-683',
      message: 'the replacement pod backend-c lists 1 greeting(s) right after starting, though backend keeps them in memory',
      hint: 'Exercise 6 steps 17–20: a new backend pod starts with an empty list unless backend uses a database; check the backend image and env.',
    });
    const never = await graded(selfHeal, { kube: cluster(pods) }, { waitMs: 600 });
    expect(never).toMatchObject({
      code: 'LG-684',
      hint: 'Exercise 6 step 18: `kubectl get pod --selector app=backend` shows whether the Deployment starts a new pod; `kubectl describe deployment backend` shows why not.',
    });
  });
});

describe('image provenance under a variant', () => {
  const registry = (tags: Record<string, string>): RegistryProbe => ({
    tags: async () => {
      throw new Error('ex6.image.provenance reads digests only');
    },
    manifestDigest: async (_server, repository, reference) => (reference === 'v2.1' ? tags[repository] : undefined),
  });

  it('an image not pushed follows from the push check of its workload, whatever the profile calls the image', async () => {
    const v = await graded(imageProvenance, { ...kube({ deployments: [frontend(), backend()] }), registry: registry({}) });
    expect(v).toMatchObject({ code: 'LG-662', message: `${LOGIN_SERVER} has no web:v2.1 to compare with`, causedBy: 'ex4.image.myapp' });
  });

  it("no running pod: the profile's Deployments, and the Deployment check it follows from", async () => {
    const v = await graded(imageProvenance, { ...kube({ deployments: [frontend(), backend()] }), registry: registry({ web: 'sha256:a', svc: 'sha256:b' }) });
    expect(v).toMatchObject({
      code: 'LG-663',
      hint: 'Exercise 6 steps 8–10: the frontend and backend pods must be Running (`kubectl get pods`); re-run once they are.',
      causedBy: 'ex6.myapp.deployment',
    });
  });
});

describe('Exercise 7 under a variant: the chart and its folder', () => {
  it("no release: the profile's chart installed from the clone's Helm folder", async () => {
    const v = await graded(helmRelease, kube({}));
    expect(v).toMatchObject({ code: 'LG-702', hint: expect.stringContaining(`Exercise 7 steps 3–5: in shop/k8s/helm run \`helm install shop . --set registry=${LOGIN_SERVER}\``) });
  });

  it("a failed release: removed, the profile's Deployments deleted, installed again", async () => {
    const v = await graded(helmRelease, kube({ helmSecrets: [helm3Secret('failed')] }));
    expect(v).toMatchObject({ code: 'LG-703', hint: expect.stringContaining('`kubectl delete deployment frontend backend` (the chart makes its own), then in shop/k8s/helm `helm install shop .') });
  });

  it("a release on the chart's broken default: upgraded in the clone's Helm folder", async () => {
    const release = (await graded(helmRelease, kube({ helmSecrets: [helm3Secret('deployed')] }))).facts!.helmRelease!;
    const broken = { ...release, values: { registry: profile.expect.helm.brokenDefaultRegistry } };
    const v = await graded(helmRegistry, kube({}), { facts: { ...FOUND, helmRelease: broken } });
    expect(v).toMatchObject({
      code: 'LG-712',
      hint: `Exercise 7 step 5: in shop/k8s/helm run \`helm upgrade shop . --set registry=${LOGIN_SERVER}\` (Helm renders the release again with your registry).`,
    });
  });
});
