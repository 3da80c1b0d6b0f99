/** Exercise 5: the cluster may pull from the student's registry (a role assignment, or running pods prove it). */
import { defineCheck, fail, pass, reasons, skip } from '../../core/check.js';
import { pullGrants, shortScope, snapshotFor, studentRegistry } from '../kube/context.js';
import { parseImageRef } from '../kube/images.js';
import { isRunning, summarizePod } from '../kube/pods.js';
import { diagnosePull, GRANT_STEP } from '../kube/pull.js';

const R = reasons({
  noAccess: ['LG-511', 'neither Azure nor the cluster can be read to tell'],
  noRegistry: ['LG-512', 'no registry of the student is known'],
  notAllowed: ['LG-513', 'the cluster may not pull from the registry'],
});

export const pullAuthorized = defineCheck({
  id: 'ex5.pull.authorized',
  exercise: 5,
  title: () => 'The cluster may pull from the registry',
  points: { points: 2 },
  needs: [],
  dependsOn: ['ex4.registry.exists', 'ex5.kube.reachable'],
  uses: ['registry', 'cluster'],
  reasons: R,
  async run(ctx) {
    const { azure, kube } = ctx.probes;
    if (!azure && !kube) return skip(R.noAccess, 'needs Azure access (role assignments) or the cluster (running pods) to tell; neither is configured for this student');
    // With Azure at hand a role assignment can decide alone: an unreadable pod list is then no reason to give up.
    const snap = kube ? await snapshotFor(kube, ['pods']).catch((err) => (azure ? undefined : Promise.reject(err))) : undefined;
    const reg = studentRegistry(ctx, snap);
    if (!reg.loginServer) {
      return fail(R.noRegistry, 'no Azure registry is known for you (Exercise 4) and no pod uses an image from one (*.azurecr.io)', GRANT_STEP, { evidence: { registrySource: reg.source } });
    }
    const found = await pullGrants(ctx, reg);
    const grant = found?.grants[0];
    if (grant) {
      return pass(`the cluster's identity holds ${grant.roleName} on ${shortScope(grant.scope)}, which lets it pull from the registry`, {
        registry: reg.loginServer,
        role: grant.roleName,
        scope: grant.scope,
        principalId: grant.principalId,
      });
    }
    const fromRegistry = (snap?.pods ?? []).filter((p) => p.spec?.containers?.some((c) => parseImageRef(c.image ?? '')?.host === reg.loginServer));
    const running = fromRegistry.filter((p) => isRunning(summarizePod(p)));
    if (running.length) {
      return pass(`${running.length} pod(s) run images pulled from ${reg.loginServer}, which proves the cluster may pull from it`, {
        registry: reg.loginServer,
        registrySource: reg.source,
        pods: running.map((p) => p.metadata?.name),
      });
    }
    const stuck = fromRegistry.map((p) => diagnosePull(p, snap?.events ?? [])).find((d) => d?.cause === 'unauthorized');
    const azureChecked = !!found;
    return fail(
      R.notAllowed,
      `the cluster may not pull from ${reg.loginServer}: ${azureChecked ? "no role assignment (Reader, AcrPull, …) on the registry or above names the cluster's identity, and " : ''}no pod from it is running`,
      GRANT_STEP,
      {
        evidence: {
          registry: reg.loginServer,
          registrySource: reg.source,
          ...(found ? { identitiesChecked: found.identities } : { azure: 'not checked' }),
          ...(stuck ? { pod: stuck.pod, reason: stuck.reason, event: stuck.event } : {}),
        },
      },
    );
  },
});
