/**
 * Exercise 6 (the lab's note on replicas): the greetings state is consistent: one myapi replica, or
 * several that share a database and list the same greetings (read through the API server's pod proxy).
 */
import { defineCheck, fail, pass, reasons, type CheckContext } from '../../core/check.js';
import { ProbeError } from '../../probes/types.js';
import { snapshotFor } from '../kube/context.js';
import { byName, mainContainer, replicaStatus } from '../kube/deployments.js';
import { listKey, parseGreetingList, sideBySide, type Greeting } from '../kube/greetings.js';
import { envValue } from '../kube/pods.js';
import { bodyExcerpt } from '../text.js';
import { missingHint, missingMessage, replicaNote, runningPodsOf, unavailableHint } from './workload.js';

/** myapi shares one database between replicas when this is set (docker-compose.db.yaml, the Helm chart). */
export const DATASOURCE = 'SPRING_DATASOURCE_URL';

/** One myapi pod's own list, through the API server's pod proxy; unreadable is the grader's `error`. */
export async function readList(ctx: CheckContext<'kube'>, namespace: string, pod: string): Promise<Greeting[]> {
  const api = ctx.profile.expect.api;
  const r = await ctx.probes.kube.podProxyGet(namespace, pod, api.containerPort, api.greetingsPath ?? '/api/greetings');
  const list = r.status === 200 ? parseGreetingList(r.body) : undefined;
  if (!list) throw new ProbeError('kube', `cannot read pod ${pod}'s list through the API server's proxy: ${r.status} ${bodyExcerpt(r.body, 80)}`, { pod, status: r.status });
  return list;
}

const R = reasons({
  missing: ['LG-671', (e) => `Deployment ${e.api.deployment} not found`, 'absent'],
  noPods: ['LG-672', (e) => `no running ${e.api.deployment} pod to compare`],
  inMemory: ['LG-673', (e) => `several ${e.api.deployment} replicas keep their own in-memory lists`],
  diverged: ['LG-674', (e) => `${e.api.deployment} replicas with a shared database list different greetings`],
});

export const apiReplicas = defineCheck({
  id: 'ex6.api.replicas',
  exercise: 6,
  passes: 'the greetings state is consistent (1 replica, or a shared database and equal lists)',
  title: () => 'The greetings state is consistent',
  points: { points: 1 },
  needs: ['kube'],
  dependsOn: ['ex6.myapi.deployment'],
  after: ['ex6.app.e2e'],
  reasons: R,
  async run(ctx) {
    const w = ctx.profile.expect.api;
    const snap = await snapshotFor(ctx.probes.kube, ['deployments', 'pods']);
    const d = byName(snap.deployments, w.deployment);
    if (!d) return fail(R.missing, missingMessage('Deployment', w.deployment, snap.namespace), missingHint(ctx.profile.expect, w), { outcome: 'needs-fix' });
    const desired = replicaStatus(d).desired;
    if (desired <= 1) return pass(`Deployment ${w.deployment} runs 1 replica: one in-memory list, as the lab intends`, { deployment: w.deployment, replicas: desired });
    const shared = !!envValue(mainContainer(d, w.deployment), DATASOURCE);
    const pods = runningPodsOf(d, snap);
    if (pods.length === 0) {
      return fail(R.noPods, `Deployment ${w.deployment} runs more than one replica but no pod of it is running to compare`, unavailableHint, {
        evidence: { deployment: w.deployment, replicas: desired },
      });
    }
    const lists: Record<string, Greeting[]> = {};
    // Every pod's list at once: one round trip through the API server, not one per replica.
    const read = await Promise.all(pods.map((p) => readList(ctx, snap.namespace, p.metadata!.name!)));
    pods.forEach((p, i) => (lists[p.metadata!.name!] = read[i]));
    const same = new Set(Object.values(lists).map(listKey)).size === 1;
    const evidence = {
      deployment: w.deployment,
      replicas: desired,
      [DATASOURCE]: shared ? 'set' : 'not set',
      lists: Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.map((g) => g.content).slice(0, 10)])),
    };
    if (shared && same) {
      return pass(`Deployment ${w.deployment} runs ${desired} replicas with a shared database (${DATASOURCE}), and every pod lists the same ${Object.values(lists)[0].length} greeting(s)`, evidence);
    }
    const view = same ? '' : sideBySide(lists);
    if (shared)
      return fail(R.diverged, `Deployment ${w.deployment} runs ${desired} replicas with ${DATASOURCE} set, yet their lists differ: ${view}`, replicaNote(w), { evidence, outcome: 'needs-fix' });
    return fail(
      R.inMemory,
      `Deployment ${w.deployment} runs ${desired} replicas, each keeping its own in-memory list${view ? `; their lists differ: ${view}` : ' (the lists will diverge as soon as greetings are added)'}`,
      replicaNote(w),
      { evidence, outcome: 'needs-fix', found: `${desired} replicas`, expected: `1 replica, or a shared database (${DATASOURCE})` },
    );
  },
});
