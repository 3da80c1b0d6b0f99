/**
 * Exercises 5–7 graded through the engine against simulated students (fixtures/scenarios/kube): each
 * scenario's `expect:` block is the verdict a correct grader gives (with its reason code, or the root
 * cause of a blocked check); hints and evidence are asserted where they carry the student's own names. Also: without --allow-disruptive the grader only reads
 * the cluster (GET) and its only POST is the e2e greeting.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from './index.js';
import { loadScenarios, type Scenario } from '../sandbox/scenario.js';
import type { HttpProbe } from '../probes/types.js';
import { gradeWithSim, type SimOptions, type SimStudent } from '../test/support/kube-student.js';
import { mismatches } from '../test/support/expectations.js';

const scenarios = loadScenarios(['fixtures/scenarios/kube'], CHECK_IDS);
const OPTIONS: Record<string, SimOptions> = { kubeuser12: { allowDisruptive: true } };

/**
 * Beyond the verdicts and reason codes of the expect: blocks: the facts a student's report carries,
 * the hints' commands with the student's own names filled in, and the evidence.
 */
const DETAILS: Record<string, Record<string, { hint?: string[]; evidence?: Record<string, unknown> }>> = {
  kubeuser01: {
    'ex6.myapp.service': { evidence: { externalIP: '20.50.100.7' } },
    'ex6.app.e2e': { evidence: { greeting: 'lab-grade nonce-kubeuser01' } },
    'ex7.helm.release': { hint: ['helm install greetings . --set registry='] },
  },
  kubeuser02: {
    'ex5.pull.authorized': {
      hint: ['az aks update --name aks02 --resource-group kubeuser02-rg --attach-acr kubeuser02acr'],
      evidence: { registry: 'kubeuser02acr.azurecr.io', reason: 'ImagePullBackOff' },
    },
    'ex6.myapp.deployment': { hint: ['kubectl apply -f myapp.yaml'] },
  },
  kubeuser03: { 'ex5.pod.running': { hint: ['Exercise 4 step 5: push the image', 'REGISTRY=kubeuser03acr.azurecr.io/'], evidence: { cause: 'manifest-unknown' } } },
  kubeuser04: { 'ex5.pull.authorized': { evidence: { role: 'AcrPull' } } },
  kubeuser05: {
    'ex5.pod.running': { evidence: { found: 'nginx:1.27' } },
    'ex6.myapp.deployment': { hint: ['change the image at the bottom of myapp.yaml to kubeuser05acr.azurecr.io/myapp:v1.0'], evidence: { image: 'nginx:1.27' } },
    'ex6.myapp.service': { evidence: { ports: '80→80/TCP' } },
  },
  kubeuser06: { 'ex6.myapp.deployment': { evidence: { API_BASE_URL: null } } },
  kubeuser07: { 'ex6.myapp.service': { hint: ['kubectl get svc'], evidence: { externalIP: '<pending>' } } },
  kubeuser08: { 'ex6.api.replicas': { hint: ['Set `replicas: 1` in myapi.yaml'], evidence: { replicas: 3, SPRING_DATASOURCE_URL: 'not set' } } },
  kubeuser09: {
    'ex6.api.replicas': { evidence: { SPRING_DATASOURCE_URL: 'set' } },
    'ex7.helm.release': { evidence: { helm: 3, release: 'greetings', chartVersion: '0.3.0' } },
    'ex7.helm.registry': { evidence: { registry: 'kubeuser09acr.azurecr.io', from: 'given at install' } },
  },
  kubeuser10: { 'ex7.helm.registry': { hint: ['--set registry='], evidence: { registry: 'azurezr.io' } } },
  kubeuser11: { 'ex7.helm.release': { evidence: { helm: 2, release: 'wobbly-panda' } }, 'ex7.tiller': { evidence: { serviceAccount: true } } },
  kubeuser13: { 'ex5.kube.reachable': { evidence: { status: 403 } } },
  kubeuser14: { 'ex5.pod.running': { hint: ['Exercise 5 steps 6–7: put your registry name into myapp-pod.yaml', 'kubectl apply -f myapp-pod.yaml'], evidence: { registrySource: 'unknown' } } },
};

/** Records what the grader sent over HTTP (every HTTP request goes through this probe). */
function recording(http: HttpProbe, log: string[]): HttpProbe {
  return {
    get: (url) => (log.push(`GET ${url}`), http.get(url)),
    postForm: (url, fields) => (log.push(`POST ${url} ${new URLSearchParams(fields)}`), http.postForm(url, fields)),
  };
}

const sims: SimStudent[] = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

async function grade(s: Scenario) {
  const httpLog: string[] = [];
  const { sim, by } = await gradeWithSim(s, { sim: OPTIONS[s.user], probes: (p) => ({ ...p, http: recording(p.http!, httpLog) }) });
  sims.push(sim);
  return { sim, httpLog, by };
}

describe.each(scenarios.map((s) => [s.user, s] as const))('%s', (user, s) => {
  it(s.description, async () => {
    const { sim, httpLog, by } = await grade(s);
    expect(mismatches(s, Object.values(by))).toEqual([]);
    for (const [id, want] of Object.entries(DETAILS[user] ?? {})) {
      for (const part of want.hint ?? []) expect(by[id].hint, id).toContain(part);
      if (want.evidence) expect(by[id].evidence, id).toMatchObject(want.evidence);
    }
    // Reads only, unless disruptive checks were allowed (then exactly the one DELETE of ex6.selfheal).
    const writes = sim.api.requests.filter((r) => r.method !== 'GET');
    if (OPTIONS[user]?.allowDisruptive) expect(writes.map((r) => r.method)).toEqual(['DELETE']);
    else expect(writes).toEqual([]);
    // The only POST is the e2e greeting, at most once.
    const posts = httpLog.filter((l) => !l.startsWith('GET '));
    expect(posts.length).toBeLessThanOrEqual(1);
    for (const p of posts) expect(p).toBe(`POST http://20.50.100.7/greeting content=lab-grade+nonce-${user}`);
    // Evidence is short and carries no credential.
    for (const c of Object.values(by)) {
      const text = JSON.stringify(c.evidence);
      expect(text.length, c.id).toBeLessThan(2_000);
      expect(text).not.toContain('kube-token-');
    }
  });
});
