/** Exercise 7 (optional): the app installed with Helm. */
import { error, fail, pass, skip, type CheckContext, type CheckDef } from '../core/check.js';
import type { Verdict } from '../core/model.js';
import { helmReleases } from '../probes/kube/helm-release.js';
import type { HelmReleaseRecord } from '../probes/types.js';
import { ex7Messages as M } from './ex7-helm.messages.js';
import { studentRegistry } from './kube/context.js';
import { chooseRelease, releaseLabel, tillerRbac, valueAt } from './kube/helm.js';
import { registryNameOf } from './kube/images.js';

/** The release to grade, or the verdict that says why there is none. */
async function findRelease(ctx: CheckContext): Promise<{ release: HelmReleaseRecord } | { verdict: Verdict }> {
  const snap = await ctx.probes.kube!.snapshot();
  const chart = ctx.profile.expect.helm.chart;
  const release = chooseRelease(helmReleases(snap.helmSecrets, snap.helmConfigMaps), chart);
  if (release) return { release };
  // An unreadable store might hold the release: that is not knowing, not absence.
  const unreadable = [snap.unreadable.helmSecrets, snap.unreadable.helmConfigMaps].filter(Boolean);
  if (unreadable.length) return { verdict: error(M.release.unreadable(unreadable.join('; ')), { unreadable }) };
  return { verdict: fail(M.release.none(chart, snap.helmSecrets.length, snap.helmConfigMaps.length), M.release.hint, { chart }, true) };
}

const releaseEvidence = (r: HelmReleaseRecord) => ({
  release: r.name,
  chart: r.chartName ?? null,
  chartVersion: r.chartVersion ?? null,
  revision: r.version,
  status: r.status,
  helm: r.source === 'helm3-secret' ? 3 : 2,
  object: `${r.namespace}/${r.objectName}`,
});

async function helmRelease(ctx: CheckContext): Promise<Verdict> {
  const found = await findRelease(ctx);
  if ('verdict' in found) return found.verdict;
  const r = found.release;
  if (r.status !== 'deployed') return fail(M.release.notDeployed(releaseLabel(r)), M.release.notDeployedHint, releaseEvidence(r));
  return pass(M.release.ok(releaseLabel(r)), releaseEvidence(r));
}

async function helmRegistry(ctx: CheckContext): Promise<Verdict> {
  const e = ctx.profile.expect;
  const found = await findRelease(ctx);
  if ('verdict' in found) return found.verdict;
  const r = found.release;
  if (r.decodeError) return error(M.registry.undecodable(releaseLabel(r), r.decodeError), releaseEvidence(r));
  const value = valueAt(r.values, 'registry');
  const registry = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const evidence = { release: r.name, registry: registry ?? null };
  if (!registry || registry === e.helm.brokenDefaultRegistry) return fail(M.registry.default(r.name, e.helm.brokenDefaultRegistry), M.registry.hint, evidence, true);
  const mine = studentRegistry(ctx, await ctx.probes.kube!.snapshot());
  if (mine.loginServer) {
    if (registry !== mine.loginServer) return fail(M.registry.other(r.name, registry, mine.loginServer), M.registry.hint, { ...evidence, yours: mine.loginServer }, true);
    return pass(M.registry.ok(r.name, registry), { ...evidence, registrySource: mine.source });
  }
  if (!registryNameOf(registry, e.registryDomain)) return fail(M.registry.notAzure(r.name, registry, e.registryDomain), M.registry.hint, evidence, true);
  return pass(M.registry.okUnverified(r.name, registry), evidence);
}

async function tiller(ctx: CheckContext): Promise<Verdict> {
  const ev = ctx.evidenceOf('ex7.helm.release') as { helm?: number } | undefined;
  if (ev?.helm !== 2) return skip(M.tiller.helm3);
  const snap = await ctx.probes.kube!.snapshot();
  const unreadable = [snap.unreadable.serviceAccounts, snap.unreadable.clusterRoleBindings].filter(Boolean);
  if (unreadable.length) return error(unreadable.join('; '), { unreadable });
  const t = tillerRbac(snap.serviceAccounts, snap.clusterRoleBindings);
  const evidence = { serviceAccount: t.serviceAccount, clusterAdminBindings: t.adminBindings, otherRoles: t.otherRoles };
  if (!t.serviceAccount) return fail(M.tiller.noAccount, M.tiller.hint, evidence, true);
  if (!t.adminBindings.length) return fail(M.tiller.noBinding(t.otherRoles.join(', ')), M.tiller.hint, evidence, true);
  return pass(M.tiller.ok(t.adminBindings.join(', ')), evidence);
}

export const ex7Checks: CheckDef[] = [
  { id: 'ex7.helm.release', exercise: 7, title: 'A greetings Helm release is deployed', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: helmRelease },
  { id: 'ex7.helm.registry', exercise: 7, title: 'The release pulls from your registry', needs: ['kube'], dependsOn: ['ex7.helm.release'], run: helmRegistry },
  { id: 'ex7.tiller', exercise: 7, title: 'Helm 2: tiller runs as cluster-admin', needs: ['kube'], dependsOn: ['ex7.helm.release'], run: tiller },
];
