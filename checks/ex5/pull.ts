/**
 * Exercise 5 steps 10–17: the cluster may pull from the student's registry. Decided from Azure (a role
 * assignment that grants the cluster's pulling identity the right on the registry) and from the pods
 * (a pod running an image from the registry proves it): not from the cluster's health.
 */
import { defineCheck, error, fail, pass, reasons, skip } from '../../core/check.js';
import { errorMessage } from '../../core/errors.js';
import { probeReason } from '../../core/reasons.js';
import { grantTarget, isStudentRegistry, pullGrants, shortScope, snapshotFor, studentRegistry } from '../kube/context.js';
import { parseImageRef } from '../../core/image-ref.js';
import { isRunning, summarizePod } from '../kube/pods.js';
import { diagnosePull, grantHint, podImage } from '../kube/pull.js';
import { excerpt } from '../text.js';
import { conditionText } from '../kube/abac.js';

const R = reasons({
  noAccess: ['LG-511', 'neither Azure nor the cluster can be read to tell'],
  noRegistry: ['LG-512', 'no registry of the student is known', 'absent'],
  notAllowed: ['LG-513', 'the cluster may not pull from the registry'],
});

export const pullAuthorized = defineCheck({
  id: 'ex5.pull.authorized',
  exercise: 5,
  passes:
    "the cluster's pulling identity (kubelet identity, or service principal) has Reader/AcrPull or higher on the registry or a scope above it — in an ABAC registry a repository role — or pods from it run; not blocked by cluster health while a role decides, but blocked by `ex5.kube.reachable` when none does (or Graph cannot name the service principal) and the cluster is stopped",
  title: () => 'The cluster may pull from the registry',
  points: { points: 2 },
  needs: [],
  dependsOn: ['ex4.registry.exists', 'ex3.cluster.exists'],
  after: ['ex5.kube.reachable'],
  uses: ['registry', 'cluster'],
  reasons: R,
  async run(ctx) {
    const { azure, kube } = ctx.probes;
    if (!azure && !kube) return skip(R.noAccess, 'needs Azure access (role assignments) or the cluster (running pods) to tell; neither is configured for this student');
    // With Azure at hand a role assignment can decide alone: pods that cannot be read (a stopped cluster) are then no reason to give up yet.
    let podsUnreadable: unknown;
    const snap = kube
      ? await snapshotFor(kube, ['pods']).catch((err: unknown) => {
          if (!azure) throw err;
          podsUnreadable = err;
          return undefined;
        })
      : undefined;
    const reg = studentRegistry(ctx, snap);
    if (!reg.loginServer) {
      return fail(
        R.noRegistry,
        `no Azure registry is known for you (Exercise 4) and no pod uses an image from one (*.${ctx.profile.expect.registryDomain})`,
        grantHint(grantTarget(ctx, reg), podImage(ctx.profile.expect)),
        {
          evidence: { registrySource: reg.source },
        },
      );
    }
    const found = await pullGrants(ctx, reg);
    const grant = found?.grants[0];
    const mode = found?.roleAssignmentMode === 'AbacRepositoryPermissions' ? { roleAssignmentMode: found.roleAssignmentMode } : {};
    if (grant) {
      return pass(`the cluster's identity holds ${grant.roleName} on ${shortScope(grant.scope)}, which lets it pull from the registry`, {
        registry: reg.loginServer,
        role: grant.roleName,
        scope: grant.scope,
        principalId: grant.principalId,
        ...mode,
      });
    }
    // Roles an ABAC condition limits to other repositories: shown, since they look like a grant in the portal.
    const limited = found?.limited?.length
      ? { limitedByCondition: found.limited.map((ra) => `${ra.roleName} on ${shortScope(ra.scope)}, only where ${excerpt(conditionText(ra.condition ?? ''), 300)}`) }
      : {};
    if (podsUnreadable) {
      // No role decides and the pods, which would, cannot be read: the grader cannot tell, so it is not the student's failure.
      const why = found?.unresolved
        ? `the cluster's pulling identity could not be matched to a role assignment (${found.unresolved})`
        : "no role assignment on the registry or above names the cluster's identity";
      return {
        ...error(probeReason('kube'), `cannot tell whether the cluster may pull from ${reg.loginServer}: ${why}, and its pods, which would show it, cannot be read (${errorMessage(podsUnreadable)})`, {
          registry: reg.loginServer,
          registrySource: reg.source,
          ...(found ? { identitiesChecked: found.identities } : {}),
          ...(found?.unresolved ? { identityUnresolved: found.unresolved } : {}),
          ...limited,
        }),
        causedBy: 'ex5.kube.reachable',
      };
    }
    const fromRegistry = (snap?.pods ?? []).filter((p) => p.spec?.containers?.some((c) => isStudentRegistry(parseImageRef(c.image ?? '')?.host, reg, ctx.profile.expect.registryDomain)));
    const running = fromRegistry.filter((p) => isRunning(summarizePod(p)));
    if (running.length) {
      return pass(`${running.length} pod(s) run images pulled from ${reg.loginServer}, which proves the cluster may pull from it`, {
        registry: reg.loginServer,
        registrySource: reg.source,
        pods: running.map((p) => p.metadata?.name),
        ...(found?.unresolved ? { roleAssignments: `not matched: ${found.unresolved}` } : {}),
      });
    }
    const stuck = fromRegistry.map((p) => diagnosePull(p, snap?.events ?? [])).find((d) => d?.cause === 'unauthorized');
    const azureSays = !found
      ? ''
      : found.unresolved
        ? `the cluster's pulling identity could not be matched to a role assignment (${found.unresolved}), and `
        : found.limited?.length
          ? `the cluster's identity holds ${found.limited[0].roleName} only for some repositories (an ABAC condition), not for ${ctx.profile.expect.app.image} and ${ctx.profile.expect.api.image}, and `
          : `no role assignment (${found.roles.slice(0, 3).join(', ')}, …) on the registry or above names the cluster's identity${mode.roleAssignmentMode ? ' (the registry is in ABAC mode: only its repository roles count)' : ''}, and `;
    return fail(R.notAllowed, `the cluster may not pull from ${reg.loginServer}: ${azureSays}no pod from it is running`, grantHint(grantTarget(ctx, reg, found), podImage(ctx.profile.expect)), {
      evidence: {
        registry: reg.loginServer,
        registrySource: reg.source,
        ...(found ? { identitiesChecked: found.identities, rolesThatCount: found.roles } : { azure: 'not checked' }),
        ...(found?.unresolved ? { identityUnresolved: found.unresolved } : {}),
        ...mode,
        ...limited,
        ...(stuck ? { pod: stuck.pod, reason: stuck.reason, event: stuck.event } : {}),
      },
    });
  },
});
