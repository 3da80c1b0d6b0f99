/** Exercise 5: kubectl access, the pull permission and the first pod. */
import type { V1Pod } from '@kubernetes/client-node';
import { fail, pass, skip, type CheckContext, type CheckDef } from '../core/check.js';
import type { Verdict } from '../core/model.js';
import { ex5Messages as M } from './ex5-pod.messages.js';
import { pullGrants, pullGrantsQuietly, shortScope, snapshotFor, studentRegistry, type StudentRegistry } from './kube/context.js';
import { byName } from './kube/deployments.js';
import { imageName, isImage, parseImageRef } from './kube/images.js';
import { isRunning, podStatusText, podsOfDeployment, summarizePod } from './kube/pods.js';
import { diagnosePull, type PullDiagnosis } from './kube/pull.js';

async function reachable(ctx: CheckContext): Promise<Verdict> {
  const { server, gitVersion } = await ctx.probes.kube!.reach();
  return pass(M.reachable(server, gitVersion), { server, version: gitVersion });
}

async function pullAuthorized(ctx: CheckContext): Promise<Verdict> {
  const { azure, kube } = ctx.probes;
  if (!azure && !kube) return skip(M.pull.skipped);
  // With Azure at hand a role assignment can decide alone: an unreadable pod list is then no reason to give up.
  const snap = kube ? await snapshotFor(ctx, ['pods']).catch((err) => (azure ? undefined : Promise.reject(err))) : undefined;
  const reg = studentRegistry(ctx, snap);
  if (!reg.loginServer) return fail(M.pull.noRegistry, M.pull.hint, { registrySource: reg.source });
  const found = await pullGrants(ctx, reg);
  const grant = found?.grants[0];
  if (grant) {
    return pass(M.pull.byRole(grant.roleName!, shortScope(grant.scope)), {
      registry: reg.loginServer,
      role: grant.roleName,
      scope: grant.scope,
      principalId: grant.principalId,
    });
  }
  const fromRegistry = (snap?.pods ?? []).filter((p) => p.spec?.containers?.some((c) => parseImageRef(c.image ?? '')?.host === reg.loginServer));
  const running = fromRegistry.filter((p) => isRunning(summarizePod(p)));
  if (running.length) {
    return pass(M.pull.byPods(running.length, reg.loginServer), { registry: reg.loginServer, registrySource: reg.source, pods: running.map((p) => p.metadata?.name) });
  }
  const stuck = fromRegistry.map((p) => diagnosePull(p, snap?.events ?? [])).find((d) => d?.cause === 'unauthorized');
  return fail(M.pull.none(reg.loginServer, !!found), M.pull.hint, {
    registry: reg.loginServer,
    registrySource: reg.source,
    ...(found ? { identitiesChecked: found.identities } : { azure: 'not checked' }),
    ...(stuck ? { pod: stuck.pod, reason: stuck.reason, event: stuck.event } : {}),
  });
}

/** Pod `myapp` and the pods of Deployment `myapp` (the lab deletes the first at the end of Exercise 5). */
function appPods(ctx: CheckContext, pods: V1Pod[], deployments: Parameters<typeof byName>[0], replicaSets: Parameters<typeof podsOfDeployment>[2]): V1Pod[] {
  const e = ctx.profile.expect;
  const own = pods.filter((p) => p.metadata?.name === e.podName);
  const d = byName(deployments, e.app.deployment);
  return [...own, ...(d ? podsOfDeployment(d, pods, replicaSets) : [])];
}

/** A pull failure explained: the kubelet's words, what they mean, and (for auth) what Azure says. */
async function pullFailure(ctx: CheckContext, d: PullDiagnosis, reg: StudentRegistry, prefix = ''): Promise<Verdict> {
  const cause = M.cause[d.cause];
  const parts = [prefix + M.pod.stuck(d.pod, d.reason, d.message, d.event), cause.meaning].filter(Boolean);
  const evidence: Record<string, unknown> = { pod: d.pod, image: d.image, reason: d.reason, ...(d.message ? { message: d.message } : {}), ...(d.event ? { event: d.event } : {}), cause: d.cause };
  let final = d.cause !== 'unauthorized';
  if (d.cause === 'unauthorized') {
    const cross = await pullGrantsQuietly(ctx, reg);
    if (cross && 'grants' in cross) {
      const g = cross.grants[0];
      parts.push(g ? M.crossCheck.granted(g.roleName!, shortScope(g.scope)) : M.crossCheck.noGrant(reg.loginServer ?? d.image));
      evidence.roleAssignment = g ? `${g.roleName} on ${g.scope}` : 'none';
      final = false;
    }
  }
  return fail(parts.join('; '), cause.hint, evidence, final);
}

async function podRunning(ctx: CheckContext): Promise<Verdict> {
  const e = ctx.profile.expect;
  const snap = await snapshotFor(ctx, ['pods', 'deployments', 'events']);
  const reg = studentRegistry(ctx, snap);
  const candidates = appPods(ctx, snap.pods, snap.deployments, snap.replicaSets);
  const wanted = reg.loginServer ? imageName(reg.loginServer, e.app.image, e.tag) : `<registry name>.${e.registryDomain}/${e.app.image}:${e.tag}`;
  const hasWanted = (p: V1Pod) => !!reg.loginServer && (p.spec?.containers ?? []).some((c) => isImage(c.image, reg.loginServer!, e.app.image, e.tag));
  // Any pod running the image counts, whatever made it (a renamed pod, a Helm release).
  const withImage = [...new Set([...candidates, ...snap.pods.filter(hasWanted)])].filter(hasWanted);
  const evidence = { image: wanted, registrySource: reg.source };

  const running = withImage.find((p) => isRunning(summarizePod(p)));
  if (running) return pass(M.pod.running(running.metadata!.name!, wanted), { ...evidence, pod: running.metadata?.name, phase: 'Running' });

  const stuck = withImage.map((p) => diagnosePull(p, snap.events)).find(Boolean);
  if (stuck) return pullFailure(ctx, stuck, reg);
  if (withImage.length) {
    const s = summarizePod(withImage[0]);
    return fail(M.pod.notRunning(s.name, podStatusText(s)), M.pod.notRunningHint, { ...evidence, pod: s.name, status: podStatusText(s) });
  }
  if (!reg.loginServer && candidates.length === 0) return fail(M.pod.noRegistry, M.pod.noneHint, evidence, true);
  const other = candidates[0];
  if (other) {
    const s = summarizePod(other);
    const image = s.containers[0]?.image ?? '';
    const diag = diagnosePull(other, snap.events);
    const prefix = M.pod.wrongImage(s.name, image, wanted) + '; ';
    if (diag) return pullFailure(ctx, diag, reg, prefix);
    return fail(prefix.slice(0, -2), M.pod.wrongImageHint, { ...evidence, pod: s.name, found: image }, true);
  }
  return fail(M.pod.none(e.podName, e.app.deployment, wanted), M.pod.noneHint, evidence, true);
}

export const ex5Checks: CheckDef[] = [
  { id: 'ex5.kube.reachable', exercise: 5, title: "The cluster's API answers", needs: ['kube'], dependsOn: ['ex3.cluster.healthy'], run: reachable },
  { id: 'ex5.pull.authorized', exercise: 5, title: 'The cluster may pull from the registry', needs: [], dependsOn: ['ex4.registry.exists', 'ex5.kube.reachable'], run: pullAuthorized },
  { id: 'ex5.pod.running', exercise: 5, title: 'A myapp:v1.0 pod reached Running', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: podRunning },
];
