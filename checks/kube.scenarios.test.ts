/**
 * Exercises 5–7 graded through the engine against simulated students (fixtures/scenarios/kube): each
 * scenario's `expect:` block is the verdict a correct grader gives; the messages a student reads are
 * asserted where they carry the diagnosis. Also: without --allow-disruptive the grader only reads
 * the cluster (GET) and its only POST is the e2e greeting.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from './index.js';
import { loadScenarios, type Scenario } from '../sandbox/scenario.js';
import type { HttpProbe } from '../probes/types.js';
import { gradeWithSim, type SimOptions, type SimStudent } from '../test/support/kube-student.js';

const scenarios = loadScenarios(['fixtures/scenarios/kube'], CHECK_IDS);
const OPTIONS: Record<string, SimOptions> = { kubeuser12: { allowDisruptive: true } };

/** What a student must read, per scenario and check. */
const MESSAGES: Record<string, Record<string, { message?: RegExp; hint?: RegExp; evidence?: Record<string, unknown> }>> = {
  kubeuser01: {
    'ex5.kube.reachable': { message: /answers \(Kubernetes v1\./ },
    'ex5.pull.authorized': { message: /holds Reader on …\/registries\/kubeuser01acr/ },
    'ex5.pod.running': { message: /^pod myapp-[a-z0-9]+-[a-z0-9]+ runs kubeuser01acr\.azurecr\.io\/myapp:v1\.0$/ },
    'ex6.myapp.service': { evidence: { externalIP: '20.50.100.7' } },
    'ex6.app.e2e': { message: /posted greeting "lab-grade nonce-kubeuser01" listed/ },
    'ex6.api.replicas': { message: /runs 1 replica/ },
    'ex6.selfheal': { message: /runs only with --allow-disruptive/ },
    'ex7.helm.release': { message: /no Helm release of chart greetings/, hint: /helm install greetings \. --set registry=/ },
  },
  kubeuser02: {
    'ex5.pull.authorized': { message: /may not pull from kubeuser02acr\.azurecr\.io: no role assignment/, hint: /grant the cluster's service principal Reader on the registry/ },
    'ex5.pod.running': {
      message: /pod myapp is stuck in ImagePullBackOff .*unauthorized: authentication required.*the cluster is not allowed to pull.*Azure confirms: no role assignment/,
      hint: /^Exercise 5: grant the cluster's service principal Reader on the registry/,
    },
    'ex6.myapp.deployment': { message: /Deployment myapp not found in namespace default/, hint: /kubectl apply -f myapp\.yaml/ },
  },
  kubeuser03: {
    'ex5.pod.running': { message: /manifest unknown\): the image was not pushed/, hint: /Exercise 4: push the image/ },
    'ex6.image.provenance': { message: /has no myapp:v1\.0 to compare with/ },
  },
  kubeuser04: { 'ex5.pull.authorized': { message: /holds AcrPull/ }, 'ex5.pod.running': { message: /^pod myapp-/ } },
  kubeuser05: {
    'ex5.pod.running': { message: /runs nginx:1\.27, not kubeuser05acr\.azurecr\.io\/myapp:v1\.0/ },
    'ex6.myapp.deployment': { message: /runs nginx:1\.27, not your kubeuser05acr\.azurecr\.io\/myapp:v1\.0/, hint: /change the image at the bottom of myapp\.yaml/ },
    'ex6.myapp.service': { message: /maps 80→80\/TCP; the lab maps port 80 → 8080/ },
    'ex6.image.provenance': { message: /myapp-[a-z0-9-]+ runs nginx:1\.27, no myapp image at all/ },
  },
  kubeuser06: {
    'ex6.myapp.deployment': { message: /env API_BASE_URL is not set, the lab sets http:\/\/myapi:8080/ },
    'ex6.app.e2e': { message: /answered 500.*check API_BASE_URL \(http:\/\/myapi:8080\)/ },
  },
  kubeuser07: { 'ex6.myapp.service': { message: /still <pending>.*wait a few minutes and re-run/, hint: /kubectl get svc/ }, 'ex6.app.e2e': { message: /blocked by ex6\.myapp\.service/ } },
  kubeuser08: {
    'ex6.app.e2e': { message: /lists 0 greeting\(s\) but not this one; myapi runs 3 replicas.*"unpredictable" state/, hint: /Set `replicas: 1` in myapi\.yaml/ },
    'ex6.api.replicas': { message: /runs 3 replicas, each keeping its own in-memory list; their lists differ: myapi-[^:]+: \[.*"lab-grade nonce-kubeuser08"\] \| myapi-[^:]+: \[\]/ },
  },
  kubeuser09: {
    'ex6.api.replicas': { message: /3 replicas with a shared database \(SPRING_DATASOURCE_URL\), and every pod lists the same 1 greeting/ },
    'ex7.helm.release': { message: /greetings \(chart greetings-0\.3\.0, revision 1, deployed, Helm 3 Secret default\/sh\.helm\.release\.v1\.greetings\.v1\)/, evidence: { helm: 3 } },
    'ex7.helm.registry': { message: /pulls from your registry kubeuser09acr\.azurecr\.io/ },
    'ex7.tiller': { message: /Helm 3 keeps no tiller/ },
  },
  kubeuser10: {
    'ex5.pod.running': { message: /runs azurezr\.io\/myapp:v1\.0, not kubeuser10acr.*no such host/, hint: /use your own registry's name/ },
    'ex6.myapp.deployment': { message: /broken default registry/ },
    'ex7.helm.registry': { message: /leaves registry at the chart's broken default azurezr\.io/, hint: /--set registry=/ },
  },
  kubeuser11: {
    'ex7.helm.release': { message: /^Helm release wobbly-panda \(chart greetings-0\.3\.0, revision 1, deployed, Helm 2 ConfigMap kube-system\/wobbly-panda\.v1\)/, evidence: { helm: 2 } },
    'ex7.tiller': { message: /ServiceAccount kube-system\/tiller exists and is bound to cluster-admin/ },
  },
  kubeuser12: { 'ex6.selfheal': { message: /deleted pod myapi-[a-z0-9-]+; the Deployment started myapi-[a-z0-9-]+, Ready within \d+ s, and its list is empty/ } },
  kubeuser13: { 'ex5.kube.reachable': { message: /forbidden \(RBAC\)/ }, 'ex5.pod.running': { message: /blocked by ex5\.kube\.reachable/ } },
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
    const got = Object.fromEntries(Object.keys(s.expect).map((id) => [id, by[id]?.status]));
    const show = Object.fromEntries(Object.keys(s.expect).map((id) => [id, `${by[id]?.status}: ${by[id]?.message}`]));
    expect(got, JSON.stringify(show, null, 1)).toEqual(s.expect);
    for (const [id, want] of Object.entries(MESSAGES[user] ?? {})) {
      if (want.message) expect(by[id].message, id).toMatch(want.message);
      if (want.hint) expect(by[id].hint, id).toMatch(want.hint);
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
