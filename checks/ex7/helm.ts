/** Exercise 7 (optional): the app installed with Helm, from the student's own registry. */
import { defineCheck, error, fail, pass, reasons } from '../../core/check.js';
import type { LabExpectations } from '../../core/profile.js';
import { helmReleases } from '../../probes/kube/helm-release.js';
import type { HelmReleaseRecord } from '../../probes/types.js';
import { isStudentRegistry, studentRegistry } from '../kube/context.js';
import { chartFolder, chartInstall, chooseRelease, effectiveValues, reinstallCommands, releaseLabel, valueAt } from '../kube/helm.js';
import { registryOr } from '../kube/images.js';
import { excerpt } from '../text.js';

const installHint = (e: LabExpectations, registry: string) =>
  `Exercise 7 steps 3–5: in ${chartFolder(e)} run \`${chartInstall(e, registry)}\` (Helm 3; the lab’s Helm 2 form is \`helm install . --set registry=${registry}\` after \`helm init --service-account=tiller\`).`;

const releaseEvidence = (r: HelmReleaseRecord) => ({
  release: r.name,
  chart: r.chartName ?? null,
  chartVersion: r.chartVersion ?? null,
  revision: r.version,
  status: r.status,
  helm: r.source === 'helm3-secret' ? 3 : 2,
  object: `${r.namespace}/${r.objectName}`,
});

const RELEASE = reasons({
  unreadable: ['LG-701', 'the Helm release records cannot be read'],
  none: ['LG-702', 'no Helm release of the greetings chart', 'absent'],
  notDeployed: ['LG-703', 'the Helm release is not deployed'],
});

export const helmRelease = defineCheck({
  id: 'ex7.helm.release',
  exercise: 7,
  passes: 'a deployed Helm 3 or Helm 2 release of chart `greetings`',
  title: (p) => `A ${p.expect.helm.chart} Helm release is deployed`,
  points: { bonus: 2 },
  needs: ['kube'],
  dependsOn: ['ex5.kube.reachable'],
  provides: ['helmRelease'],
  // The registry names the install line of the hint.
  uses: ['registry'],
  reasons: RELEASE,
  async run(ctx) {
    const snap = await ctx.probes.kube.snapshot();
    const chart = ctx.profile.expect.helm.chart;
    const r = chooseRelease(helmReleases(snap.helmSecrets, snap.helmConfigMaps), chart);
    if (!r) {
      // An unreadable store might hold the release: that is not knowing, not absence.
      const unreadable = [snap.unreadable.helmSecrets, snap.unreadable.helmConfigMaps].filter(Boolean);
      if (unreadable.length) return error(RELEASE.unreadable, `cannot tell whether a Helm release exists: ${unreadable.join('; ')}`, { unreadable });
      return fail(
        RELEASE.none,
        `no Helm release of chart ${chart} (looked at ${snap.helmSecrets.length} Helm 3 release Secret(s) and ${snap.helmConfigMaps.length} Helm 2 release ConfigMap(s))`,
        installHint(ctx.profile.expect, registryOr(ctx.fact('registry')?.chosen.loginServer, ctx.profile.expect.registryDomain)),
        { evidence: { chart }, outcome: 'needs-fix' },
      );
    }
    if (r.status !== 'deployed') {
      const status = excerpt(r.status, 40);
      const hint = `Exercise 7 step 5: \`helm status ${excerpt(r.name, 60)}\` tells why it is ${status}; to install again: ${reinstallCommands(r, registryOr(ctx.fact('registry')?.chosen.loginServer, ctx.profile.expect.registryDomain), ctx.profile.expect)}.`;
      return fail(RELEASE.notDeployed, `the release ${releaseLabel(r)} is not deployed`, hint, {
        evidence: releaseEvidence(r),
        found: status,
        expected: 'deployed',
        facts: { helmRelease: r },
      });
    }
    return pass(`Helm release ${releaseLabel(r)}`, releaseEvidence(r), { facts: { helmRelease: r } });
  },
});

const REGISTRY = reasons({
  undecodable: ['LG-711', "the release's values cannot be decoded"],
  brokenDefault: ['LG-712', "the release keeps the chart's broken default registry"],
  noRegistry: ['LG-715', 'the release sets no registry'],
  other: ['LG-713', "the release pulls from a registry that is not the student's"],
  notAzure: ['LG-714', 'the release pulls from a registry that is not an Azure registry'],
});

/**
 * The command that renders the release again with the student's registry, names filled in. The same
 * `helm upgrade` line serves both Helms, but a Helm 2 release lives in tiller: only the Helm 2 client
 * that installed it sees it (Cloud Shell's Helm 3 does not).
 */
function registryHint(e: LabExpectations, r: HelmReleaseRecord, registry: string): string {
  const upgrade = `in ${chartFolder(e)} run \`helm upgrade ${r.name} . --set registry=${registry}\``;
  return r.source === 'helm3-secret'
    ? `Exercise 7 step 5: ${upgrade} (Helm renders the release again with your registry).`
    : `Exercise 7 step 5: ${upgrade} with the Helm 2 client that installed it (tiller holds the release; Helm 3 does not see it).`;
}

export const helmRegistry = defineCheck({
  id: 'ex7.helm.registry',
  exercise: 7,
  passes: "the release's effective `registry` value (the chart's `values.yaml` with the install's values over it) is the student's own login server",
  title: () => 'The release pulls from your registry',
  points: { bonus: 1 },
  needs: ['kube'],
  dependsOn: ['ex7.helm.release'],
  uses: ['helmRelease', 'registry'],
  reasons: REGISTRY,
  async run(ctx) {
    const e = ctx.profile.expect;
    const r = ctx.fact('helmRelease');
    // Runs only after ex7.helm.release passed, which provides the release.
    if (!r) throw new Error('ex7.helm.release passed without naming its release');
    // A record that cannot be read stays so until the student installs again: theirs to fix, not a re-run's.
    if (r.decodeError) {
      const again = reinstallCommands(r, registryOr(ctx.fact('registry')?.chosen.loginServer, e.registryDomain), e);
      return fail(REGISTRY.undecodable, `cannot read the values of ${releaseLabel(r)}: ${r.decodeError}`, `Exercise 7 step 5: install the release again: ${again}.`, {
        evidence: releaseEvidence(r),
        outcome: 'needs-fix',
      });
    }
    // What the templates render with: the chart's own values.yaml (which a student may have edited
    // before packaging) overridden by the values given at install.
    const effective = effectiveValues(r.chartValues, r.values);
    const value = valueAt(effective, 'registry');
    const registry = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
    // What messages quote of the release's own text: its name and the registry it sets, excerpted.
    const release = excerpt(r.name, 60);
    const written = value === undefined ? 'not set' : excerpt(JSON.stringify(value) ?? String(value));
    const given = valueAt(r.values, 'registry');
    const from = given !== undefined ? 'given at install' : valueAt(r.chartValues, 'registry') !== undefined ? "the chart's values.yaml" : 'nowhere';
    const evidence = { release, registry: registry === undefined ? null : excerpt(registry), from };
    const mine = studentRegistry(ctx, await ctx.probes.kube.snapshot());
    const hint = registryHint(e, r, registryOr(mine.loginServer, e.registryDomain));
    if (!registry) {
      const where = from === 'nowhere' ? "neither the chart's values.yaml nor the install sets it" : `${value === undefined ? 'removed' : `set to ${written}`}, ${from}`;
      return fail(REGISTRY.noRegistry, `the release ${release} has no registry (${where}): its images cannot be pulled`, hint, {
        evidence,
        outcome: 'needs-fix',
        found: written,
      });
    }
    const shown = excerpt(registry);
    if (registry === e.helm.brokenDefaultRegistry) {
      return fail(REGISTRY.brokenDefault, `the release ${release} leaves registry at the chart's broken default ${e.helm.brokenDefaultRegistry}: its images cannot be pulled`, hint, {
        evidence,
        outcome: 'needs-fix',
        found: registry,
      });
    }
    if (!isStudentRegistry(registry, mine, e.registryDomain)) {
      if (mine.loginServer) {
        return fail(REGISTRY.other, `the release ${release} sets registry=${shown}, not your registry ${mine.loginServer}`, hint, {
          evidence: { ...evidence, yours: mine.loginServer },
          outcome: 'needs-fix',
          found: shown,
          expected: mine.loginServer,
        });
      }
      return fail(REGISTRY.notAzure, `the release ${release} sets registry=${shown}, which is not an Azure registry (*.${e.registryDomain})`, hint, {
        evidence,
        outcome: 'needs-fix',
        found: shown,
      });
    }
    if (mine.loginServer) return pass(`the release ${release} pulls from your registry ${shown} (${from})`, { ...evidence, registrySource: mine.source });
    return pass(`the release ${release} pulls from ${shown} (your registry is not known in this mode, so it was not compared)`, evidence);
  },
});
