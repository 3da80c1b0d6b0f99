/** Exercise 6: Deployments, Services, the app end to end, replicas and self-healing. */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { error, fail, pass, type CheckContext, type CheckDef } from '../core/check.js';
import type { Verdict } from '../core/model.js';
import type { WorkloadExpectation } from '../core/profile.js';
import { formatMs, sleep } from '../core/timeout.js';
import { ProbeError, type HttpAnswer, type KubeSnapshot } from '../probes/types.js';
import { hasPodLister } from '../probes/kube/kube-probe.js';
import { ex5Messages } from './ex5-pod.messages.js';
import { ex6Messages as M } from './ex6-deploy.messages.js';
import { excerpt, snapshotFor, studentRegistry } from './kube/context.js';
import { allAvailable, byName, mainContainer, replicaStatus } from './kube/deployments.js';
import { hasForm, hasStartLink, isNginxWelcome, isResultPage, listedContents, listKey, parseGreetingList, sideBySide, type Greeting } from './kube/greetings.js';
import { imageName, isImage, parseImageRef, registryNameOf, shortDigest } from './kube/images.js';
import { envValue, isRunning, podStatusText, podsOfDeployment, selects, summarizePod } from './kube/pods.js';
import { diagnosePull } from './kube/pull.js';
import { endpointsReadiness, httpUrl, loadBalancerAddress, mapsPort, podsSelectedBy, portsText } from './kube/services.js';

const W = M.workload;
const S = M.service;
const E = M.e2e;
const fileOf = (w: WorkloadExpectation) => `${w.deployment}.yaml`;
const labelsText = (l: Record<string, string> | undefined) => (l && Object.keys(l).length ? Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') : 'none');

/** The Deployment's pods, running ones first, as `kubectl get pods` would name them. */
function podsOf(d: V1Deployment, snap: KubeSnapshot): V1Pod[] {
  return podsOfDeployment(d, snap.pods, snap.replicaSets).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

const runningPodsOf = (d: V1Deployment, snap: KubeSnapshot) => podsOf(d, snap).filter((p) => isRunning(summarizePod(p)) && !p.metadata?.deletionTimestamp);

const podsLine = (pods: V1Pod[]) =>
  pods
    .slice(0, 4)
    .map((p) => `${p.metadata?.name} ${podStatusText(summarizePod(p))}`)
    .join(', ');

// ---------------------------------------------------------------- Deployments

async function gradeDeployment(ctx: CheckContext, w: WorkloadExpectation, exactReplicas: boolean): Promise<Verdict> {
  const e = ctx.profile.expect;
  const snap = await snapshotFor(ctx, ['deployments', 'pods']);
  const d = byName(snap.deployments, w.deployment);
  if (!d) return fail(W.missing('Deployment', w.deployment, snap.namespace), W.missingHint(fileOf(w)), { namespace: snap.namespace }, true);
  const image = mainContainer(d, w.deployment)?.image ?? '';
  const reg = studentRegistry(ctx, snap);
  const ref = parseImageRef(image);
  const ok = reg.loginServer
    ? isImage(image, reg.loginServer, w.image, e.tag)
    : !!registryNameOf(ref?.host, e.registryDomain) && ref?.repository === w.image && ref?.tag === e.tag;
  const expected = reg.loginServer ? imageName(reg.loginServer, w.image, e.tag) : `<registry name>.${e.registryDomain}/${w.image}:${e.tag}`;
  if (!ok) {
    const note = ref?.host === e.helm.brokenDefaultRegistry ? W.brokenDefault(ref.host) : '';
    return fail(W.wrongImage(w.deployment, image, expected) + note, W.wrongImageHint(fileOf(w)), { deployment: w.deployment, image, expected, registrySource: reg.source }, true);
  }
  const container = mainContainer(d, w.deployment);
  for (const [key, value] of Object.entries(w.env)) {
    const found = envValue(container, key);
    if (found !== value) return fail(W.env(w.deployment, key, found, value), W.envHint(fileOf(w), key, value), { deployment: w.deployment, [key]: found ?? null }, true);
  }
  const st = replicaStatus(d);
  if (exactReplicas && st.desired !== w.replicas) {
    return fail(W.replicaCount(w.deployment, st.desired, w.replicas), W.replicaCountHint(fileOf(w), w.replicas), { deployment: w.deployment, replicas: st.desired }, true);
  }
  const evidence = { deployment: w.deployment, image, replicas: `${st.available}/${st.desired}` };
  if (!allAvailable(st)) {
    const pods = podsOf(d, snap);
    const stuck = pods.map((p) => diagnosePull(p, snap.events)).find(Boolean);
    const why = stuck ? `; ${ex5Messages.cause[stuck.cause].meaning || `${stuck.reason}: ${stuck.event ?? stuck.message ?? ''}`}` : '';
    const hint = stuck && stuck.cause !== 'other' ? ex5Messages.cause[stuck.cause].hint : W.unavailableHint;
    return fail(W.unavailable(w.deployment, st.available, st.desired, podsLine(pods)) + why, hint, { ...evidence, ...(stuck ? { pod: stuck.pod, reason: stuck.reason, event: stuck.event } : {}) });
  }
  return pass(W.ok(w.deployment, image, st.available, st.desired), evidence);
}

// ---------------------------------------------------------------- Services

async function gradeService(ctx: CheckContext, w: WorkloadExpectation, external: boolean): Promise<Verdict> {
  const snap = await snapshotFor(ctx, ['services', 'pods', 'deployments', ...(external ? [] : (['endpoints'] as const))]);
  const svc = byName(snap.services, w.service);
  if (!svc) return fail(W.missing('Service', w.service, snap.namespace), W.missingHint(fileOf(w)), { namespace: snap.namespace }, true);
  const type = svc.spec?.type ?? 'ClusterIP';
  const ports = portsText(svc);
  const evidence: Record<string, unknown> = { service: w.service, type, ports, selector: labelsText(svc.spec?.selector) };
  if (type !== w.serviceType) return fail(S.wrongType(w.service, type, w.serviceType), S.wrongTypeHint(fileOf(w)), evidence, true);
  const d = byName(snap.deployments, w.deployment);
  const pods = d ? podsOf(d, snap) : podsSelectedBy(svc, snap.pods);
  if (!mapsPort(svc, w.servicePort, w.targetPort, pods[0])) return fail(S.ports(w.service, ports, w.servicePort, w.targetPort), S.wrongTypeHint(fileOf(w)), evidence, true);
  // Matching the Deployment's template labels is what counts; pods may not exist yet.
  const templateLabels = d?.spec?.template?.metadata?.labels;
  if (d && !selects(svc.spec?.selector, templateLabels)) {
    return fail(S.selector(w.service, labelsText(svc.spec?.selector), w.deployment, labelsText(templateLabels)), S.wrongTypeHint(fileOf(w)), evidence, true);
  }
  if (!d && podsSelectedBy(svc, snap.pods).length === 0) return fail(S.noPods(w.service, labelsText(svc.spec?.selector)), W.missingHint(fileOf(w)), evidence);
  if (external) {
    const lb = loadBalancerAddress(svc);
    if (lb.state !== 'assigned') return fail(S.pending(w.service), S.pendingHint, { ...evidence, externalIP: '<pending>' });
    return pass(S.okExternal(w.service, lb.address, ports), { ...evidence, externalIP: lb.address });
  }
  const ep = endpointsReadiness(byName(snap.endpoints, w.service));
  if (ep.ready.length === 0) return fail(S.noEndpoints(w.service, ep.notReady.length, podsLine(pods)), S.noEndpointsHint, { ...evidence, endpoints: ep });
  return pass(S.okInternal(w.service, ports, ep.ready.length), { ...evidence, endpoints: ep.ready });
}

// ---------------------------------------------------------------- End to end

/** Why a page is not the one wanted, or undefined when it is. */
function pageProblem(a: HttpAnswer, wanted: (html: string) => boolean, wrong: (url: string, status: number, text: string) => string): Verdict | undefined {
  const evidence = { url: a.url, status: a.status, excerpt: excerpt(a.body) };
  if (a.status >= 300 && a.status < 400 && a.headers.location) return fail(E.redirect(a.url, a.headers.location), E.noAnswerHint, evidence, true);
  if (isNginxWelcome(a.body)) return fail(E.nginx(a.url), E.nginxHint, evidence, true);
  if (a.status >= 500) return fail(E.unavailable(a.url, a.status), E.noAnswerHint, evidence);
  if (a.status !== 200 || !wanted(a.body)) return fail(wrong(a.url, a.status, excerpt(a.body, 80)), E.noAnswerHint, evidence, true);
  return undefined;
}

async function appE2e(ctx: CheckContext): Promise<Verdict> {
  const e = ctx.profile.expect;
  const snap = await snapshotFor(ctx, ['services']);
  const svc = byName(snap.services, e.app.service);
  const lb = svc ? loadBalancerAddress(svc) : undefined;
  if (lb?.state !== 'assigned') return fail(S.pending(e.app.service), S.pendingHint, { externalIP: '<pending>' });
  const http = ctx.probes.http!;
  const start = httpUrl(lb.address, e.app.servicePort);
  const formUrl = httpUrl(lb.address, e.app.servicePort, '/greeting');
  const greeting = `lab-grade ${ctx.options.nonce}`;
  // The retries wait for Spring behind a Ready pod; with no Ready pod behind the Service nothing is
  // starting, so a snapshot tries once (under --wait the engine polls the check again anyway).
  const ep = snap.unreadable.endpoints ? undefined : endpointsReadiness(byName(snap.endpoints, e.app.service));
  const firstTry = ctx.options.waitMs <= 0 && ep?.ready.length === 0 ? { retry: false } : undefined;
  try {
    const home = await http.get(start, firstTry);
    const p1 = pageProblem(home, hasStartLink, E.noLink);
    if (p1) return p1;
    const form = await http.get(formUrl);
    const p2 = pageProblem(form, hasForm, E.noForm);
    if (p2) return p2;
    const answer = await http.postForm(formUrl, { content: greeting });
    const evidence = { url: formUrl, status: answer.status, excerpt: excerpt(answer.body) };
    if (answer.status === 500) return fail(E.api500(formUrl, excerpt(answer.body, 80)), E.api500Hint, evidence);
    if (answer.status !== 200 || !isResultPage(answer.body)) {
      return pageProblem(answer, () => false, E.unexpected) ?? fail(E.unexpected(formUrl, answer.status, excerpt(answer.body, 80)), E.noAnswerHint, evidence);
    }
    const listed = listedContents(answer.body);
    if (listed.includes(greeting)) return pass(E.ok(start, greeting), { url: start, greeting, listed: listed.length });
    const apiReplicas = replicaStatus(byName(snap.deployments, e.api.deployment) ?? {}).desired;
    const several = !snap.unreadable.deployments && apiReplicas > 1;
    return fail(
      E.missing(greeting, listed.length) + (several ? E.unpredictable(apiReplicas) : ''),
      several ? E.missingHint : E.missingHintSingle,
      { ...evidence, greeting, listed: listed.slice(0, 5), ...(several ? { myapiReplicas: apiReplicas } : {}) },
      true,
    );
  } catch (err) {
    // The app not answering is the student's to fix; the grader being barred from the address is not.
    if (err instanceof ProbeError && err.probe === 'http' && !err.detail.refused) return fail(E.noAnswer(err.message), E.noAnswerHint, { url: start, ...err.detail });
    throw err;
  }
}

// ---------------------------------------------------------------- Provenance

async function provenance(ctx: CheckContext): Promise<Verdict> {
  const e = ctx.profile.expect;
  const snap = await snapshotFor(ctx, ['deployments', 'pods']);
  const reg = studentRegistry(ctx, snap);
  if (!reg.loginServer) return fail(M.provenance.noRegistry, M.provenance.notPushedHint, { registrySource: reg.source });
  const loginServer = reg.loginServer;
  const mismatches: string[] = [];
  const digests: Record<string, string> = {};
  let compared = 0;
  // Both digests asked at once (one round trip, not two); read in order, so the first missing one is reported.
  const wanted = [e.app, e.api].map((w) => ctx.probes.registry!.manifestDigest(loginServer, w.image, e.tag));
  wanted.forEach((p) => p.catch(() => undefined));
  for (const [i, w] of [e.app, e.api].entries()) {
    const want = await wanted[i];
    if (!want) return fail(M.provenance.notPushed(w.image, e.tag, loginServer), M.provenance.notPushedHint, { registry: loginServer, repository: w.image, tag: e.tag }, true);
    digests[`${w.image}:${e.tag}`] = want;
    const d = byName(snap.deployments, w.deployment);
    const ofRepo = (p: V1Pod) => summarizePod(p).containers.find((x) => parseImageRef(x.image)?.repository === w.image);
    const pods = d ? runningPodsOf(d, snap) : snap.pods.filter((p) => isRunning(summarizePod(p)) && ofRepo(p));
    if (pods.length === 0) return fail(M.provenance.noPods(w.deployment), M.provenance.noPodsHint, { registry: loginServer, deployment: w.deployment });
    for (const p of pods) {
      const c = ofRepo(p);
      compared++;
      if (!c) mismatches.push(M.provenance.otherImage(p.metadata?.name ?? '', summarizePod(p).containers[0]?.image ?? '', w.image));
      else if (c.digest !== want) mismatches.push(`${p.metadata?.name} runs ${c.image} @ ${shortDigest(c.digest)}, your ${w.image}:${e.tag} is ${shortDigest(want)}`);
    }
  }
  if (mismatches.length) return fail(M.provenance.mismatch(mismatches.slice(0, 3).join('; ')), M.provenance.mismatchHint, { registry: loginServer, digests, mismatches }, true);
  return pass(M.provenance.ok(compared), { registry: loginServer, digests, pods: compared });
}

// ---------------------------------------------------------------- Replicas and their lists

const DATASOURCE = 'SPRING_DATASOURCE_URL';

async function readList(ctx: CheckContext, namespace: string, pod: string): Promise<Greeting[]> {
  const api = ctx.profile.expect.api;
  const r = await ctx.probes.kube!.podProxyGet(namespace, pod, api.containerPort, api.greetingsPath ?? '/api/greetings');
  const list = r.status === 200 ? parseGreetingList(r.body) : undefined;
  if (!list) throw new ProbeError('kube', M.replicas.unreadable(pod, r.status, excerpt(r.body, 80)), { pod, status: r.status });
  return list;
}

async function apiReplicas(ctx: CheckContext): Promise<Verdict> {
  const w = ctx.profile.expect.api;
  const snap = await snapshotFor(ctx, ['deployments', 'pods']);
  const d = byName(snap.deployments, w.deployment);
  if (!d) return fail(W.missing('Deployment', w.deployment, snap.namespace), W.missingHint(fileOf(w)), {}, true);
  const desired = replicaStatus(d).desired;
  if (desired <= 1) return pass(M.replicas.single(w.deployment), { deployment: w.deployment, replicas: desired });
  const shared = !!envValue(mainContainer(d, w.deployment), DATASOURCE);
  const pods = runningPodsOf(d, snap);
  if (pods.length === 0) return fail(M.replicas.noPods(w.deployment), W.unavailableHint, { deployment: w.deployment, replicas: desired });
  const lists: Record<string, Greeting[]> = {};
  // Every pod's list at once: one round trip through the API server, not one per replica.
  const read = await Promise.all(pods.map((p) => readList(ctx, snap.namespace, p.metadata!.name!)));
  pods.forEach((p, i) => (lists[p.metadata!.name!] = read[i]));
  const same = new Set(Object.values(lists).map(listKey)).size === 1;
  const evidence = { deployment: w.deployment, replicas: desired, [DATASOURCE]: shared ? 'set' : 'not set', lists: Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.map((g) => g.content).slice(0, 10)])) };
  if (shared && same) return pass(M.replicas.shared(w.deployment, desired, Object.values(lists)[0].length), evidence);
  const view = same ? '' : sideBySide(lists);
  return fail(shared ? M.replicas.diverged(w.deployment, desired, view) : M.replicas.inMemory(w.deployment, desired, view), M.replicas.hint, evidence, true);
}

// ---------------------------------------------------------------- Self-healing (disruptive)

const POLL_MS = 500;
/** Without --wait, how long a replacement may take (the engine bounds the check attempt anyway). */
const DEFAULT_HEAL_MS = 30_000;

async function selfHeal(ctx: CheckContext): Promise<Verdict> {
  const w = ctx.profile.expect.api;
  const kube = ctx.probes.kube!;
  if (!hasPodLister(kube)) return error(M.selfheal.noPoller);
  const snap = await snapshotFor(ctx, ['deployments', 'pods']);
  const d = byName(snap.deployments, w.deployment);
  if (!d) return fail(W.missing('Deployment', w.deployment, snap.namespace), W.missingHint(fileOf(w)), {}, true);
  const before = runningPodsOf(d, snap);
  if (before.length === 0) return fail(M.selfheal.noPods(w.deployment), W.unavailableHint, { deployment: w.deployment });
  const victim = before[0].metadata!.name!;
  const known = new Set(podsOf(d, snap).map((p) => p.metadata?.name));
  const selector = Object.entries(d.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const budget = ctx.options.waitMs > 0 ? ctx.options.waitMs : DEFAULT_HEAL_MS;
  const t0 = Date.now();
  await kube.deletePod(snap.namespace, victim);
  // Waiting happens here, not in the engine's polling: a second attempt would delete another pod.
  for (let poll = 1; Date.now() - t0 < budget && !ctx.signal.aborted; poll++) {
    await sleep(POLL_MS, ctx.signal);
    const pods = await kube.listPods(snap.namespace, selector, poll);
    const fresh = pods.find((p) => !known.has(p.metadata?.name) && summarizePod(p).ready && isRunning(summarizePod(p)));
    if (!fresh) continue;
    const name = fresh.metadata!.name!;
    const seconds = Math.max(1, Math.round((Date.now() - t0) / 1000));
    const list = await readList(ctx, snap.namespace, name);
    const evidence = { deleted: victim, replacement: name, readyAfter: formatMs(Date.now() - t0), listed: list.length };
    if (list.length === 0) return pass(M.selfheal.lost(victim, name, seconds), evidence);
    if (envValue(mainContainer(d, w.deployment), DATASOURCE)) return pass(M.selfheal.kept(victim, name, seconds, list.length), evidence);
    return fail(M.selfheal.notEmpty(name, list.length), M.selfheal.notEmptyHint, evidence, true);
  }
  return fail(M.selfheal.timeout(victim, Math.round(budget / 1000)), M.selfheal.timeoutHint, { deleted: victim, waited: formatMs(budget) }, true);
}

export const ex6Checks: CheckDef[] = [
  { id: 'ex6.myapp.deployment', exercise: 6, title: 'Deployment myapp runs 3 replicas of your image', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: (ctx) => gradeDeployment(ctx, ctx.profile.expect.app, true) },
  { id: 'ex6.myapi.deployment', exercise: 6, title: 'Deployment myapi runs your image', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: (ctx) => gradeDeployment(ctx, ctx.profile.expect.api, false) },
  { id: 'ex6.myapi.service', exercise: 6, title: 'Service myapi (ClusterIP 8080) has endpoints', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: (ctx) => gradeService(ctx, ctx.profile.expect.api, false) },
  { id: 'ex6.myapp.service', exercise: 6, title: 'Service myapp (LoadBalancer 80) has an external IP', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: (ctx) => gradeService(ctx, ctx.profile.expect.app, true) },
  { id: 'ex6.app.e2e', exercise: 6, title: 'The app works through the external IP', needs: ['kube', 'http'], dependsOn: ['ex6.myapp.service'], run: appE2e },
  { id: 'ex6.image.provenance', exercise: 6, title: 'The pods run the images you pushed', needs: ['kube', 'registry'], dependsOn: ['ex5.kube.reachable', 'ex4.registry.exists'], run: provenance },
  { id: 'ex6.api.replicas', exercise: 6, title: 'The greetings state is consistent', needs: ['kube'], dependsOn: ['ex6.myapi.deployment'], after: ['ex6.app.e2e'], run: apiReplicas },
  { id: 'ex6.selfheal', exercise: 6, title: 'A deleted myapi pod is replaced (and loses its list)', needs: ['kube'], dependsOn: ['ex6.myapi.deployment'], after: ['ex6.api.replicas'], disruptive: true, run: selfHeal },
];
