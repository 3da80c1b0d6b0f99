/**
 * ex6.app.e2e and friends at their edges, through the engine against the simulated cluster: hostile
 * or broken HTTP answers (the sandbox's http faults), nginx's page, transient failures under --wait,
 * an address the network policy refuses; and grading without Azure (a self-check with a kubeconfig).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { V1Deployment, V1Endpoints, V1LoadBalancerIngress, V1Service } from '@kubernetes/client-node';
import { defineCheck, fail, pass, reasons, type CheckContext, type CheckDef, type Verdict } from '../../core/check.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { REGISTRY, myapiYaml, myappYaml, scenario } from '../../test/support/kube-scenarios.js';
import type { Scenario } from '../../sandbox/scenario.js';
import { NetworkPolicy } from '../../probes/net.js';
import { httpProbe } from '../../probes/http/probe.js';
import { ProbeError, type HttpAnswer, type HttpProbe, type HttpRequestOptions, type KubeProbe, type KubeSnapshot, type Probes } from '../../probes/types.js';
import { ALL_CHECKS } from '../index.js';
import { selectChecks } from '../../core/selection.js';
import { kubeSnapshot } from '../../test/support/kube-check.js';
import { gradeWithSim, type GradeOptions, type SimStudent } from '../../test/support/kube-student.js';
import { appE2e } from './e2e.js';
import { pendingHint, pendingMessage } from './services.js';
import { replicaNote } from './workload.js';

const profile = loadProfile();
let sim: SimStudent | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A registry check that finds none: the check falls back on the registry the pods pull from. */
const noRegistryFound = defineCheck({
  id: 'ex4.registry.exists',
  exercise: 4,
  title: () => 'stand-in',
  points: { points: 0 },
  needs: [],
  dependsOn: [],
  provides: ['registry'],
  reasons: reasons({}),
  run: async () => pass('stand-in: no registry fact'),
});
const e2eAlone: CheckDef[] = [noRegistryFound, { ...ALL_CHECKS.find((c) => c.id === 'ex6.app.e2e')!, dependsOn: [], after: [] }];

async function run(s: Scenario, opts: GradeOptions = {}) {
  const graded = await gradeWithSim(s, { ...opts, engine: { nonce: 'e2e1', ...opts.engine } });
  sim = graded.sim;
  return graded.by;
}

describe('ex6.app.e2e against a misbehaving front end', () => {
  it('does not follow a redirect to the metadata address, and says so', async () => {
    const by = await run(scenario({ faults: { http: 'redirect' } }));
    expect(by['ex6.app.e2e']).toMatchObject({ status: 'fail', message: 'http://20.50.100.7/ redirects to http://169.254.169.254/latest/meta-data/, which the grader does not follow' });
    expect(sim!.policy.refused).toEqual([]);
  });

  it('caps an endless body and fails on what it read', async () => {
    const t0 = Date.now();
    const by = await run(scenario({ faults: { http: 'huge' } }));
    expect(by['ex6.app.e2e'].status).toBe('fail');
    expect(by['ex6.app.e2e'].message).toMatch(/^http:\/\/20\.50\.100\.7\/ answered 200 without the start page's link to \/greeting: "AAAA/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('fails (not errors) when the app hangs, after retrying within the budget', async () => {
    const by = await run(scenario({ faults: { http: 'hang' } }));
    expect(by['ex6.app.e2e'].status).toBe('fail');
    expect(by['ex6.app.e2e'].message).toMatch(/^the app does not answer: GET http:\/\/20\.50\.100\.7\/: no answer \(headers\) in time/);
  });

  it('fails clearly on an answer that is not HTTP', async () => {
    const by = await run(scenario({ faults: { http: 'garbage' } }));
    expect(by['ex6.app.e2e'].status).toBe('fail');
    expect(by['ex6.app.e2e'].message).toMatch(/^the app does not answer: GET http:\/\/20\.50\.100\.7\//);
  });

  it("recognises nginx's welcome page", async () => {
    const nginx = myappYaml('nginx:1.27').replace('targetPort: 8080', 'targetPort: 80');
    const by = await run(scenario({ kubernetes: { apply: `${nginx}---\n${myapiYaml()}` } }), { catalogue: e2eAlone });
    expect(by['ex6.app.e2e']).toMatchObject({
      status: 'fail',
      code: 'LG-643',
      message: "http://20.50.100.7/ shows nginx's welcome page, not the greetings app: the myapp Deployment runs an nginx image",
      // The registry the student's other pods pull from, filled in.
      hint: `Exercise 6 steps 4–8: the image in myapp.yaml must be ${REGISTRY}.azurecr.io/myapp:v1.0; apply it again with \`kubectl apply -f myapp.yaml\`.`,
    });
    expect(by['ex6.app.e2e'].hint).toMatch(/myapp\.yaml/);
  });

  it('reports an address the network policy refuses as error (not the student’s fault)', async () => {
    const strict = httpProbe({
      policy: new NetworkPolicy({ loopbackOnly: true }),
      timeouts: { connect: 500, headers: 500, body: 500 },
      maxBodyBytes: 1024,
      retry: { budgetMs: 2_000, baseDelayMs: 50 },
    });
    const by = await run(scenario(), { catalogue: e2eAlone, probes: (p) => ({ ...p, http: strict }) });
    expect(by['ex6.app.e2e'].status).toBe('error');
    expect(by['ex6.app.e2e'].message).toMatch(/refused to connect to 20\.50\.100\.7:80.*only reaches 127/);
    await strict.close();
  });
});

describe('ex6.app.e2e under --wait', () => {
  /** The first `n` requests fail as a starting Spring app's would (connection refused). */
  function flaky(n: number, calls: string[]) {
    return (p: Probes): Probes => {
      const http = p.http!;
      let left = n;
      const wrap =
        <A extends unknown[]>(method: string, f: (...a: A) => ReturnType<HttpProbe['get']>) =>
        async (...a: A) => {
          calls.push(method);
          if (left-- > 0) throw new ProbeError('http', 'GET http://20.50.100.7/: the connection was refused', { code: 'ECONNREFUSED', refused: false });
          return f(...a);
        };
      return { ...p, http: { get: wrap('GET', http.get), postForm: wrap('POST', http.postForm) } };
    };
  }

  it('polls transient failures until the app answers', async () => {
    const calls: string[] = [];
    const by = await run(scenario(), { catalogue: e2eAlone, probes: flaky(2, calls), engine: { waitMs: 5_000, pollIntervalMs: 100 } });
    expect(by['ex6.app.e2e'].status).toBe('pass');
    expect(calls.filter((c) => c === 'GET').length).toBeGreaterThanOrEqual(4);
    expect(calls.filter((c) => c === 'POST')).toEqual(['POST']);
  });

  it('passes with several in-memory myapi replicas: the POST and the list that answers it reach the same one', async () => {
    const calls: string[] = [];
    const by = await run(scenario({ kubernetes: { apply: `${myappYaml()}---\n${myapiYaml(undefined, 3)}` } }), { catalogue: e2eAlone, probes: flaky(0, calls) });
    expect(by['ex6.app.e2e']).toMatchObject({ status: 'pass', evidence: { greeting: 'lab-grade e2e1' } });
    expect(calls).toEqual(['GET', 'GET', 'POST']);
  });

  it('does not retry an answer that lacks the greeting, and says the replicas are why when there are several', async () => {
    const calls: string[] = [];
    // The result page without the posted greeting (what a myapi that lost it answers).
    const forgetful = (p: Probes): Probes => {
      const http = flaky(0, calls)(p).http!;
      return {
        ...p,
        http: { get: http.get, postForm: async (url, fields) => ({ ...(await http.postForm(url, fields)), body: '<h1>Result</h1><p><span>id: 1</span> &nbsp; <span>content: hello</span></p>' }) },
      };
    };
    const by = await run(scenario({ kubernetes: { apply: `${myappYaml()}---\n${myapiYaml(undefined, 3)}` } }), {
      catalogue: e2eAlone,
      probes: forgetful,
      engine: { waitMs: 3_000, pollIntervalMs: 100 },
    });
    expect(by['ex6.app.e2e']).toMatchObject({ status: 'fail', code: 'LG-649', outcome: 'needs-fix', evidence: { myapiReplicas: 3, listed: ['hello'] } });
    expect(calls).toEqual(['GET', 'GET', 'POST']);
  });
});

describe('without Azure (self-check with a kubeconfig)', () => {
  it('infers the registry from the pods and proves the pull permission by running pods', async () => {
    const by = await run(scenario(), { sim: { withoutAzure: true } });
    expect(by['ex4.registry.exists'].status).toBe('skipped');
    expect(by['ex5.pull.authorized']).toMatchObject({ status: 'pass', evidence: { registrySource: 'pod images', registry: 'labuser07acr.azurecr.io' } });
    expect(by['ex5.pull.authorized'].message).toMatch(/^4 pod\(s\) run images pulled from labuser07acr\.azurecr\.io, which proves/);
    expect(by['ex5.pod.running']).toMatchObject({ status: 'pass', evidence: { registrySource: 'pod images' } });
    expect(by['ex6.myapp.deployment'].status).toBe('pass');
    // A skipped dependency does not block: the registry probe compares against the inferred registry.
    expect(by['ex6.image.provenance']).toMatchObject({ status: 'pass', evidence: { registry: 'labuser07acr.azurecr.io' } });
  });

  it('fails the pull check on unauthorized pods without claiming what Azure says', async () => {
    const by = await run(scenario({ azure: { roleAssignments: [] } }), { sim: { withoutAzure: true } });
    expect(by['ex5.pull.authorized'].status).toBe('fail');
    expect(by['ex5.pull.authorized'].evidence).toMatchObject({ azure: 'not checked', reason: 'ImagePullBackOff' });
    const finding = String(by['ex5.pod.running'].evidence.finding);
    expect(finding).not.toMatch(/Azure/);
    expect(finding).toMatch(/unauthorized: authentication required/);
  });

  it('skips the pull check with neither Azure nor the cluster', async () => {
    const { result } = await gradeStudent({ user: 'x', resourceGroup: 'x-rg' }, selectChecks(ALL_CHECKS, ['ex5']), { probes: {} }, profile);
    expect(result.checks.find((c) => c.id === 'ex5.pull.authorized')).toMatchObject({ status: 'skipped' });
  });
});

describe('ex6.app.e2e: the posted greeting, not any greeting', () => {
  /** The app as a student's broken one behaves: it stores some other text than what was posted. */
  const postingInstead = (p: Probes, other: string): HttpProbe => ({
    get: (url, options) => p.http!.get(url, options),
    postForm: (url, fields) => p.http!.postForm(url, { ...fields, content: other }),
  });

  it('passes when the answer lists the greeting it posted', async () => {
    const by = await run(scenario(), { catalogue: e2eAlone });
    expect(by['ex6.app.e2e']).toMatchObject({ status: 'pass', evidence: { greeting: 'lab-grade e2e1' } });
  });

  it('fails when the answer lists greetings, but not the one it posted', async () => {
    const by = await run(scenario(), { catalogue: e2eAlone, probes: (p) => ({ ...p, http: postingInstead(p, 'hello from someone else') }) });
    expect(by['ex6.app.e2e']).toMatchObject({ status: 'fail', code: 'LG-649', evidence: { greeting: 'lab-grade e2e1', listed: ['hello from someone else'] } });
  });
});

describe('ex6.app.e2e when myapi was never pushed', () => {
  it('is blocked by the real cause (myapi pulls no image), not reported as its own 500', async () => {
    const by = await run(scenario({ azure: { registries: [{ name: REGISTRY, images: ['myapp:v1.0'] }] } }), { only: ['ex6'] });
    expect(by['ex6.myapi.deployment']).toMatchObject({ status: 'fail', code: 'LG-615' });
    expect(by['ex6.app.e2e']).toMatchObject({
      status: 'blocked',
      blockedBy: 'ex6.myapi.deployment',
      evidence: { url: 'http://20.50.100.7/greeting', status: 500, finding: expect.stringContaining('POST http://20.50.100.7/greeting answered 500') },
    });
    // Its own advice (API_BASE_URL) is not the next step while myapi has no image: the message names the cause only.
    expect(by['ex6.app.e2e'].message).toBe('blocked by ex6.myapi.deployment (Deployment myapi runs your image)');
  });
});

/**
 * The check's run on its own, branch by branch: a snapshot built here (the myapp LoadBalancer with its
 * address, 3 ready endpoints, myapp 3/3 and myapi 1/1 unless told otherwise) and an app that answers
 * what each test says (the lab's pages by default), recording every request.
 */
describe('ex6.app.e2e branch by branch', () => {
  const START = 'http://20.50.100.7/';
  const FORM = 'http://20.50.100.7/greeting';
  const GREETING = 'lab-grade n1';
  const NO_ANSWER_HINT = 'Exercise 6 step 15: open http://<external IP> in a browser; `kubectl get pods` must show every pod Running. Re-run once it answers.';
  const page = {
    start: '<p>Get your greeting <a href="/greeting">here</a></p>',
    form: '<h1>Form</h1><form action="/greeting" method="post"><input type="text" name="content" /></form>',
    result: (...contents: string[]) => `<h1>Result</h1>${contents.map((c, i) => `<p><span>id: ${i + 1}</span> &nbsp; <span>content: ${c}</span></p>`).join('')}`,
    nginx: '<title>Welcome to nginx!</title>',
  };

  const lbService = (ingress: V1LoadBalancerIngress[] = [{ ip: '20.50.100.7' }]): V1Service => ({
    metadata: { name: 'myapp' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8080 }] },
    status: { loadBalancer: { ingress } },
  });
  const deployment = (name: string, replicas: number, available: number): V1Deployment => ({
    metadata: { name },
    spec: { replicas } as V1Deployment['spec'],
    status: { availableReplicas: available },
  });
  const endpoints = (ready: number, notReady = 0): V1Endpoints => {
    const addresses = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.244.0.${from + i}` }));
    return { metadata: { name: 'myapp' }, subsets: [{ addresses: addresses(ready, 1), notReadyAddresses: addresses(notReady, 100) }] };
  };
  const snapshot = (over: Partial<KubeSnapshot>): KubeSnapshot =>
    kubeSnapshot({ deployments: [deployment('myapp', 3, 3), deployment('myapi', 1, 1)], services: [lbService()], endpoints: [endpoints(3)], ...over });

  /** What the app answers to one request: an answer (200 and no headers unless said) or a thrown error. */
  type Reply = Partial<Pick<HttpAnswer, 'status' | 'headers' | 'body'>> | Error;
  interface World {
    snap?: Partial<KubeSnapshot>;
    home?: Reply;
    form?: Reply;
    /** Default: the result page listing another greeting and the one posted. */
    post?: Reply;
    waitMs?: number;
    /** Exercise 4's registry fact. */
    registry?: string;
  }
  type Request = { method: 'GET'; url: string; options?: HttpRequestOptions } | { method: 'POST'; url: string; fields: Record<string, string> };

  /** The cluster and the app as `w` describes them, recording the app's requests. */
  function fakeApp(w: World = {}) {
    const requests: Request[] = [];
    const answer = (url: string, r: Reply): HttpAnswer => {
      if (r instanceof Error) throw r;
      return { url, status: 200, headers: {}, body: '', truncated: false, ...r };
    };
    const http: HttpProbe = {
      get: async (url, options) => {
        requests.push({ method: 'GET', url, options });
        return answer(url, url === START ? (w.home ?? { body: page.start }) : (w.form ?? { body: page.form }));
      },
      postForm: async (url, fields) => {
        requests.push({ method: 'POST', url, fields });
        return answer(url, w.post ?? { body: page.result('hello', fields.content) });
      },
    };
    const unused = () => Promise.reject(new Error('not used by ex6.app.e2e'));
    const kube: KubeProbe = {
      description: 'fake',
      cluster: unused,
      reach: unused,
      snapshot: async () => snapshot(w.snap ?? {}),
      podProxyGet: unused,
      listPods: unused,
      deletePod: unused,
    };
    return { probes: { kube, http }, requests };
  }

  async function runE2e(w: World = {}) {
    const { probes, requests } = fakeApp(w);
    const registryFact = w.registry ? { chosen: { loginServer: w.registry } } : undefined;
    const ctx: CheckContext<'kube' | 'http'> = {
      target: { user: 'labuser07', resourceGroup: 'labuser07-rg' },
      profile,
      probes,
      fact: ((name: string) => (name === 'registry' ? registryFact : undefined)) as CheckContext['fact'],
      options: { allowDisruptive: false, waitMs: w.waitMs ?? 0, nonce: 'n1' },
      signal: new AbortController().signal,
    };
    return { verdict: await appE2e.run(ctx), requests };
  }

  it('passes with the lab pages and the posted greeting listed, after one GET of each page and one POST', async () => {
    const { verdict, requests } = await runE2e();
    expect(verdict).toEqual({
      status: 'pass',
      message: `${START}: start page, form, and the posted greeting "${GREETING}" listed in the answer`,
      evidence: { url: START, greeting: GREETING, listed: 2 },
    });
    expect(requests).toEqual([
      { method: 'GET', url: START, options: undefined },
      { method: 'GET', url: FORM, options: undefined },
      { method: 'POST', url: FORM, fields: { content: GREETING } },
    ]);
  });

  it.each<[string, World, HttpRequestOptions | undefined]>([
    ['no ready endpoint in a snapshot: one try', { snap: { endpoints: [endpoints(0, 2)] } }, { retry: false }],
    ['no Endpoints object at all in a snapshot: one try', { snap: { endpoints: [] } }, { retry: false }],
    ['no ready endpoint under --wait: the probe retries', { snap: { endpoints: [endpoints(0, 2)] }, waitMs: 5_000 }, undefined],
    ['Endpoints unreadable: nothing known, the probe retries', { snap: { endpoints: [], unreadable: { endpoints: 'forbidden' } } }, undefined],
  ])('the start page request: %s', async (_what, w, options) => {
    const { verdict, requests } = await runE2e(w);
    expect(verdict.status).toBe('pass');
    expect(requests.map((r) => (r.method === 'GET' ? r.options : undefined))).toEqual([options, undefined, undefined]);
  });

  it.each<[string, V1Service[]]>([
    ['its LoadBalancer has no address yet', [lbService([])]],
    ['there is no myapp Service', []],
  ])('fails as pending, asking nothing of the app, when %s', async (_what, services) => {
    const { verdict, requests } = await runE2e({ snap: { services } });
    expect(verdict).toEqual({ status: 'fail', code: 'LG-641', message: pendingMessage('myapp'), hint: pendingHint('myapp'), evidence: { externalIP: '<pending>' }, outcome: 'not-ready' });
    expect(requests).toEqual([]);
  });

  it('lets the Services being unreadable reach the engine as a kube probe error', async () => {
    await expect(runE2e({ snap: { services: [], unreadable: { services: 'services is forbidden' } } })).rejects.toMatchObject({
      probe: 'kube',
      message: 'services is forbidden',
      detail: { unreadable: ['services'] },
    });
  });

  it.each([300, 302, 399])('does not follow a %i redirect of the start page', async (status) => {
    const { verdict, requests } = await runE2e({ home: { status, headers: { location: 'http://169.254.169.254/' }, body: 'Moved' } });
    expect(verdict).toEqual({
      status: 'fail',
      code: 'LG-642',
      message: `${START} redirects to http://169.254.169.254/, which the grader does not follow`,
      hint: NO_ANSWER_HINT,
      evidence: { url: START, status, excerpt: 'Moved' },
      outcome: 'needs-fix',
    });
    expect(requests).toHaveLength(1);
  });

  it('goes on past a Location header on a 200 that is the start page', async () => {
    const { verdict } = await runE2e({ home: { headers: { location: '/elsewhere' }, body: page.start } });
    expect(verdict.status).toBe('pass');
  });

  it.each<[string, number, Record<string, string>, string, string]>([
    ['a 302 without a Location', 302, {}, 'Found', 'Found'],
    ['a 400 with a Location', 400, { location: '/x' }, 'Bad Request', 'Bad Request'],
    ['a 404 carrying the link', 404, {}, page.start, 'Get your greeting here'],
    ['a 200 without the link', 200, {}, '<h1>It works!</h1>', 'It works!'],
    ['a 200 without the link, with a Location', 200, { location: '/x' }, '<h1>It works!</h1>', 'It works!'],
  ])('fails as not the start page on %s', async (_what, status, headers, body, excerpt) => {
    const { verdict, requests } = await runE2e({ home: { status, headers, body } });
    expect(verdict).toEqual({
      status: 'fail',
      code: 'LG-645',
      message: `${START} answered ${status} without the start page's link to /greeting: "${excerpt}"`,
      hint: NO_ANSWER_HINT,
      evidence: { url: START, status, excerpt },
      outcome: 'needs-fix',
    });
    expect(requests).toHaveLength(1);
  });

  it.each<[string, World, string]>([
    ["Exercise 4's registry", { registry: 'LabUser07acr.azurecr.io' }, 'labuser07acr.azurecr.io/myapp:v1.0'],
    [
      'the registry the pods pull from',
      { snap: { pods: [{ metadata: { name: 'myapi-1' }, spec: { containers: [{ name: 'myapi', image: 'otheracr.azurecr.io/myapi:v1.0' }] } }] } },
      'otheracr.azurecr.io/myapp:v1.0',
    ],
    ['no registry known', {}, '<registry name>.azurecr.io/myapp:v1.0'],
  ])('names the image to run in myapp.yaml when nginx answers, from %s', async (_what, w, image) => {
    const { verdict } = await runE2e({ ...w, home: { body: page.nginx } });
    expect(verdict).toEqual({
      status: 'fail',
      code: 'LG-643',
      message: `${START} shows nginx's welcome page, not the greetings app: the myapp Deployment runs an nginx image`,
      hint: `Exercise 6 steps 4–8: the image in myapp.yaml must be ${image}; apply it again with \`kubectl apply -f myapp.yaml\`.`,
      evidence: { url: START, status: 200, excerpt: 'Welcome to nginx!' },
      outcome: 'needs-fix',
    });
  });

  it("recognises nginx's page on the form URL too, with the same image to run", async () => {
    const { verdict } = await runE2e({ registry: 'labuser07acr.azurecr.io', form: { body: page.nginx } });
    expect(verdict).toMatchObject({ code: 'LG-643', evidence: { url: FORM }, hint: expect.stringContaining('must be labuser07acr.azurecr.io/myapp:v1.0;') });
  });

  it.each<[string, V1Deployment[], Record<string, unknown>]>([
    ['myapp has replicas available: its own failure, waiting may change it', [deployment('myapp', 3, 2)], {}],
    ['myapp has no replica available: the Deployment is the cause', [deployment('myapp', 3, 0)], { causedBy: 'ex6.myapp.deployment' }],
    ['there is no myapp Deployment: nothing to blame', [], {}],
  ])('fails as not serving yet on a 5xx start page when %s', async (_what, deployments, cause) => {
    const { verdict } = await runE2e({ snap: { deployments }, home: { status: 503, body: 'Service Unavailable' } });
    expect(verdict).toEqual({
      status: 'fail',
      code: 'LG-644',
      message: `${START} answered 503: the app is not serving yet (pods are Ready before Spring has started); wait and re-run`,
      hint: NO_ANSWER_HINT,
      evidence: { url: START, status: 503, excerpt: 'Service Unavailable' },
      outcome: 'not-ready',
      ...cause,
    });
  });

  it('counts 500 itself as not serving yet', async () => {
    const { verdict } = await runE2e({ home: { status: 500, body: page.start } });
    expect(verdict).toMatchObject({ code: 'LG-644', evidence: { status: 500 } });
  });

  it('does not blame myapp on a 5xx form page (the start page answered)', async () => {
    const { verdict } = await runE2e({ snap: { deployments: [deployment('myapp', 3, 0)] }, form: { status: 502, body: 'Bad Gateway' } });
    expect(verdict).toMatchObject({ code: 'LG-644', message: expect.stringContaining(`${FORM} answered 502:`), evidence: { url: FORM, status: 502 } });
    expect(verdict).not.toHaveProperty('causedBy');
  });

  it('fails as not the form page, and posts nothing, when /greeting lacks the form', async () => {
    const { verdict, requests } = await runE2e({ form: { body: '<h1>Greetings</h1>' } });
    expect(verdict).toEqual({
      status: 'fail',
      code: 'LG-646',
      message: `${FORM} answered 200 without the greeting form: "Greetings"`,
      hint: NO_ANSWER_HINT,
      evidence: { url: FORM, status: 200, excerpt: 'Greetings' },
      outcome: 'needs-fix',
    });
    expect(requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it.each([
    ['with its error page quoted', '<h1>Whitelabel Error Page</h1>', ' ("Whitelabel Error Page")'],
    ['with nothing to quote', '', ''],
  ])('a POST answered 500 is myapp not reaching myapi, %s, following from the myapi Service or myapp Deployment', async (_what, body, quoted) => {
    const { verdict } = await runE2e({ post: { status: 500, body } });
    expect(verdict).toEqual({
      status: 'fail',
      code: 'LG-647',
      message: `POST ${FORM} answered 500${quoted}: myapp could not reach myapi: check API_BASE_URL (http://myapi:8080) in myapp.yaml and that the myapi Service's selector matches the myapi pods`,
      hint: 'Exercise 6 steps 5–7: `kubectl describe svc myapi` must list endpoints; API_BASE_URL stays http://myapi:8080.',
      evidence: { url: FORM, status: 500, excerpt: quoted.slice(3, -2) },
      outcome: 'not-ready',
      causedBy: ['ex6.myapi.service', 'ex6.myapp.deployment'],
    });
  });

  it.each<[string, Reply, Partial<Verdict>]>([
    ['a 200 that is not the result page', { body: 'Saved' }, { code: 'LG-648', message: `POST ${FORM} answered 200: "Saved"`, hint: NO_ANSWER_HINT, outcome: 'needs-fix' }],
    ['a 201 result page', { status: 201, body: page.result(GREETING) }, { code: 'LG-648', message: `POST ${FORM} answered 201: "Result id: 1 content: ${GREETING}"`, outcome: 'needs-fix' }],
    ['a redirect', { status: 303, headers: { location: '/greeting' }, body: '' }, { code: 'LG-642', message: `${FORM} redirects to /greeting, which the grader does not follow` }],
    ['a 503', { status: 503, body: 'Service Unavailable' }, { code: 'LG-644', outcome: 'not-ready' }],
    ["nginx's page", { body: page.nginx }, { code: 'LG-643', outcome: 'needs-fix', hint: expect.stringContaining('must be <registry name>.azurecr.io/myapp:v1.0;') as string }],
  ])('a POST answered with %s fails as such', async (_what, post, expected) => {
    const { verdict } = await runE2e({ post });
    expect(verdict).toMatchObject({ status: 'fail', ...expected, evidence: { url: FORM } });
    expect(verdict).not.toHaveProperty('causedBy');
  });

  const ONE_API_HINT = 'Exercise 6 step 16: add a message in the app through the browser; the answer must list it. Check the myapi pod with `kubectl logs`.';
  it.each<[string, World, { suffix: string; hint: string; extra: Record<string, unknown> }]>([
    ['myapi runs 1 replica', {}, { suffix: '', hint: ONE_API_HINT, extra: {} }],
    ['there is no myapi Deployment (1 replica by default)', { snap: { deployments: [deployment('myapp', 3, 3)] } }, { suffix: '', hint: ONE_API_HINT, extra: {} }],
    [
      'myapi runs 2 replicas',
      { snap: { deployments: [deployment('myapp', 3, 3), deployment('myapi', 2, 2)] } },
      {
        suffix: `; myapi runs 2 replicas, each with its own in-memory list, so the POST and the list went to different pods: the lab's "unpredictable" state`,
        hint: replicaNote(profile.expect.api),
        extra: { myapiReplicas: 2 },
      },
    ],
  ])('fails when the answer lists other greetings but not its own, when %s', async (_what, w, { suffix, hint, extra }) => {
    const { verdict } = await runE2e({ ...w, post: { body: page.result('hello', `${GREETING}x`) } });
    expect(verdict).toEqual({
      status: 'fail',
      code: 'LG-649',
      message: `the answer to posting "${GREETING}" lists 2 greeting(s) but not this one${suffix}`,
      hint,
      evidence: { url: FORM, status: 200, excerpt: `Result id: 1 content: hello id: 2 content: ${GREETING}x`, greeting: GREETING, listed: ['hello', `${GREETING}x`], ...extra },
      outcome: 'needs-fix',
    });
  });

  it('records at most 5 of the greetings listed, and counts them all', async () => {
    const others = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const { verdict } = await runE2e({ post: { body: page.result(...others) } });
    expect(verdict.message).toContain('lists 7 greeting(s) but not this one');
    expect(verdict.evidence).toMatchObject({ listed: ['a', 'b', 'c', 'd', 'e'] });
  });

  describe('when a request throws', () => {
    const timeout = () => new ProbeError('http', `GET ${START}: no answer (headers) in time`, { timeout: 'headers', refused: false });

    it.each<[string, V1Deployment[], Record<string, unknown>]>([
      ['myapp has replicas available', [deployment('myapp', 3, 3)], {}],
      ['myapp has none available', [deployment('myapp', 3, 0)], { causedBy: 'ex6.myapp.deployment' }],
    ])("an HTTP probe error is the app's failure: it does not answer, when %s", async (_what, deployments, cause) => {
      const { verdict } = await runE2e({ snap: { deployments }, home: timeout() });
      expect(verdict).toEqual({
        status: 'fail',
        code: 'LG-650',
        message: `the app does not answer: GET ${START}: no answer (headers) in time`,
        hint: NO_ANSWER_HINT,
        evidence: { url: START, timeout: 'headers', refused: false },
        outcome: 'not-ready',
        ...cause,
      });
    });

    it('fails as not answering when the POST times out too', async () => {
      const { verdict } = await runE2e({ post: new ProbeError('http', `POST ${FORM}: no answer (body) in time`, { timeout: 'body' }) });
      expect(verdict).toMatchObject({ code: 'LG-650', message: `the app does not answer: POST ${FORM}: no answer (body) in time` });
    });

    it.each<[string, Error]>([
      ['the network policy refusing the address (not the student’s fault)', new ProbeError('http', 'refused to connect to 20.50.100.7:80', { refused: true })],
      ["another probe's error", new ProbeError('kube', 'the API server went away', {})],
      ["an error that only looks like the HTTP probe's", Object.assign(new Error('socket hang up'), { probe: 'http', detail: {} })],
    ])('lets %s reach the engine', async (_what, err) => {
      await expect(runE2e({ home: err })).rejects.toBe(err);
    });
  });

  describe('in the engine', () => {
    const standIn = (id: string, verdict: Verdict, code: string, provides?: CheckDef['provides']): CheckDef =>
      defineCheck({ id, exercise: 6, title: () => `stand-in ${id}`, points: { points: 0 }, needs: [], dependsOn: [], provides, reasons: reasons({ x: [code, 'stand-in'] }), run: async () => verdict });
    /** ex6.app.e2e with stand-ins for the checks it depends on, runs after and reads a fact from. */
    const catalogue = (myappDeployment: Verdict): CheckDef[] => [
      standIn('ex4.registry.exists', pass('no registry fact'), 'LG-991', ['registry']),
      standIn('ex6.myapp.service', pass('has an address'), 'LG-992'),
      standIn('ex6.myapp.deployment', myappDeployment, 'LG-993'),
      standIn('ex6.myapi.service', pass('has endpoints'), 'LG-994'),
      appE2e,
    ];
    async function grade(myappDeployment: Verdict, probes: Probes) {
      const { result } = await gradeStudent({ user: 'labuser07', resourceGroup: 'labuser07-rg' }, selectChecks(catalogue(myappDeployment)), { probes }, profile, { nonce: 'n1' });
      return result.checks.find((c) => c.id === 'ex6.app.e2e')!;
    }

    it('grades with the cluster and the app, under its title', async () => {
      expect(await grade(pass('ok'), fakeApp().probes)).toMatchObject({ status: 'pass', title: 'The app works through the external IP', points: 3 });
    });

    it('is skipped without the HTTP probe', async () => {
      expect(await grade(pass('ok'), { kube: fakeApp().probes.kube })).toMatchObject({ status: 'skipped', code: 'LG-021' });
    });

    it('an app down because myapp has no replica is reported blocked by the myapp Deployment', async () => {
      const { probes } = fakeApp({ snap: { deployments: [deployment('myapp', 3, 0)] }, home: { status: 503, body: 'Service Unavailable' } });
      const myappDown = fail(reasons({ x: ['LG-993', 'stand-in'] }).x, 'Deployment myapp: 0 of 3 replica(s) available', 'fix it');
      expect(await grade(myappDown, probes)).toMatchObject({
        status: 'blocked',
        blockedBy: 'ex6.myapp.deployment',
        message: 'blocked by ex6.myapp.deployment (stand-in ex6.myapp.deployment)',
        evidence: { finding: `${START} answered 503: the app is not serving yet (pods are Ready before Spring has started); wait and re-run` },
      });
    });
  });
});
