/**
 * Exercise 6's Services run on hand-built snapshots with a stand-in probe and facts: every branch's
 * verdict, reason code, found/expected and hint, the Services Exercise 7 step 2 removed, and through the
 * engine the lists the grader may not read. This file does not import the check catalogue
 * (checks/index.ts) nor the simulated cluster, so a broken services.ts fails these tests instead of
 * failing to load them (services.test.ts grades the same checks against the simulated cluster).
 */
import type { V1ConfigMap, V1Deployment, V1Endpoints, V1Pod, V1Secret, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { defineCheck, pass, reasonSummary, type CheckDef, type Facts, type Verdict } from '../../core/check.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile, type LabProfile } from '../../core/profile.js';
import { selectChecks } from '../../core/selection.js';
import type { KubeSnapshot, RegistryFacts } from '../../probes/types.js';
import { helmRecord } from '../../sandbox/kube/helm.js';
import { kubeSnapshot, runKubeCheck, standInKube } from '../../test/support/kube-check.js';
import { REGISTRY } from '../../test/support/kube-scenarios.js';
import '../facts.js';
import { myapiService, myappService, pendingHint, pendingMessage } from './services.js';

const profile = loadProfile();
/** A check's reasons with their summaries as the built-in profile words them. */
const withSummaries = (check: CheckDef) => Object.fromEntries(Object.entries(check.reasons).map(([key, r]) => [key, { ...r, summary: reasonSummary(r, profile.expect) }]));
const LOGIN = `${REGISTRY}.azurecr.io`;
const PLACEHOLDER = '<registry name>.azurecr.io';
const acr: RegistryFacts = {
  id: `/subscriptions/s/resourceGroups/labuser07-rg/providers/Microsoft.ContainerRegistry/registries/${REGISTRY}`,
  name: REGISTRY,
  loginServer: LOGIN,
  adminUserEnabled: true,
};
const FOUND: Partial<Facts> = { registry: { chosen: acr, candidates: [REGISTRY], reason: 'stand-in' } };
const EXTERNAL_IP = '20.30.40.50';

interface ServiceSpec {
  type?: string;
  port?: number;
  targetPort?: number | string;
  protocol?: string;
  selector?: Record<string, string>;
  ingress?: Array<{ ip?: string; hostname?: string }>;
}

/** A Service as the API server returns it (`type` undefined: left out, as `kubectl apply` allows). */
function service(name: string, { type, port = 8080, targetPort = 8080, protocol = 'TCP', selector = { app: name }, ingress }: ServiceSpec = {}): V1Service {
  return {
    metadata: { name, namespace: 'default' },
    spec: { ...(type ? { type } : {}), selector, ports: [{ protocol, port, targetPort: targetPort as never }] },
    ...(ingress ? { status: { loadBalancer: { ingress } } } : {}),
  };
}
const appService = (spec: ServiceSpec = {}) => service('myapp', { type: 'LoadBalancer', port: 80, ingress: [{ ip: EXTERNAL_IP }], ...spec });
const apiService = (spec: ServiceSpec = {}) => service('myapi', { type: 'ClusterIP', ...spec });

/** A Deployment whose pod template carries `labels` (and names its container port 8080 `http`). */
function deployment(name: string, labels: Record<string, string> | null = { app: name }): V1Deployment {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { ...(labels ? { metadata: { labels } } : {}), spec: { containers: [{ name, ports: [{ name: 'http', containerPort: 8080 }] }] } },
    },
  };
}

/** A pod labelled `app`, Running and Ready or waiting, its container port `http` being `httpPort`. */
function pod(name: string, app: string, { waiting, httpPort = 8080 }: { waiting?: string; httpPort?: number } = {}): V1Pod {
  return {
    metadata: { name, namespace: 'default', labels: { app } },
    spec: { containers: [{ name: app, ports: [{ name: 'http', containerPort: httpPort }] }] },
    status: waiting
      ? { phase: 'Pending', containerStatuses: [{ name: app, image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: waiting } } }] }
      : { phase: 'Running', containerStatuses: [{ name: app, image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] },
  };
}

type Address = { ip: string; targetRef?: { name: string } };
const endpoints = (name: string, addresses: Address[], notReadyAddresses: Address[] = []): V1Endpoints => ({ metadata: { name }, subsets: [{ addresses, notReadyAddresses }] });

/** The lab's Deployments, pods and Services as Exercise 6 leaves them, and `parts`. */
const snapshot = (parts: Partial<KubeSnapshot> = {}): KubeSnapshot =>
  kubeSnapshot({
    pods: [pod('myapp-a', 'myapp'), pod('myapi-a', 'myapi')],
    deployments: [deployment('myapp'), deployment('myapi')],
    services: [appService(), apiService()],
    endpoints: [endpoints('myapi', [{ ip: '10.244.0.7', targetRef: { name: 'myapi-a' } }])],
    ...parts,
  });

const runCheck = (check: CheckDef<'kube'>, snap: KubeSnapshot, { facts = FOUND, profile: p = profile }: { facts?: Partial<Facts>; profile?: LabProfile } = {}): Promise<Verdict> =>
  runKubeCheck(check, snap, { facts, profile: p });
const runApp = (snap: KubeSnapshot, opts?: Parameters<typeof runCheck>[2]) => runCheck(myappService, snap, opts);
const runApi = (snap: KubeSnapshot, opts?: Parameters<typeof runCheck>[2]) => runCheck(myapiService, snap, opts);

/** Helm's record of a release of `chart` as the cluster lists it: Helm 3's Secret, Helm 2's (tiller's) ConfigMap. */
const release = (name: string, status: string, helm: 2 | 3, chart = 'greetings') => ({ name, chart: `${chart}-0.3.0`, helm, status, values: {}, tiller: helm === 2 });
const helm3Secret = (name: string, status: string, chart = 'greetings') => helmRecord(release(name, status, 3, chart), '2024-05-01T09:00:00Z') as V1Secret;
const helm2ConfigMap = (name: string, status: string) => helmRecord(release(name, status, 2), '2024-05-01T09:00:00Z') as V1ConfigMap;
const TILLER: V1ServiceAccount = { metadata: { name: 'tiller', namespace: 'kube-system' } };

describe('the Service checks as the catalogue lists them', () => {
  it("titles name the profile's Service, type and port", () => {
    expect(myappService.title(profile)).toBe('Service myapp (LoadBalancer 80) has an external IP');
    expect(myapiService.title(profile)).toBe('Service myapi (ClusterIP 8080) has endpoints');
  });

  it('need the cluster, depend on reaching it, run after their Deployment, use the registry, and list their reasons', () => {
    expect(myappService).toMatchObject({
      id: 'ex6.myapp.service',
      exercise: 6,
      points: { points: 2 },
      needs: ['kube'],
      dependsOn: ['ex5.kube.reachable'],
      after: ['ex6.myapp.deployment'],
      uses: ['registry'],
    });
    expect(myapiService).toMatchObject({
      id: 'ex6.myapi.service',
      exercise: 6,
      points: { points: 1 },
      needs: ['kube'],
      dependsOn: ['ex5.kube.reachable'],
      after: ['ex6.myapi.deployment'],
      uses: ['registry'],
    });
    expect(withSummaries(myapiService)).toEqual({
      missing: { code: 'LG-621', summary: 'Service myapi not found', absent: true },
      removedForHelm: { code: 'LG-627', summary: 'Service myapi removed for Exercise 7, Helm did not put it back' },
      wrongType: { code: 'LG-622', summary: "Service myapi is not of the lab's type" },
      wrongPorts: { code: 'LG-623', summary: 'Service myapi maps other ports' },
      wrongSelector: { code: 'LG-624', summary: "Service myapi's selector misses the myapi pods" },
      noPods: { code: 'LG-625', summary: "Service myapi's selector matches no pod" },
      notReady: { code: 'LG-626', summary: 'Service myapi has no ready endpoints' },
    });
    expect(withSummaries(myappService)).toEqual({
      missing: { code: 'LG-631', summary: 'Service myapp not found', absent: true },
      removedForHelm: { code: 'LG-637', summary: 'Service myapp removed for Exercise 7, Helm did not put it back' },
      wrongType: { code: 'LG-632', summary: "Service myapp is not of the lab's type" },
      wrongPorts: { code: 'LG-633', summary: 'Service myapp maps other ports' },
      wrongSelector: { code: 'LG-634', summary: "Service myapp's selector misses the myapp pods" },
      noPods: { code: 'LG-635', summary: "Service myapp's selector matches no pod" },
      notReady: { code: 'LG-636', summary: "Service myapp's external IP is still pending" },
    });
  });
});

describe('ex6.myapi.service: ClusterIP with ready endpoints', () => {
  const API_EVIDENCE = { service: 'myapi', type: 'ClusterIP', ports: '8080→8080/TCP', selector: 'app=myapi' };

  it('passes with its ready endpoints', async () => {
    expect(await runApi(snapshot())).toEqual({
      status: 'pass',
      message: 'Service myapi (ClusterIP, 8080→8080/TCP) has 1 ready endpoint(s)',
      evidence: { ...API_EVIDENCE, endpoints: ['10.244.0.7 (myapi-a)'] },
    });
  });

  it('a Service without a type is a ClusterIP', async () => {
    expect(await runApi(snapshot({ services: [apiService({ type: undefined })] }))).toMatchObject({ status: 'pass', evidence: { type: 'ClusterIP' } });
  });

  it('not found, no trace of Exercise 7: missing (not started), with the file to apply', async () => {
    expect(await runApi(snapshot({ namespace: 'labuser07', services: [appService()] }))).toEqual({
      status: 'fail',
      code: 'LG-621',
      message: 'Service myapi not found in namespace labuser07',
      hint: 'Exercise 6 steps 4–8: put your registry name into myapi.yaml and run `kubectl apply -f myapi.yaml` (in greetings/k8s/config).',
      evidence: { namespace: 'labuser07' },
      outcome: 'needs-fix',
    });
  });

  it("another type is LG-622 with the type found and the lab's", async () => {
    expect(await runApi(snapshot({ services: [apiService({ type: 'NodePort' })] }))).toEqual({
      status: 'fail',
      code: 'LG-622',
      message: "Service myapi is of type NodePort, the lab's is ClusterIP",
      hint: "Exercise 6 step 8: apply the lab's myapi.yaml unchanged apart from the image.",
      evidence: { ...API_EVIDENCE, type: 'NodePort' },
      outcome: 'needs-fix',
      found: 'NodePort',
      expected: 'ClusterIP',
    });
  });

  it.each([
    ['another port', { port: 80 }, '80→8080/TCP'],
    ['another target port', { targetPort: 9090 }, '8080→9090/TCP'],
    ['UDP', { protocol: 'UDP' }, '8080→8080/UDP'],
  ])('%s is LG-623 with the ports found', async (_what, spec, ports) => {
    expect(await runApi(snapshot({ services: [apiService(spec)] }))).toEqual({
      status: 'fail',
      code: 'LG-623',
      message: `Service myapi maps ${ports}; the lab maps port 8080 → 8080`,
      hint: "Exercise 6 step 8: apply the lab's myapi.yaml unchanged apart from the image.",
      evidence: { ...API_EVIDENCE, ports },
      outcome: 'needs-fix',
      found: ports,
      expected: '8080→8080/TCP',
    });
  });

  it('a Service without a spec maps no ports', async () => {
    const bare: V1Service = { metadata: { name: 'myapi' } };
    expect(await runApi(snapshot({ services: [bare] }))).toMatchObject({
      code: 'LG-623',
      found: 'no ports',
      evidence: { service: 'myapi', type: 'ClusterIP', ports: 'no ports', selector: 'none' },
    });
  });

  it("a named target port is resolved on the Deployment's pods, not on other pods the selector picks", async () => {
    // myapi's own pod names 8080 `http`; a stray pod the Service also selects names 9999 `http`.
    const stray = pod('aaa-stray', 'other', { httpPort: 9999 });
    const svc = apiService({ targetPort: 'http', selector: { app: 'other' } });
    const v = await runApi(snapshot({ services: [svc], pods: [stray, pod('myapi-a', 'myapi')] }));
    expect(v).toMatchObject({ code: 'LG-624', found: 'app=other', expected: 'app=myapi' });
  });

  it('a named target port is resolved on the selected pods when the Deployment is gone', async () => {
    const svc = apiService({ targetPort: 'http' });
    expect(await runApi(snapshot({ services: [svc], deployments: [] }))).toMatchObject({ status: 'pass', evidence: { ports: '8080→http/TCP' } });
    const v = await runApi(snapshot({ services: [svc], deployments: [], pods: [pod('myapi-a', 'myapi', { httpPort: 9999 })] }));
    expect(v).toMatchObject({ code: 'LG-623', found: '8080→http/TCP' });
  });

  it("a selector missing the Deployment's pods is LG-624, with both label sets", async () => {
    expect(await runApi(snapshot({ services: [apiService({ selector: { app: 'api' } })] }))).toEqual({
      status: 'fail',
      code: 'LG-624',
      message: "Service myapi's selector app=api does not match the pods of Deployment myapi (their labels: app=myapi)",
      hint: "Exercise 6 step 8: apply the lab's myapi.yaml unchanged apart from the image.",
      evidence: { ...API_EVIDENCE, selector: 'app=api' },
      outcome: 'needs-fix',
      found: 'app=api',
      expected: 'app=myapi',
    });
  });

  it.each([
    ['a pod template without labels', deployment('myapi', null)],
    ['no pod template', { metadata: { name: 'myapi' }, spec: { selector: { matchLabels: { app: 'myapi' } } } } as unknown as V1Deployment],
    ['no spec', { metadata: { name: 'myapi' } }],
  ])('a Deployment with %s is matched by no selector', async (_what, d) => {
    const v = await runApi(snapshot({ deployments: [d] }));
    expect(v).toMatchObject({ code: 'LG-624', message: expect.stringContaining('(their labels: none)'), expected: 'none' });
  });

  it('the selector counts against the pod template even before any pod exists', async () => {
    expect(await runApi(snapshot({ pods: [], endpoints: [] }))).toMatchObject({ status: 'fail', code: 'LG-626' });
  });

  it('without its Deployment, a selector that matches no pod is LG-625; one that matches a pod is graded on', async () => {
    const v = await runApi(snapshot({ deployments: [], pods: [pod('myapp-a', 'myapp')] }));
    expect(v).toEqual({
      status: 'fail',
      code: 'LG-625',
      message: "Service myapi's selector app=myapi matches no pod",
      hint: 'Exercise 6 steps 4–8: put your registry name into myapi.yaml and run `kubectl apply -f myapi.yaml` (in greetings/k8s/config).',
      evidence: API_EVIDENCE,
      outcome: 'not-ready',
    });
    expect(await runApi(snapshot({ deployments: [] }))).toMatchObject({ status: 'pass' });
  });

  describe('no ready endpoints: the pods, and the Deployment check it follows from', () => {
    const HINT = 'Exercise 6 step 10: the myapi pods must be Running and Ready; `kubectl get pods --selector app=myapi` and `kubectl describe pod <name>` show why they are not.';

    it('pods waiting, addresses not ready: how many, and the pods', async () => {
      const v = await runApi(
        snapshot({
          pods: [pod('myapi-b', 'myapi', { waiting: 'ImagePullBackOff' }), pod('myapi-a', 'myapi', { waiting: 'ContainerCreating' })],
          endpoints: [endpoints('myapi', [], [{ ip: '10.244.0.8', targetRef: { name: 'myapi-a' } }, { ip: '10.244.0.9' }])],
        }),
      );
      expect(v).toEqual({
        status: 'fail',
        code: 'LG-626',
        message: 'Service myapi has no ready endpoints (2 not ready): no myapi pod is Ready (pods: myapi-a ContainerCreating, myapi-b ImagePullBackOff)',
        hint: HINT,
        evidence: { ...API_EVIDENCE, endpoints: { ready: [], notReady: ['10.244.0.8 (myapi-a)', '10.244.0.9'] } },
        outcome: 'not-ready',
        causedBy: 'ex6.myapi.deployment',
      });
    });

    it('no Endpoints object and no pods: the bare sentence', async () => {
      expect(await runApi(snapshot({ pods: [], endpoints: [] }))).toMatchObject({
        code: 'LG-626',
        message: 'Service myapi has no ready endpoints: no myapi pod is Ready',
        evidence: { endpoints: { ready: [], notReady: [] } },
        causedBy: 'ex6.myapi.deployment',
      });
    });
  });
});

describe('ex6.myapp.service: LoadBalancer 80 → 8080 with an external IP', () => {
  const APP_EVIDENCE = { service: 'myapp', type: 'LoadBalancer', ports: '80→8080/TCP', selector: 'app=myapp' };

  it('passes with the address the cloud assigned (and needs no Endpoints list)', async () => {
    expect(await runApp(snapshot({ endpoints: [], unreadable: { endpoints: 'endpoints is forbidden' } }))).toEqual({
      status: 'pass',
      message: `Service myapp (LoadBalancer, 80→8080/TCP) has the external address ${EXTERNAL_IP}`,
      evidence: { ...APP_EVIDENCE, externalIP: EXTERNAL_IP },
    });
    const named = await runApp(snapshot({ services: [appService({ ingress: [{ hostname: 'myapp.example.net' }] })] }));
    expect(named).toMatchObject({ status: 'pass', evidence: { externalIP: 'myapp.example.net' } });
  });

  it('EXTERNAL-IP <pending>: LG-636, wait and re-run', async () => {
    expect(pendingMessage('myapp')).toBe("Service myapp's EXTERNAL-IP is still <pending>: Azure is still creating its public IP; wait a few minutes and re-run");
    expect(pendingHint('myapp')).toBe('Exercise 6 step 14: repeat `kubectl get svc` until the myapp service has an external IP.');
    expect(await runApp(snapshot({ services: [appService({ ingress: [] })] }))).toEqual({
      status: 'fail',
      code: 'LG-636',
      message: pendingMessage('myapp'),
      hint: pendingHint('myapp'),
      evidence: { ...APP_EVIDENCE, externalIP: '<pending>' },
      outcome: 'not-ready',
      found: '<pending>',
      expected: 'an external IP',
    });
  });

  it("a ClusterIP myapp is LG-632; port 8080 → 8080 is LG-633 with the lab's 80 → 8080", async () => {
    expect(await runApp(snapshot({ services: [appService({ type: 'ClusterIP' })] }))).toMatchObject({
      code: 'LG-632',
      message: "Service myapp is of type ClusterIP, the lab's is LoadBalancer",
      hint: "Exercise 6 step 8: apply the lab's myapp.yaml unchanged apart from the image.",
      found: 'ClusterIP',
      expected: 'LoadBalancer',
    });
    expect(await runApp(snapshot({ services: [appService({ port: 8080 })] }))).toMatchObject({
      code: 'LG-633',
      message: 'Service myapp maps 8080→8080/TCP; the lab maps port 80 → 8080',
      found: '8080→8080/TCP',
      expected: '80→8080/TCP',
    });
  });

  it('a selector missing the myapp pods is LG-634; without the Deployment and its pods, LG-635', async () => {
    expect(await runApp(snapshot({ services: [appService({ selector: { app: 'web' } })] }))).toMatchObject({ code: 'LG-634', found: 'app=web', expected: 'app=myapp' });
    expect(await runApp(snapshot({ deployments: [], pods: [] }))).toMatchObject({
      code: 'LG-635',
      message: "Service myapp's selector app=myapp matches no pod",
      hint: expect.stringContaining('`kubectl apply -f myapp.yaml`'),
    });
  });

  it('not found: LG-631 with myapp.yaml', async () => {
    expect(await runApp(snapshot({ services: [] }))).toMatchObject({
      code: 'LG-631',
      message: 'Service myapp not found in namespace default',
      hint: expect.stringContaining('`kubectl apply -f myapp.yaml`'),
    });
  });
});

describe('Services removed by Exercise 7 step 2, the Helm install not having put them back', () => {
  const BACK = "Get them back either way: re-apply the lab's files (`kubectl apply -f myapp.yaml -f myapi.yaml` in greetings/k8s/config), or finish Exercise 7 step 5: ";
  const gone = (parts: Partial<KubeSnapshot>) => snapshot({ services: [], ...parts });

  it("tiller's ServiceAccount alone: delete the kubectl Deployments, then install with the student's registry", async () => {
    const exercise7 = ['ServiceAccount kube-system/tiller exists'];
    expect(await runApi(gone({ serviceAccounts: [{}, { metadata: { name: 'default' } }, TILLER] }))).toEqual({
      status: 'fail',
      code: 'LG-627',
      message: `Service myapi is gone: Exercise 7 step 2 deletes the Services before \`helm install\`, and the Helm install has not put them back (${exercise7[0]})`,
      hint: `${BACK}\`kubectl delete deployment myapp myapi\`, then in greetings/k8s/helm \`helm install greetings . --set registry=${LOGIN}\`.`,
      evidence: { namespace: 'default', exercise7 },
      outcome: 'needs-fix',
    });
  });

  it('with the registry unknown, the hint has the placeholder', async () => {
    const v = await runApp(gone({ serviceAccounts: [TILLER] }), { facts: {} });
    expect(v).toMatchObject({ code: 'LG-637' });
    expect(v.hint).toContain(`\`helm install greetings . --set registry=${PLACEHOLDER}\``);
  });

  it('with Exercise 4 not knowing it, the registry the pods pull from is in the hint', async () => {
    const fromRegistry: V1Pod = { metadata: { name: 'myapp-a', namespace: 'default', labels: { app: 'myapp' } }, spec: { containers: [{ name: 'myapp', image: `${LOGIN}/myapp:v1.0` }] } };
    const v = await runApp(gone({ serviceAccounts: [TILLER], pods: [fromRegistry] }), { facts: {} });
    expect(v.hint).toContain(`\`helm install greetings . --set registry=${LOGIN}\``);
  });

  it('a failed Helm 3 release (and tiller): both named; remove the first release, reinstall under its name', async () => {
    const v = await runApp(gone({ serviceAccounts: [TILLER], helmSecrets: [helm3Secret('greetings', 'failed'), helm3Secret('second', 'pending-install')] }));
    expect(v).toMatchObject({
      code: 'LG-637',
      evidence: { exercise7: ['ServiceAccount kube-system/tiller exists', 'Helm release greetings is failed', 'Helm release second is pending-install'] },
      message: expect.stringContaining('(ServiceAccount kube-system/tiller exists; Helm release greetings is failed; Helm release second is pending-install)'),
    });
    expect(v.hint).toBe(
      `${BACK}\`helm uninstall greetings\`, \`kubectl delete deployment myapp myapi\` (the chart makes its own), then in greetings/k8s/helm \`helm install greetings . --set registry=${LOGIN}\`.`,
    );
  });

  it("a failed Helm 2 release in tiller's ConfigMaps, the Secrets unreadable: helm delete --purge", async () => {
    const v = await runApi(gone({ helmConfigMaps: [helm2ConfigMap('wobbly-panda', 'failed')], unreadable: { helmSecrets: 'secrets is forbidden' } }));
    expect(v).toMatchObject({ code: 'LG-627', evidence: { exercise7: ['Helm release wobbly-panda is failed'] } });
    expect(v.hint).toContain(`\`helm delete --purge wobbly-panda\``);
    expect(v.hint).toContain(`\`helm install . --name wobbly-panda --set registry=${LOGIN}\``);
  });

  it('a deployed release, or one of another chart, is no trace: missing', async () => {
    const v = await runApi(gone({ helmSecrets: [helm3Secret('greetings', 'deployed'), helm3Secret('web', 'failed', 'nginx')] }));
    expect(v).toMatchObject({ code: 'LG-621', evidence: { namespace: 'default' } });
  });

  it('lists the grader may not read are no trace', async () => {
    const unreadable = { serviceAccounts: 'forbidden', helmSecrets: 'forbidden', helmConfigMaps: 'forbidden' };
    const v = await runApi(gone({ serviceAccounts: [TILLER], helmSecrets: [helm3Secret('greetings', 'failed')], helmConfigMaps: [helm2ConfigMap('wobbly-panda', 'failed')], unreadable }));
    expect(v).toMatchObject({ code: 'LG-621' });
  });
});

describe('values from the profile, not the lab written in', () => {
  const variant: LabProfile = {
    ...profile,
    expect: {
      ...profile.expect,
      app: { ...profile.expect.app, deployment: 'frontend', service: 'web', serviceType: 'NodePort', servicePort: 8000, targetPort: 3000 },
      helm: { ...profile.expect.helm, chart: 'shop' },
    },
  };

  it("the profile's Service, Deployment, type, ports and chart", async () => {
    expect(myappService.title(variant)).toBe('Service web (NodePort 8000) has an external IP');
    const web = service('web', { type: 'NodePort', port: 8000, targetPort: 3000, selector: { app: 'frontend' } });
    const pendingWeb = await runCheck(myappService, snapshot({ services: [web], deployments: [deployment('frontend')], pods: [] }), { profile: variant });
    expect(pendingWeb).toMatchObject({ code: 'LG-636', message: pendingMessage('web'), evidence: { service: 'web', type: 'NodePort', ports: '8000→3000/TCP' } });
    const other = await runCheck(myappService, snapshot({ services: [], helmSecrets: [helm3Secret('greetings', 'failed')] }), { profile: variant });
    expect(other).toMatchObject({ code: 'LG-631', message: 'Service web not found in namespace default', hint: expect.stringContaining('frontend.yaml') });
    const shop = await runCheck(myappService, snapshot({ services: [], helmSecrets: [helm3Secret('shop', 'failed', 'shop')] }), { profile: variant });
    expect(shop).toMatchObject({ code: 'LG-637', evidence: { exercise7: ['Helm release shop is failed'] } });
  });
});

describe('through the engine: lists the grader may not read', () => {
  /** Exercises 4–6 stood in for, all passing; ex4.registry.exists provides the registry. */
  const upstream = (['ex4.registry.exists', 'ex5.kube.reachable', 'ex6.myapp.deployment', 'ex6.myapi.deployment'] as const).map((id) =>
    defineCheck({
      id,
      exercise: Number(id[2]),
      title: () => `stand-in ${id}`,
      points: { points: 0 },
      needs: [],
      dependsOn: [],
      ...(id === 'ex4.registry.exists' ? { provides: ['registry'] as const } : {}),
      reasons: {},
      run: async () => pass('stand-in', {}, { facts: id === 'ex4.registry.exists' ? FOUND : {} }),
    }),
  );

  async function grade(snap: KubeSnapshot) {
    const catalogue = [...upstream, myappService, myapiService] as CheckDef[];
    const { result } = await gradeStudent({ user: 'labuser07', resourceGroup: 'labuser07-rg' }, selectChecks(catalogue), { probes: { kube: standInKube(snap) } }, profile);
    return Object.fromEntries(result.checks.map((c) => [c.id, c]));
  }

  it.each(['services', 'pods', 'deployments'])('%s unreadable: both error, naming the list', async (kind) => {
    const by = await grade(snapshot({ unreadable: { [kind]: `${kind} is forbidden` } }));
    for (const id of ['ex6.myapp.service', 'ex6.myapi.service']) {
      expect(by[id], id).toMatchObject({ status: 'error', code: 'LG-014', message: `${kind} is forbidden`, evidence: { probe: 'kube', unreadable: [kind] } });
    }
  });

  it('endpoints unreadable: only myapi, which reads them, errors', async () => {
    const by = await grade(snapshot({ unreadable: { endpoints: 'endpoints is forbidden' } }));
    expect(by['ex6.myapi.service']).toMatchObject({ status: 'error', code: 'LG-014', evidence: { unreadable: ['endpoints'] } });
    expect(by['ex6.myapp.service'].status).toBe('pass');
  });
});
