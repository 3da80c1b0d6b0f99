import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { imageDigest } from '../images.js';
import type { AppHandler } from '../app/http.js';
import type { KEndpoints, KEvent, KObj } from './manifests.js';
import { DB_ENV, DB_YAML, REGISTRY, myapiYaml, myappYaml, scenario } from '../../test/support/kube-scenarios.js';
import { ClusterWorld } from './world.js';
import { messageAt, readMessage, stringField } from '../../probes/kube/protobuf.js';
import { sharedPath } from '../../test/support/shared.js';
import { until } from '../../test/support/until.js';

const IP = '203.0.113.7';
const worlds: ClusterWorld[] = [];
const world = (s = scenario(), replaceDelayMs = 50): ClusterWorld => {
  const w = new ClusterWorld(s, { externalIp: IP, replaceDelayMs, startedAt: new Date('2025-03-01T12:00:00Z') });
  worlds.push(w);
  return w;
};
afterEach(() => worlds.splice(0).forEach((w) => w.dispose()));

const podsOf = (w: ClusterWorld, app: string): KObj[] => w.list('pods', 'default', { labelSelector: `app=${app}` });
/** A Secret's or ConfigMap's data. */
const dataOf = (o: KObj | undefined) => (o?.data ?? {}) as Record<string, string>;
const waiting = (p: KObj) => p.status?.containerStatuses?.[0]?.state?.waiting;
const failedEvents = (w: ClusterWorld, pod: KObj): string[] =>
  w.list('events', 'default', { fieldSelector: `involvedObject.name=${pod.metadata.name},type=Warning,reason=Failed` }).map((e) => (e as KEvent).message);
const get = async (h: AppHandler, path: string): Promise<string> => String((await h({ method: 'GET', path, headers: {}, body: Buffer.alloc(0) })).body);
const postGreeting = (h: AppHandler, content: string) =>
  h({ method: 'POST', path: '/greeting', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(new URLSearchParams({ content }).toString()) });
const apiList = async (w: ClusterWorld, pod: KObj): Promise<string[]> => {
  const t = w.podProxyTarget('default', pod.metadata.name, 8080);
  if (t.kind !== 'ok') throw new Error(t.kind);
  return (JSON.parse(await get(t.handler, '/api/greetings')) as { content: string }[]).map((g) => g.content);
};

describe('ClusterWorld', () => {
  it('perfect student: 3 myapp + 1 myapi Running, Endpoints, LB IP, consistent status', async () => {
    const w = world();
    expect(w.list('nodes').map((n) => n.metadata.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^aks-nodepool1-\d{8}-vmss000000$/)]));
    expect(w.list('nodes')).toHaveLength(3);
    const myapp = podsOf(w, 'myapp');
    const myapi = podsOf(w, 'myapi');
    expect(myapp).toHaveLength(3);
    expect(myapi).toHaveLength(1);
    for (const p of [...myapp, ...myapi]) {
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(p.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(p.metadata.name).toMatch(/^my(app|api)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.labels?.['pod-template-hash']).toBe(p.metadata.ownerReferences?.[0].name.split('-')[1]);
    }
    expect(myapp[0].status?.containerStatuses?.[0]?.imageID).toBe(`${REGISTRY}.azurecr.io/myapp@${imageDigest(REGISTRY, 'myapp', 'v1.0')}`);
    const rs = w.list('replicasets', 'default', { labelSelector: 'app=myapp' })[0];
    expect(rs.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'myapp', uid: w.get('deployments', 'default', 'myapp')!.metadata.uid });
    expect(rs.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(w.get('deployments', 'default', 'myapp')!.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
    const ep = w.get('endpoints', 'default', 'myapp') as KEndpoints;
    expect(ep.subsets?.[0]?.addresses?.map((a) => a.ip).sort()).toEqual(myapp.map((p) => p.status?.podIP).sort());
    expect(w.get('services', 'default', 'myapp')!.status?.loadBalancer?.ingress?.[0]?.ip).toBe(IP);
    expect(w.get('services', 'default', 'kubernetes')!.spec?.clusterIP).toBe('10.0.0.1');
    expect(w.list('events', 'default', { fieldSelector: `involvedObject.name=${myapi[0].metadata.name}` }).map((e) => e.reason)).toEqual(expect.arrayContaining(['Pulled', 'Started']));
    // the app end to end through the LoadBalancer
    const lb = w.externalHandler(IP, 80)!;
    expect(await get(lb, '/')).toContain('<a href="/greeting">here</a>');
    const answer = await postGreeting(lb, 'nonce-42');
    expect(answer.status).toBe(200);
    expect(String(answer.body)).toContain('<span>content: nonce-42</span>');
  });

  it('is deterministic for the same student and differs between students', () => {
    const names = (w: ClusterWorld) => w.list('pods').map((p) => `${p.metadata.name} ${p.metadata.uid} ${p.status?.podIP}`);
    expect(names(world())).toEqual(names(world()));
    expect(names(world(scenario({ user: 'labuser08' })))).not.toEqual(names(world()));
  });

  it('no role assignment: ImagePullBackOff with the unauthorized Event; Endpoints not ready; deployment unavailable', () => {
    const w = world(scenario({ azure: { roleAssignments: [] } }));
    const pod = podsOf(w, 'myapp')[0];
    expect(pod.status?.phase).toBe('Pending');
    expect(waiting(pod)).toEqual({ reason: 'ImagePullBackOff', message: `Back-off pulling image "${REGISTRY}.azurecr.io/myapp:v1.0"` });
    expect(failedEvents(w, pod)).toContain(
      `Failed to pull image "${REGISTRY}.azurecr.io/myapp:v1.0": rpc error: code = Unknown desc = Error response from daemon: Get https://${REGISTRY}.azurecr.io/v2/myapp/manifests/v1.0: unauthorized: authentication required`,
    );
    const ep = w.get('endpoints', 'default', 'myapp') as KEndpoints;
    expect(ep.subsets?.[0]?.addresses).toBeUndefined();
    expect(ep.subsets?.[0]?.notReadyAddresses).toHaveLength(3);
    const d = w.get('deployments', 'default', 'myapp')!;
    expect(d.status?.readyReplicas).toBeUndefined();
    expect(d.status?.conditions?.[0]).toMatchObject({ type: 'Available', status: 'False' });
    expect(w.podProxyTarget('default', pod.metadata.name, 8080).kind).toBe('unavailable');
  });

  it('a role on the resource group also lets the cluster pull', () => {
    const w = world(scenario({ azure: { roleAssignments: [{ role: 'AcrPull', assignee: 'aks07', scope: 'resourceGroup' }] } }));
    expect(podsOf(w, 'myapp').map((p) => p.status?.phase)).toEqual(['Running', 'Running', 'Running']);
  });

  it('an ABAC registry lets only the repository roles pull: AcrPull, Reader and Owner are not honoured there', () => {
    const abac = (role: string) => ({
      registries: [{ name: REGISTRY, images: ['myapp:v1.0', 'myapi:v1.0'], roleAssignmentMode: 'AbacRepositoryPermissions' }],
      roleAssignments: [{ role, assignee: 'aks07', scope: REGISTRY }],
    });
    for (const role of ['AcrPull', 'Reader', 'Owner', 'Container Registry Repository Catalog Lister']) {
      const pod = podsOf(world(scenario({ azure: abac(role) })), 'myapp')[0];
      expect([role, waiting(pod)?.reason]).toEqual([role, 'ImagePullBackOff']);
    }
    for (const role of ['Container Registry Repository Reader', 'Container Registry Repository Writer', 'Container Registry Repository Contributor']) {
      expect([role, podsOf(world(scenario({ azure: abac(role) })), 'myapp').map((p) => p.status?.phase)]).toEqual([role, ['Running', 'Running', 'Running']]);
    }
    // the repository roles do not pull from a registry in the legacy mode
    const legacy = world(scenario({ azure: { roleAssignments: [{ role: 'Container Registry Repository Reader', assignee: 'aks07', scope: REGISTRY }] } }));
    expect(waiting(podsOf(legacy, 'myapp')[0])?.reason).toBe('ImagePullBackOff');
  });

  it('a tag pushed again after the pods pulled it: they keep the older digest, a replacement pulls the newest, an old digest still pulls', async () => {
    const repushed = { registries: [{ name: REGISTRY, images: ['myapp:v1.0', 'myapi:v1.0'], repushed: ['myapi:v1.0'] }] };
    const w = world(scenario({ azure: repushed }), 20);
    const [first, second] = [imageDigest(REGISTRY, 'myapi', 'v1.0', 0), imageDigest(REGISTRY, 'myapi', 'v1.0', 1)];
    const before = podsOf(w, 'myapi')[0];
    expect(before.status?.containerStatuses?.[0]?.imageID).toBe(`${REGISTRY}.azurecr.io/myapi@${first}`);
    w.deletePod('default', before.metadata.name);
    await expect.poll(() => podsOf(w, 'myapi').find((p) => p.status?.phase === 'Running')?.status?.containerStatuses?.[0]?.imageID).toBe(`${REGISTRY}.azurecr.io/myapi@${second}`);
    const pinned = world(scenario({ azure: repushed, kubernetes: { apply: myapiYaml(`${REGISTRY}.azurecr.io/myapi@${first}`) } }));
    expect(podsOf(pinned, 'myapi')[0].status?.phase).toBe('Running');
  });

  it('missing tag: manifest unknown', () => {
    const w = world(scenario({ kubernetes: { apply: myappYaml(`${REGISTRY}.azurecr.io/myapp:v2.0`) } }));
    const pod = podsOf(w, 'myapp')[0];
    expect(waiting(pod)?.reason).toBe('ImagePullBackOff');
    expect(failedEvents(w, pod).join('\n')).toMatch(
      /Error response from daemon: manifest for labuser07acr\.azurecr\.io\/myapp:v2\.0 not found: manifest unknown: manifest tagged by "v2\.0" is not found$/m,
    );
  });

  it('Helm 3 with the chart default registry: no such host; overridden: runs; release Secret decodes', () => {
    const helm = [{ name: 'greetings', chart: 'greetings-0.3.0', helm: 3, values: { registry: 'azurezr.io' } }];
    const broken = world(scenario({ kubernetes: { apply: `${myappYaml('azurezr.io/myapp:v1.0')}---\n${myapiYaml('azurezr.io/myapi:v1.0', 3, DB_ENV)}---\n${DB_YAML}`, helm } }));
    const pod = podsOf(broken, 'myapp')[0];
    expect(failedEvents(broken, pod)).toContain(
      'Failed to pull image "azurezr.io/myapp:v1.0": rpc error: code = Unknown desc = Error response from daemon: Get https://azurezr.io/v2/: dial tcp: lookup azurezr.io: no such host',
    );
    expect(podsOf(broken, 'db')[0].status?.phase).toBe('Running'); // public image

    const good = world(
      scenario({ kubernetes: { apply: `${myappYaml()}---\n${myapiYaml(undefined, 3, DB_ENV)}---\n${DB_YAML}`, helm: [{ ...helm[0], values: { registry: `${REGISTRY}.azurecr.io` } }] } }),
    );
    expect(podsOf(good, 'myapi').map((p) => p.status?.phase)).toEqual(['Running', 'Running', 'Running']);
    const secret = good.get('secrets', 'default', 'sh.helm.release.v1.greetings.v1')!;
    expect(secret.type).toBe('helm.sh/release.v1');
    expect(secret.metadata.labels).toMatchObject({ owner: 'helm', name: 'greetings', status: 'deployed', version: '1' });
    // exactly as a grader decodes it: base64 (Secret API) → base64 (Helm) → gunzip → JSON
    const release = JSON.parse(gunzipSync(Buffer.from(Buffer.from(dataOf(secret).release, 'base64').toString('utf8'), 'base64')).toString('utf8'));
    expect(release).toMatchObject({
      name: 'greetings',
      version: 1,
      namespace: 'default',
      info: { status: 'deployed' },
      chart: { metadata: { name: 'greetings', version: '0.3.0' } },
      config: { registry: `${REGISTRY}.azurecr.io` },
    });
  });

  it("Helm 3 records carry the chart's own values.yaml (chart.values) beside the install's values (config), in Helm's JSON", () => {
    const upstream = parseYaml(readFileSync(sharedPath('fixtures', 'upstream-greetings', 'k8s', 'helm', 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const decode = (w: ClusterWorld) =>
      JSON.parse(gunzipSync(Buffer.from(Buffer.from(dataOf(w.get('secrets', 'default', 'sh.helm.release.v1.greetings.v1')).release, 'base64').toString('utf8'), 'base64')).toString('utf8'));
    const installed = decode(world(scenario({ kubernetes: { helm: [{ name: 'greetings', chart: 'greetings-0.3.0', helm: 3, values: { registry: `${REGISTRY}.azurecr.io` } }] } })));
    expect(Object.keys(installed)).toEqual(['name', 'info', 'chart', 'config', 'manifest', 'version', 'namespace']);
    expect(Object.keys(installed.chart)).toEqual(['metadata', 'lock', 'templates', 'values', 'schema', 'files']);
    expect(installed.chart.metadata).toEqual({ name: 'greetings', version: '0.3.0', description: 'The Greetings app as a helm chart', apiVersion: 'v1', appVersion: '1.0' });
    expect(installed.chart.values).toEqual(upstream);
    expect(installed.chart.values).toMatchObject({ registry: 'azurezr.io', myapp: { replicaCount: 3, versionTag: 'v1.0' }, myapi: { replicaCount: 3, dbUrl: null } });
    expect(installed.config).toEqual({ registry: `${REGISTRY}.azurecr.io` });
    // `helm install greetings .` without --set: Helm leaves config out (omitempty); a chart edited in place shows in chart.values
    const edited = decode(world(scenario({ kubernetes: { helm: [{ name: 'greetings', chart: 'greetings-0.3.0', helm: 3, chartValues: { ...upstream, registry: `${REGISTRY}.azurecr.io` } }] } })));
    expect(edited).not.toHaveProperty('config');
    expect(edited.chart.values.registry).toBe(`${REGISTRY}.azurecr.io`);
  });

  it('Helm 2 with tiller: release ConfigMap in kube-system, tiller Deployment, ServiceAccount and cluster-admin binding', () => {
    const w = world(scenario({ kubernetes: { helm: [{ name: 'wobbly-panda', chart: 'greetings-0.3.0', helm: 2, tiller: true, values: { registry: `${REGISTRY}.azurecr.io` } }] } }));
    const cm = w.get('configmaps', 'kube-system', 'wobbly-panda.v1')!;
    expect(cm.metadata.labels).toEqual({ NAME: 'wobbly-panda', OWNER: 'TILLER', STATUS: 'DEPLOYED', VERSION: '1' });
    const proto = gunzipSync(Buffer.from(dataOf(cm).release, 'base64'));
    expect(proto.includes(Buffer.from('greetings'))).toBe(true);
    const release = readMessage(proto);
    expect(stringField(release, 1)).toBe('wobbly-panda');
    const meta = messageAt(release, [3, 1]);
    expect([1, 4, 5, 10, 13].map((no) => stringField(meta, no))).toEqual(['greetings', '0.3.0', 'The Greetings app as a helm chart', 'v1', '1.0']);
    // hapi.chart.Chart.values.raw is the chart's values.yaml byte for byte; Release.config.raw the --set values
    expect(stringField(messageAt(release, [3, 4]), 1)).toBe(readFileSync(sharedPath('fixtures', 'upstream-greetings', 'k8s', 'helm', 'values.yaml'), 'utf8'));
    expect(stringField(messageAt(release, [4]), 1)).toBe(`registry: ${REGISTRY}.azurecr.io\n`);
    const custom = world(scenario({ kubernetes: { helm: [{ name: 'x', chart: 'greetings-0.3.0', helm: 2, chartValues: { registry: 'mine.azurecr.io' } }] } }));
    const customRelease = readMessage(gunzipSync(Buffer.from(dataOf(custom.get('configmaps', 'kube-system', 'x.v1')).release, 'base64')));
    expect(stringField(messageAt(customRelease, [3, 4]), 1)).toBe('registry: mine.azurecr.io\n');
    expect(w.get('deployments', 'kube-system', 'tiller-deploy')!.status?.readyReplicas).toBe(1);
    expect(w.list('pods', 'kube-system', { labelSelector: 'app=helm,name=tiller' })[0].status?.phase).toBe('Running');
    expect(w.get('serviceaccounts', 'kube-system', 'tiller')?.metadata?.name).toBe('tiller');
    expect(w.get('clusterrolebindings', undefined, 'tiller')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'tiller', namespace: 'kube-system' }],
    });
  });

  it('deletedPods: the myapi pod is a newer replacement with an empty list', async () => {
    const seeded = world(scenario({ kubernetes: { greetings: ['hello'] } }));
    const w = world(scenario({ kubernetes: { greetings: ['hello'], deletedPods: ['myapi'] } }));
    const original = podsOf(seeded, 'myapi')[0];
    const replacement = podsOf(w, 'myapi')[0];
    expect(replacement.metadata.name).not.toBe(original.metadata.name);
    expect(Date.parse(String(replacement.metadata.creationTimestamp))).toBeGreaterThan(Date.parse(String(w.get('deployments', 'default', 'myapi')!.metadata.creationTimestamp)));
    expect(await apiList(seeded, original)).toEqual(['hello']);
    expect(await apiList(w, replacement)).toEqual([]);
  });

  it('3 myapi replicas: lists diverge after posting through the Service', async () => {
    const w = world(scenario({ kubernetes: { apply: `${myappYaml()}---\n${myapiYaml(undefined, 3)}` } }));
    const lb = w.externalHandler(IP)!;
    for (const c of ['a', 'b', 'c']) expect((await postGreeting(lb, c)).status).toBe(200);
    const lists = await Promise.all(podsOf(w, 'myapi').map((p) => apiList(w, p)));
    expect(lists.flat().sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(lists.map((l) => l.join()))).not.toEqual(new Set(['a,b,c']));
  });

  it('shared database (SPRING_DATASOURCE_URL and Service db): all myapi pods show one list', async () => {
    const w = world(scenario({ kubernetes: { apply: `${myappYaml()}---\n${myapiYaml(undefined, 3, DB_ENV)}---\n${DB_YAML}`, greetings: ['seed'] } }));
    const lb = w.externalHandler(IP)!;
    for (const c of ['a', 'b', 'c']) await postGreeting(lb, c);
    const lists = await Promise.all(podsOf(w, 'myapi').map((p) => apiList(w, p)));
    expect(lists).toEqual([
      ['seed', 'a', 'b', 'c'],
      ['seed', 'a', 'b', 'c'],
      ['seed', 'a', 'b', 'c'],
    ]);
  });

  it('myapp with an unresolvable API_BASE_URL answers the whitelabel 500', async () => {
    const w = world(scenario({ kubernetes: { apply: myappYaml() } }));
    const answer = await postGreeting(w.externalHandler(IP)!, 'x');
    expect(answer.status).toBe(500);
    expect(String(answer.body)).toContain('java.net.UnknownHostException: myapi');
  });

  it('ReplicaSet controller: a deleted pod is replaced (ContainerCreating, then Running, empty list); a bare pod just goes', async () => {
    const bare = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: myapp\n  labels:\n    app: solo\nspec:\n  containers:\n  - name: myapp\n    image: ${REGISTRY}.azurecr.io/myapp:v1.0\n`;
    const w = world(scenario({ kubernetes: { apply: `${myapiYaml()}---\n${bare}`, greetings: ['hello'] } }));
    const old = podsOf(w, 'myapi')[0];
    const deleted = w.deletePod('default', old.metadata.name)!;
    // deleted with the default grace period: the timestamp is when it ends
    expect(deleted.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(Date.parse(String(deleted.metadata.deletionTimestamp))).toBeGreaterThan(Date.now());
    const [fresh] = podsOf(w, 'myapi');
    expect(fresh.metadata.name).not.toBe(old.metadata.name);
    expect(waiting(fresh)?.reason).toBe('ContainerCreating');
    expect(w.get('deployments', 'default', 'myapi')!.status?.readyReplicas).toBeUndefined();
    await until('the replacement pod to run', () => podsOf(w, 'myapi')[0].status?.phase === 'Running');
    expect(w.get('deployments', 'default', 'myapi')!.status?.readyReplicas).toBe(1);
    expect(await apiList(w, podsOf(w, 'myapi')[0])).toEqual([]);
    expect(w.deletePod('default', 'myapp')?.metadata.name).toBe('myapp');
    expect(w.get('pods', 'default', 'myapp')).toBeUndefined();
    expect(w.list('pods', 'default', { labelSelector: 'app=solo' })).toHaveLength(0);
  });

  it('reload with a role assignment added: pending pods run, names and lists kept', async () => {
    const s = scenario({ azure: { roleAssignments: [] } });
    const w = world(s);
    const before = w.list('pods').map((p) => p.metadata.name);
    expect(podsOf(w, 'myapi')[0].status?.phase).toBe('Pending');
    w.reload(scenario());
    expect(w.list('pods').map((p) => p.metadata.name)).toEqual(before);
    const api = podsOf(w, 'myapi')[0];
    expect(api.status?.phase).toBe('Running');
    await postGreeting(w.externalHandler(IP)!, 'kept');
    w.reload(scenario());
    expect(await apiList(w, podsOf(w, 'myapi')[0])).toEqual(['kept']);
    // a changed template makes a new ReplicaSet and new pods
    w.reload(scenario({ kubernetes: { apply: `${myappYaml()}---\n${myapiYaml(undefined, 1, DB_ENV)}` } }));
    expect(podsOf(w, 'myapi')[0].metadata.name).not.toBe(api.metadata.name);
  });

  it('LoadBalancer pending, unknown kinds skipped, invalid image names', () => {
    const ingress = `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n`;
    const w = world(scenario({ kubernetes: { loadBalancer: 'pending', apply: `${myappYaml('<registry name>.azurecr.io/myapp:v1.0')}---\n${ingress}` } }));
    expect(w.get('services', 'default', 'myapp')!.status).toEqual({ loadBalancer: {} });
    expect(w.externalHandler(IP)).toBeUndefined();
    expect(w.skipped).toEqual(['Ingress/web']);
    expect(waiting(podsOf(w, 'myapp')[0])?.reason).toBe('InvalidImageName');
  });

  it('a class of 30 worlds derives quickly', () => {
    const scenarios = Array.from({ length: 30 }, (_, i) => scenario({ user: `labuser${i}` }));
    // The first world pays for compiling the code; the bound is for the class after it.
    world(scenario({ user: 'warmup' }));
    // CPU time of this process, not wall time: other processes on a busy machine do not count. About
    // 200 ms on a quiet two-core machine; the bound leaves room for a shared CI machine (508 ms seen
    // there with no warm-up) and still fails a derivation several times slower.
    const before = process.cpuUsage();
    for (const s of scenarios) world(s);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(1_500);
  });
});
