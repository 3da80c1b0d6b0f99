/**
 * ex6.app.e2e and friends at their edges, through the engine against the simulated cluster: hostile
 * or broken HTTP answers (the sandbox's http faults), nginx's page, transient failures under --wait,
 * an address the network policy refuses; and grading without Azure (a self-check with a kubeconfig).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineCheck, pass, reasons, type CheckDef } from '../../core/check.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { REGISTRY, myapiYaml, myappYaml, scenario } from '../../test/support/kube-scenarios.js';
import type { Scenario } from '../../sandbox/scenario.js';
import { NetworkPolicy } from '../../probes/net.js';
import { httpProbe } from '../../probes/http/http-probe.js';
import { ProbeError, type HttpProbe, type Probes } from '../../probes/types.js';
import { ALL_CHECKS } from '../index.js';
import { selectChecks } from '../../core/selection.js';
import { gradeWithSim, type GradeOptions, type SimStudent } from '../../test/support/kube-student.js';

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
      hint: `Exercise 6: the image in myapp.yaml must be ${REGISTRY}.azurecr.io/myapp:v1.0; apply it again with \`kubectl apply -f myapp.yaml\`.`,
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
    expect(by['ex5.pod.running'].message).not.toMatch(/Azure/);
    expect(by['ex5.pod.running'].message).toMatch(/unauthorized: authentication required/);
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
