/** Exercise 6: Deployments myapp and myapi run the student's own images with the lab's settings. */
import { defineCheck, fail, pass, reasons, type Reason } from '../../core/check.js';
import { grantTarget, isStudentImage, snapshotFor, studentRegistry } from '../kube/context.js';
import { allAvailable, byName, mainContainer, replicaStatus } from '../kube/deployments.js';
import { parseImageRef } from '../../core/image-ref.js';
import { expectedImage, wantedImage } from '../kube/images.js';
import { envValue } from '../kube/pods.js';
import { deploymentImage, diagnosePull, grantHint, PULL_CAUSES } from '../kube/pull.js';
import { excerpt } from '../text.js';
import { fileOf, missingHint, missingMessage, podsLine, podsOf, unavailableHint } from './workload.js';

/** The Exercise 4 check of each workload's image. */
const pushedCheck = { app: 'ex4.image.myapp', api: 'ex4.image.myapi' } as const;

interface DeploymentReasons {
  missing: Reason;
  wrongImage: Reason;
  wrongEnv: Reason;
  replicaCount: Reason;
  unavailable: Reason;
}

/**
 * A Deployment check for the app or the API. `exactReplicas`: the replica count is part of the lab's
 * spec (myapp's 3); myapi's may change (the lab discusses scaling it).
 */
function deploymentCheck(id: string, workload: 'app' | 'api', exactReplicas: boolean, passes: string, R: DeploymentReasons) {
  return defineCheck({
    id,
    exercise: 6,
    passes,
    title: (p) => {
      const w = p.expect[workload];
      return exactReplicas ? `Deployment ${w.deployment} runs ${w.replicas} replicas of your image` : `Deployment ${w.deployment} runs your image`;
    },
    points: { points: 2 },
    needs: ['kube'],
    dependsOn: ['ex5.kube.reachable'],
    // A pod that may not pull, or pulls an image never pushed, follows from those checks' failures.
    after: ['ex5.pull.authorized', pushedCheck[workload]],
    uses: ['registry', 'cluster'],
    reasons: { ...R },
    async run(ctx) {
      const e = ctx.profile.expect;
      const w = e[workload];
      const file = fileOf(w);
      const snap = await snapshotFor(ctx.probes.kube, ['deployments', 'pods']);
      const d = byName(snap.deployments, w.deployment);
      if (!d) return fail(R.missing, missingMessage('Deployment', w.deployment, snap.namespace), missingHint(e, w), { evidence: { namespace: snap.namespace }, outcome: 'needs-fix' });
      const written = mainContainer(d, w.deployment)?.image ?? '';
      const reg = studentRegistry(ctx, snap);
      const ref = parseImageRef(written);
      const ok = isStudentImage(written, reg, e, w.image);
      const image = excerpt(written);
      const expected = expectedImage(e, reg.loginServer, w.image);
      if (!ok) {
        const note = ref?.host === e.helm.brokenDefaultRegistry ? ` (${ref.host} is the Helm chart's deliberately broken default registry)` : '';
        return fail(
          R.wrongImage,
          `Deployment ${w.deployment} runs ${image || 'no image'}, not your ${expected}${note}`,
          `Exercise 6 steps 4–8: change the image at the bottom of ${file} to ${expected} (the image you pushed in Exercise 4) and \`kubectl apply -f ${file}\` again.`,
          { evidence: { deployment: w.deployment, image, expected, registrySource: reg.source }, outcome: 'needs-fix', found: image || 'none', expected },
        );
      }
      const container = mainContainer(d, w.deployment);
      for (const [key, value] of Object.entries(w.env)) {
        const set = envValue(container, key);
        if (set !== value) {
          const found = set === undefined ? undefined : excerpt(set);
          return fail(
            R.wrongEnv,
            `Deployment ${w.deployment}: env ${key} is ${found === undefined ? 'not set' : `"${found}"`}, the lab sets ${value}`,
            `Exercise 6 step 5: leave ${key} as '${value}' in the last lines of ${file} and apply it again (step 8).`,
            { evidence: { deployment: w.deployment, [key]: found ?? null }, outcome: 'needs-fix', found: found ?? 'not set', expected: value },
          );
        }
      }
      const st = replicaStatus(d);
      if (exactReplicas && st.desired !== w.replicas) {
        return fail(
          R.replicaCount,
          `Deployment ${w.deployment} asks for ${st.desired} replica(s); the lab's ${w.deployment}.yaml asks for ${w.replicas}`,
          `Exercise 6 step 8: keep \`replicas: ${w.replicas}\` in ${file} and apply it again.`,
          { evidence: { deployment: w.deployment, replicas: st.desired }, outcome: 'needs-fix', found: String(st.desired), expected: String(w.replicas) },
        );
      }
      const evidence = { deployment: w.deployment, image, replicas: `${st.available}/${st.desired}` };
      if (!allAvailable(st)) {
        const pods = podsOf(d, snap);
        const stuck = pods.map((p) => diagnosePull(p, snap.events)).find(Boolean);
        const why = stuck ? `; ${PULL_CAUSES[stuck.cause].meaning || [stuck.reason, stuck.event ?? stuck.message].filter(Boolean).join(': ')}` : '';
        const at = deploymentImage(w.deployment, file);
        const hint =
          stuck?.cause === 'unauthorized'
            ? grantHint(grantTarget(ctx, reg), at)
            : stuck && stuck.cause !== 'other'
              ? PULL_CAUSES[stuck.cause].hint(wantedImage(ctx.profile.expect, reg.loginServer, w.image), at)
              : unavailableHint;
        const causedBy = stuck?.cause === 'unauthorized' ? 'ex5.pull.authorized' : stuck?.cause === 'manifest-unknown' ? pushedCheck[workload] : undefined;
        const listed = podsLine(pods);
        return fail(R.unavailable, `Deployment ${w.deployment}: ${st.available} of ${st.desired} replica(s) available${listed ? ` (pods: ${listed})` : ''}${why}`, hint, {
          evidence: { ...evidence, ...(stuck ? { pod: stuck.pod, reason: stuck.reason, event: stuck.event } : {}) },
          found: `${st.available}/${st.desired} available`,
          expected: `${st.desired}/${st.desired} available`,
          ...(causedBy ? { causedBy } : {}),
        });
      }
      return pass(`Deployment ${w.deployment} runs ${image} with ${st.available}/${st.desired} replica(s) available`, evidence);
    },
  });
}

export const myappDeployment = deploymentCheck(
  'ex6.myapp.deployment',
  'app',
  true,
  'Deployment myapp: own image, `API_BASE_URL=http://myapi:8080`, 3 replicas available; replicas that cannot pull are blocked by `ex5.pull.authorized` (`unauthorized`) or blocked by `ex4.image.myapp` (no such tag) when that did not pass',
  reasons({
    missing: ['LG-601', (e) => `Deployment ${e.app.deployment} not found`, 'absent'],
    wrongImage: ['LG-602', (e) => `Deployment ${e.app.deployment} does not run the student's image`],
    wrongEnv: [
      'LG-603',
      (e) =>
        `Deployment ${e.app.deployment} lacks ${Object.entries(e.app.env)
          .map(([key, value]) => `${key}=${value}`)
          .join(', ')}`,
    ],
    replicaCount: ['LG-604', (e) => `Deployment ${e.app.deployment} does not ask for the lab's replicas`],
    unavailable: ['LG-605', (e) => `Deployment ${e.app.deployment} has replicas unavailable`],
  }),
);

export const myapiDeployment = deploymentCheck(
  'ex6.myapi.deployment',
  'api',
  false,
  'Deployment myapi: own image, replicas available; replicas that cannot pull are blocked by `ex5.pull.authorized` (`unauthorized`) or blocked by `ex4.image.myapi` (no such tag) when that did not pass',
  reasons({
    missing: ['LG-611', (e) => `Deployment ${e.api.deployment} not found`, 'absent'],
    wrongImage: ['LG-612', (e) => `Deployment ${e.api.deployment} does not run the student's image`],
    wrongEnv: ['LG-613', (e) => `Deployment ${e.api.deployment} lacks an env value of the lab`],
    replicaCount: ['LG-614', (e) => `Deployment ${e.api.deployment} does not ask for the lab's replicas`],
    unavailable: ['LG-615', (e) => `Deployment ${e.api.deployment} has replicas unavailable`],
  }),
);
