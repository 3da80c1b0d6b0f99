/** Exercise 6 (bonus, disruptive): a deleted pod of the API (myapi) is replaced by its Deployment, and its in-memory list starts empty. */
import { defineCheck, fail, pass, reasons } from '../../core/check.js';
import { formatMs, sleep } from '../../core/timeout.js';
import { snapshotFor } from '../kube/context.js';
import { byName, mainContainer } from '../kube/deployments.js';
import { envValue, isRunning, summarizePod } from '../kube/pods.js';
import { DATASOURCE, readList } from './replicas.js';
import { missingHint, missingMessage, podsOf, runningPodsOf, unavailableHint } from './workload.js';

const POLL_MS = 500;
/** Without --wait, how long a replacement may take (the engine bounds the check attempt anyway). */
const DEFAULT_HEAL_MS = 30_000;

const R = reasons({
  missing: ['LG-681', (e) => `Deployment ${e.api.deployment} not found`, 'absent'],
  noPods: ['LG-682', (e) => `no running ${e.api.deployment} pod to delete`],
  notEmpty: ['LG-683', 'the replacement pod does not start empty'],
  timeout: ['LG-684', 'no replacement pod became Ready in time'],
});

export const selfHeal = defineCheck({
  id: 'ex6.selfheal',
  exercise: 6,
  passes: 'only with `--allow-disruptive`: the deleted myapi pod is replaced with an empty list',
  title: (p) => `A deleted ${p.expect.api.deployment} pod is replaced (and loses its list)`,
  points: { bonus: 1 },
  needs: ['kube'],
  dependsOn: ['ex6.myapi.deployment'],
  after: ['ex6.api.replicas'],
  disruptive: true,
  reasons: R,
  async run(ctx) {
    const w = ctx.profile.expect.api;
    const kube = ctx.probes.kube;
    const snap = await snapshotFor(kube, ['deployments', 'pods']);
    const d = byName(snap.deployments, w.deployment);
    if (!d) return fail(R.missing, missingMessage('Deployment', w.deployment, snap.namespace), missingHint(ctx.profile.expect, w), { outcome: 'needs-fix' });
    const before = runningPodsOf(d, snap);
    if (before.length === 0) return fail(R.noPods, `no running pod of Deployment ${w.deployment} to delete`, unavailableHint, { evidence: { deployment: w.deployment } });
    const victim = before[0].metadata!.name!;
    const known = new Set(podsOf(d, snap).map((p) => p.metadata?.name));
    const selector = Object.entries(d.spec?.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const budget = ctx.options.waitMs > 0 ? ctx.options.waitMs : DEFAULT_HEAL_MS;
    const t0 = Date.now();
    await kube.deletePod(snap.namespace, victim);
    // Waiting happens here, not in the engine's polling: a second attempt would delete another pod.
    while (Date.now() - t0 < budget && !ctx.signal.aborted) {
      await sleep(POLL_MS, ctx.signal);
      const pods = await kube.listPods(snap.namespace, selector);
      const fresh = pods.find((p) => !known.has(p.metadata?.name) && summarizePod(p).ready && isRunning(summarizePod(p)));
      if (!fresh) continue;
      const name = fresh.metadata!.name!;
      const seconds = Math.max(1, Math.round((Date.now() - t0) / 1000));
      const list = await readList(ctx, snap.namespace, name);
      const evidence = { deleted: victim, replacement: name, readyAfter: formatMs(Date.now() - t0), listed: list.length };
      if (list.length === 0) return pass(`deleted pod ${victim}; the Deployment started ${name}, Ready within ${seconds} s, and its list is empty: the state was lost, as the lab shows`, evidence);
      if (envValue(mainContainer(d, w.deployment), DATASOURCE)) {
        return pass(`deleted pod ${victim}; the Deployment started ${name}, Ready within ${seconds} s, which still lists ${list.length} greeting(s) from the shared database`, evidence);
      }
      return fail(
        R.notEmpty,
        `the replacement pod ${name} lists ${list.length} greeting(s) right after starting, though ${w.deployment} keeps them in memory`,
        `Exercise 6 steps 17–20: a new ${w.deployment} pod starts with an empty list unless ${w.deployment} uses a database; check the ${w.deployment} image and env.`,
        { evidence, outcome: 'needs-fix' },
      );
    }
    return fail(
      R.timeout,
      `deleted pod ${victim}, but no replacement was Running and Ready within ${Math.round(budget / 1000)} s`,
      `Exercise 6 step 18: \`kubectl get pod --selector ${selector}\` shows whether the Deployment starts a new pod; \`kubectl describe deployment ${w.deployment}\` shows why not.`,
      { evidence: { deleted: victim, waited: formatMs(budget) }, outcome: 'needs-fix' },
    );
  },
});
