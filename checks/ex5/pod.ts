/** Exercise 5: a pod running the student's app image (myapp:v1.0 in the lab) reached Running (the pod itself, or the Deployment's after the clean-up). */
import type { V1Pod } from '@kubernetes/client-node';
import { defineCheck, fail, pass, reasons, type CheckContext, type Reason, type Verdict } from '../../core/check.js';
import type { KubeSnapshot } from '../../probes/types.js';
import { grantTarget, isStudentImage, pullGrantsQuietly, shortScope, snapshotFor, studentRegistry, type StudentRegistry } from '../kube/context.js';
import { byName } from '../kube/deployments.js';
import { expectedImage, wantedImage } from '../kube/images.js';
import { isRunning, podStatusText, podsOfDeployment, summarizePod } from '../kube/pods.js';
import { diagnosePull, grantHint, podImage, PULL_CAUSES, type ImageSource, type PullCause, type PullDiagnosis } from '../kube/pull.js';
import { excerpt } from '../text.js';

const R = reasons({
  unauthorized: ['LG-521', 'the pod may not pull from the registry (unauthorized)'],
  manifestUnknown: ['LG-522', 'the pod pulls a tag the registry does not have'],
  noSuchHost: ['LG-523', 'the pod pulls from a registry that does not exist'],
  invalidName: ['LG-524', "the pod's image name is not valid"],
  pullOther: ['LG-525', 'the pod cannot pull its image'],
  notRunning: ['LG-526', 'the pod is not Running yet'],
  noRegistry: ['LG-527', 'no registry of the student is known', 'absent'],
  wrongImage: ['LG-528', 'the pod runs another image'],
  none: ['LG-529', (e) => `no ${e.podName} pod exists`, 'absent'],
});

const CAUSE_REASON: Record<PullCause, Reason> = {
  unauthorized: R.unauthorized,
  'manifest-unknown': R.manifestUnknown,
  'no-such-host': R.noSuchHost,
  'invalid-name': R.invalidName,
  other: R.pullOther,
};

const noneHint = (at: ImageSource, wanted: string) => `${at.step}: put your registry name into ${at.file} (image ${wanted}) and run \`kubectl apply -f ${at.file}\`.`;

/** The lab's pod (`myapp`) and the pods of the app's Deployment (`myapp`) (the lab deletes the first at the end of Exercise 5). */
function appPods(ctx: CheckContext, snap: KubeSnapshot): V1Pod[] {
  const e = ctx.profile.expect;
  const own = snap.pods.filter((p) => p.metadata?.name === e.podName);
  const d = byName(snap.deployments, e.app.deployment);
  return [...own, ...(d ? podsOfDeployment(d, snap.pods, snap.replicaSets) : [])];
}

/** A pull failure explained: the kubelet's words, what they mean, and (for auth) what Azure says. */
async function pullFailure(ctx: CheckContext, d: PullDiagnosis, reg: StudentRegistry, prefix = ''): Promise<Verdict> {
  const stuck = `pod ${d.pod} is stuck in ${d.reason}${d.message ? ` (${d.message})` : ''}${d.event ? `; event: ${d.event}` : ''}`;
  const parts = [prefix + stuck, PULL_CAUSES[d.cause].meaning].filter(Boolean);
  const evidence: Record<string, unknown> = { pod: d.pod, image: d.image, reason: d.reason, ...(d.message ? { message: d.message } : {}), ...(d.event ? { event: d.event } : {}), cause: d.cause };
  // A refused pull waits on a grant (or on one that has not applied yet); any other cause needs a fix.
  const outcome = d.cause === 'unauthorized' ? 'not-ready' : 'needs-fix';
  const e = ctx.profile.expect;
  const at = podImage(e);
  let hint: string;
  if (d.cause !== 'unauthorized') hint = PULL_CAUSES[d.cause].hint(wantedImage(e, reg.loginServer, e.app.image), at);
  else {
    const cross = await pullGrantsQuietly(ctx, reg);
    if (cross && 'grants' in cross) {
      const g = cross.grants[0];
      parts.push(
        g
          ? `Azure shows ${g.roleName} on ${shortScope(g.scope)} for the cluster's identity; a new assignment can take a few minutes to apply: wait and re-run`
          : `Azure confirms: no role assignment lets the cluster's identity pull from ${reg.loginServer ?? d.image}`,
      );
      evidence.roleAssignment = g ? `${g.roleName} on ${g.scope}` : 'none';
      hint = grantHint(grantTarget(ctx, reg, cross), at);
    } else hint = grantHint(grantTarget(ctx, reg), at);
  }
  // Refused by the registry: the missing pull right is ex5.pull.authorized's to report, once.
  return fail(CAUSE_REASON[d.cause], parts.join('; '), hint, { evidence, outcome, found: d.reason, ...(d.cause === 'unauthorized' ? { causedBy: 'ex5.pull.authorized' } : {}) });
}

export const podRunning = defineCheck({
  id: 'ex5.pod.running',
  exercise: 5,
  passes:
    "a `myapp:v1.0` pod from the student's registry reached Running (pod `myapp` or the Deployment's); a pull refused as `unauthorized` is blocked by `ex5.pull.authorized` when that did not pass",
  title: (p) => `A ${p.expect.app.image}:${p.expect.tag} pod reached Running`,
  points: { points: 2 },
  needs: ['kube'],
  dependsOn: ['ex5.kube.reachable'],
  after: ['ex5.pull.authorized'],
  uses: ['registry', 'cluster'],
  reasons: R,
  async run(ctx) {
    const e = ctx.profile.expect;
    const snap = await snapshotFor(ctx.probes.kube, ['pods', 'deployments', 'events']);
    const reg = studentRegistry(ctx, snap);
    const candidates = appPods(ctx, snap);
    const wanted = expectedImage(e, reg.loginServer, e.app.image);
    const hasWanted = (p: V1Pod) => (p.spec?.containers ?? []).some((c) => isStudentImage(c.image, reg, e, e.app.image));
    // Any pod running the image counts, whatever made it (a renamed pod, a Helm release).
    const withImage = [...new Set([...candidates, ...snap.pods.filter(hasWanted)])].filter(hasWanted);
    const evidence = { image: wanted, registrySource: reg.source };

    const running = withImage.find((p) => isRunning(summarizePod(p)));
    if (running) return pass(`pod ${running.metadata!.name!} runs ${wanted}`, { ...evidence, pod: running.metadata?.name, phase: 'Running' });

    const stuck = withImage.map((p) => diagnosePull(p, snap.events)).find(Boolean);
    if (stuck) return pullFailure(ctx, stuck, reg);
    if (withImage.length) {
      const s = summarizePod(withImage[0]);
      return fail(
        R.notRunning,
        `pod ${s.name} is ${podStatusText(s)}, not Running yet`,
        `Exercise 5 step 18: run \`kubectl get pod ${s.name}\` a few times until it shows Running; \`kubectl describe pod ${s.name}\` shows why it waits.`,
        { evidence: { ...evidence, pod: s.name, status: podStatusText(s) }, found: podStatusText(s), expected: 'Running' },
      );
    }
    if (!reg.loginServer && candidates.length === 0) {
      return fail(R.noRegistry, 'cannot tell which registry is yours: Exercise 4 found none and no pod uses an image from an Azure registry', noneHint(podImage(e), wanted), {
        evidence,
        outcome: 'needs-fix',
      });
    }
    const other = candidates[0];
    if (other) {
      const s = summarizePod(other);
      const image = excerpt(s.containers[0]?.image ?? '');
      const wrong = `pod ${s.name} runs ${image || 'no image'}, not ${wanted}`;
      const diag = diagnosePull(other, snap.events);
      if (diag) return pullFailure(ctx, diag, reg, wrong + '; ');
      return fail(R.wrongImage, wrong, `Exercise 5 step 6: the image must be ${wanted}, the image you pushed in Exercise 4.`, {
        evidence: { ...evidence, pod: s.name, found: image },
        outcome: 'needs-fix',
        found: image,
        expected: wanted,
      });
    }
    return fail(R.none, `no pod runs ${wanted}: neither pod ${e.podName} nor the pods of Deployment ${e.app.deployment} exist`, noneHint(podImage(e), wanted), {
      evidence,
      outcome: 'needs-fix',
      expected: wanted,
    });
  },
});
