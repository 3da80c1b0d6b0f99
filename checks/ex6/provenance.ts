/** Exercise 6: the app's and the API's pods (myapp, myapi) run the image digests the student pushed to their own registry. */
import type { V1Pod } from '@kubernetes/client-node';
import { defineCheck, fail, pass, reasons } from '../../core/check.js';
import { snapshotFor, studentRegistry } from '../kube/context.js';
import { byName } from '../kube/deployments.js';
import { parseImageRef } from '../../core/image-ref.js';
import { shortDigest } from '../kube/images.js';
import { isRunning, summarizePod } from '../kube/pods.js';
import { excerpt } from '../text.js';
import { fileOf, runningPodsOf } from './workload.js';

const R = reasons({
  noRegistry: ['LG-661', 'no registry of the student is known', 'absent'],
  notPushed: ['LG-662', "the registry has no image of the lab's tag to compare with"],
  noPods: ['LG-663', 'no running pod to compare'],
  mismatch: ['LG-664', 'the pods run images the student did not push'],
});

/** Each workload's checks, by the workload, whatever the profile names its image. */
const pushedCheck = { app: 'ex4.image.myapp', api: 'ex4.image.myapi' } as const;
const deploymentCheck = { app: 'ex6.myapp.deployment', api: 'ex6.myapi.deployment' } as const;
const WORKLOADS = ['app', 'api'] as const;

/** A pod running a manifest of the student's own repository other than the lab tag's current one. */
interface OtherPush {
  pod: string;
  repository: string;
  digest: string;
  /** the tag (or digest) the pod's image names */
  pulledAs: string | undefined;
  /** the pod names the lab's tag: it pulled that tag before the student pushed it again */
  olderPushOfLabTag: boolean;
}

const describeOtherPush = (o: OtherPush, tag: string, now: string): string =>
  o.olderPushOfLabTag
    ? `${o.pod} runs ${shortDigest(o.digest)}, an older push of your ${o.repository}:${tag} (now ${shortDigest(now)})`
    : `${o.pod} runs ${shortDigest(o.digest)}, another push to your ${o.repository} repository${o.pulledAs ? ` (pulled as ${excerpt(o.pulledAs, 80)})` : ''}, not your ${o.repository}:${tag} (${shortDigest(now)})`;

const notPushedHint = (tag: string) => `Exercise 4 steps 3–5: build and push both images with TAG=${tag} to your registry.`;

export const imageProvenance = defineCheck({
  id: 'ex6.image.provenance',
  exercise: 6,
  passes:
    "the pods' image digests are manifests of the student's own repositories: the current `v1.0`, an older push of it, or another push to the same repository; with no `v1.0` to compare, blocked by `ex4.image.myapp` or blocked by `ex4.image.myapi`, with no running pod, blocked by `ex6.myapp.deployment` or blocked by `ex6.myapi.deployment`",
  title: () => 'The pods run the images you pushed',
  points: { points: 1 },
  needs: ['kube', 'registry'],
  dependsOn: ['ex5.kube.reachable', 'ex4.registry.exists'],
  after: ['ex4.image.myapp', 'ex4.image.myapi', 'ex6.myapp.deployment', 'ex6.myapi.deployment'],
  uses: ['registry'],
  reasons: R,
  async run(ctx) {
    const e = ctx.profile.expect;
    const snap = await snapshotFor(ctx.probes.kube, ['deployments', 'pods']);
    const reg = studentRegistry(ctx, snap);
    if (!reg.loginServer) {
      return fail(R.noRegistry, 'cannot tell which registry is yours: Exercise 4 found none and no pod uses an image from an Azure registry', notPushedHint(e.tag), {
        evidence: { registrySource: reg.source },
      });
    }
    const loginServer = reg.loginServer;
    const mismatches: string[] = [];
    const otherPushes: OtherPush[] = [];
    const otherPushLines: string[] = [];
    const digests: Record<string, string> = {};
    let compared = 0;
    const registry = ctx.probes.registry;
    // Both digests asked at once (one round trip, not two); read in order, so the first missing one is reported.
    const wanted = WORKLOADS.map((k) => registry.manifestDigest(loginServer, e[k].image, e.tag));
    wanted.forEach((p) => p.catch(() => undefined));
    for (const [i, k] of WORKLOADS.entries()) {
      const w = e[k];
      const want = await wanted[i];
      if (!want) {
        return fail(R.notPushed, `${loginServer} has no ${w.image}:${e.tag} to compare with`, notPushedHint(e.tag), {
          evidence: { registry: loginServer, repository: w.image, tag: e.tag },
          outcome: 'needs-fix',
          causedBy: pushedCheck[k],
        });
      }
      digests[`${w.image}:${e.tag}`] = want;
      const d = byName(snap.deployments, w.deployment);
      const ofRepo = (p: V1Pod) => summarizePod(p).containers.find((x) => parseImageRef(x.image)?.repository === w.image);
      const pods = d ? runningPodsOf(d, snap) : snap.pods.filter((p) => isRunning(summarizePod(p)) && ofRepo(p));
      if (pods.length === 0) {
        return fail(
          R.noPods,
          `no running pod of Deployment ${w.deployment} to compare`,
          `Exercise 6 steps 8–10: the ${e.app.deployment} and ${e.api.deployment} pods must be Running (\`kubectl get pods\`); re-run once they are.`,
          { evidence: { registry: loginServer, deployment: w.deployment }, causedBy: deploymentCheck[k] },
        );
      }
      for (const p of pods) {
        const c = ofRepo(p);
        compared++;
        if (!c) {
          mismatches.push(`${p.metadata?.name ?? ''} runs ${excerpt(summarizePod(p).containers[0]?.image ?? '')}, no ${w.image} image at all`);
          continue;
        }
        if (c.digest === want) continue;
        // Still the student's own image: `v1.0` pushed again after the pods pulled it, or a push under another tag.
        const own = c.digest && (await registry.manifestDigest(loginServer, w.image, c.digest));
        if (own) {
          const ref = parseImageRef(c.image);
          const pulledAs = ref?.tag ?? ref?.digest;
          const other: OtherPush = { pod: p.metadata?.name ?? '', repository: w.image, digest: own, pulledAs, olderPushOfLabTag: pulledAs === e.tag };
          otherPushes.push(other);
          otherPushLines.push(describeOtherPush(other, e.tag, want));
        } else mismatches.push(`${p.metadata?.name} runs ${excerpt(c.image)} @ ${shortDigest(c.digest)}, your ${w.image}:${e.tag} is ${shortDigest(want)}`);
      }
    }
    if (mismatches.length) {
      return fail(
        R.mismatch,
        `pods run other images than your registry's: ${mismatches.slice(0, 3).join('; ')}`,
        `Exercise 4 steps 3–5 and Exercise 6 steps 4–8: build and push your own images (docker-compose build, TAG=${e.tag} docker-compose push) and use your registry in ${fileOf(e.app)} and ${fileOf(e.api)}.`,
        { evidence: { registry: loginServer, digests, mismatches }, outcome: 'needs-fix' },
      );
    }
    if (otherPushes.length) {
      return pass(
        `the ${compared} ${e.app.deployment} and ${e.api.deployment} pod(s) run images of your registry; ${otherPushes.length} run a push of yours other than the current ${e.tag}: ${otherPushLines.slice(0, 2).join('; ')}`,
        {
          registry: loginServer,
          digests,
          pods: compared,
          otherPushes,
        },
      );
    }
    return pass(`the ${compared} ${e.app.deployment} and ${e.api.deployment} pod(s) run exactly the digests of ${e.app.image}:${e.tag} and ${e.api.image}:${e.tag} in your registry`, {
      registry: loginServer,
      digests,
      pods: compared,
    });
  },
});
