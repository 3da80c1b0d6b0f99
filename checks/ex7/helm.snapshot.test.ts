/**
 * Exercise 7's Helm checks run on hand-built snapshots (release records encoded as Helm stores them)
 * with stand-in probes and facts: every branch's verdict, reason code, found/expected and hint. This
 * file does not import the check catalogue (checks/index.ts) nor the simulated cluster, so a broken
 * helm.ts fails these tests instead of failing to load them (helm.test.ts grades the same checks
 * against the simulated cluster).
 */
import type { V1ConfigMap, V1Pod, V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { CheckDef, Facts, Verdict } from '../../core/check.js';
import { loadProfile } from '../../core/profile.js';
import type { HelmReleaseRecord, KubeSnapshot, RegistryFacts } from '../../probes/types.js';
import { helmRecord } from '../../sandbox/kube/helm.js';
import type { ScenarioHelmRelease } from '../../sandbox/scenario.js';
import { helmReleaseRecord, kubeSnapshot, runKubeCheck } from '../../test/support/kube-check.js';
import { REGISTRY } from '../../test/support/kube-scenarios.js';
import '../facts.js';
import { helmRegistry, helmRelease } from './helm.js';

const profile = loadProfile();
const LOGIN = `${REGISTRY}.azurecr.io`;
const PLACEHOLDER = '<registry name>.azurecr.io';
const acr: RegistryFacts = {
  id: `/subscriptions/s/resourceGroups/labuser07-rg/providers/Microsoft.ContainerRegistry/registries/${REGISTRY}`,
  name: REGISTRY,
  loginServer: LOGIN,
  adminUserEnabled: true,
};
/** What Exercise 4 found: the student's registry. */
const FOUND: Partial<Facts> = { registry: { chosen: acr, candidates: [acr.name], reason: 'stand-in' } };

/** A release as `helm install` leaves it (default: the lab's chart, deployed by Helm 3 from the student's registry). */
const release = (over: Partial<ScenarioHelmRelease> = {}): ScenarioHelmRelease => ({
  name: 'greetings',
  chart: 'greetings-0.3.0',
  helm: 3,
  status: 'deployed',
  values: { registry: LOGIN },
  tiller: false,
  ...over,
});

const AT = '2024-05-01T10:00:00Z';

/** Helm's record of a release as the cluster lists it: Helm 3's Secret, Helm 2's (tiller's) ConfigMap. */
const helm3Secret = (r: ScenarioHelmRelease) => helmRecord({ ...r, helm: 3 }, AT) as V1Secret;
const helm2ConfigMap = (r: ScenarioHelmRelease) => helmRecord({ ...r, helm: 2 }, AT) as V1ConfigMap;

const snapshot = (parts: Partial<KubeSnapshot> = {}): KubeSnapshot => kubeSnapshot({ takenAt: AT, ...parts });

/** Runs one check on a snapshot, with the facts other checks provided (default: the student's registry found). */
const runCheck = (check: CheckDef<'kube'>, snap: KubeSnapshot, facts: Partial<Facts> = FOUND): Promise<Verdict> => runKubeCheck(check, snap, { facts, profile });

describe('the Helm checks as the catalogue lists them', () => {
  it('ex7.helm.release: a bonus, on the cluster, after reaching it; it provides the release and names the registry', () => {
    expect(helmRelease.title(profile)).toBe('A greetings Helm release is deployed');
    expect(helmRelease).toMatchObject({ id: 'ex7.helm.release', exercise: 7, points: { bonus: 2 }, needs: ['kube'], dependsOn: ['ex5.kube.reachable'], provides: ['helmRelease'], uses: ['registry'] });
    expect(helmRelease.reasons).toEqual({
      unreadable: { code: 'LG-701', summary: 'the Helm release records cannot be read' },
      none: { code: 'LG-702', summary: 'no Helm release of the greetings chart', absent: true },
      notDeployed: { code: 'LG-703', summary: 'the Helm release is not deployed' },
    });
  });

  it('ex7.helm.registry: a bonus, after the release, using it and the registry', () => {
    expect(helmRegistry.title(profile)).toBe('The release pulls from your registry');
    expect(helmRegistry).toMatchObject({ id: 'ex7.helm.registry', exercise: 7, points: { bonus: 1 }, needs: ['kube'], dependsOn: ['ex7.helm.release'], uses: ['helmRelease', 'registry'] });
    expect(helmRegistry.reasons).toEqual({
      undecodable: { code: 'LG-711', summary: "the release's values cannot be decoded" },
      brokenDefault: { code: 'LG-712', summary: "the release keeps the chart's broken default registry" },
      noRegistry: { code: 'LG-715', summary: 'the release sets no registry' },
      other: { code: 'LG-713', summary: "the release pulls from a registry that is not the student's" },
      notAzure: { code: 'LG-714', summary: 'the release pulls from a registry that is not an Azure registry' },
    });
  });
});

describe('ex7.helm.release, run on a snapshot', () => {
  it("passes a deployed Helm 3 release of the lab's chart, and provides it", async () => {
    const v = await runCheck(helmRelease, snapshot({ helmSecrets: [helm3Secret(release())] }));
    expect(v).toMatchObject({
      status: 'pass',
      message: 'Helm release greetings (chart greetings-0.3.0, revision 1, deployed, Helm 3 Secret default/sh.helm.release.v1.greetings.v1)',
      evidence: { release: 'greetings', chart: 'greetings', chartVersion: '0.3.0', revision: 1, status: 'deployed', helm: 3, object: 'default/sh.helm.release.v1.greetings.v1' },
    });
    expect(Object.keys(v.evidence ?? {})).toHaveLength(7);
    expect(v.facts?.helmRelease).toMatchObject({ source: 'helm3-secret', name: 'greetings', values: { registry: LOGIN } });
  });

  it("passes a Helm 2 release tiller named, found among other charts' releases", async () => {
    const panda = release({ name: 'wobbly-panda', helm: 2 });
    const v = await runCheck(helmRelease, snapshot({ helmSecrets: [helm3Secret(release({ name: 'web', chart: 'nginx-1.2.3' }))], helmConfigMaps: [helm2ConfigMap(panda)] }));
    expect(v).toMatchObject({
      status: 'pass',
      evidence: { release: 'wobbly-panda', chart: 'greetings', helm: 2, object: 'kube-system/wobbly-panda.v1' },
      facts: { helmRelease: { source: 'helm2-configmap', name: 'wobbly-panda' } },
    });
  });

  it('grades the deployed release when a failed one is there too', async () => {
    const v = await runCheck(
      helmRelease,
      snapshot({ helmSecrets: [helm3Secret(release({ name: 'first', status: 'failed' }))], helmConfigMaps: [helm2ConfigMap(release({ name: 'second', helm: 2 }))] }),
    );
    expect(v).toMatchObject({ status: 'pass', evidence: { release: 'second', helm: 2 } });
  });

  it('no release of the chart is LG-702, not started, with the install lines for the registry Exercise 4 found', async () => {
    const v = await runCheck(helmRelease, snapshot({ helmSecrets: [helm3Secret(release({ name: 'web', chart: 'nginx-1.2.3' }))], helmConfigMaps: [] }));
    expect(v).toEqual({
      status: 'fail',
      code: 'LG-702',
      message: 'no Helm release of chart greetings (looked at 1 Helm 3 release Secret(s) and 0 Helm 2 release ConfigMap(s))',
      hint: `Exercise 7 steps 3–5: in greetings/k8s/helm run \`helm install greetings . --set registry=${LOGIN}\` (Helm 3; the lab’s Helm 2 form is \`helm install . --set registry=${LOGIN}\` after \`helm init --service-account=tiller\`).`,
      evidence: { chart: 'greetings' },
      outcome: 'needs-fix',
    });
  });

  it('with the registry unknown, the install lines name the placeholder', async () => {
    const v = await runCheck(helmRelease, snapshot({ helmConfigMaps: [helm2ConfigMap(release({ name: 'web', chart: 'nginx-1.2.3', helm: 2 }))] }), {});
    expect(v).toMatchObject({ status: 'fail', code: 'LG-702', message: 'no Helm release of chart greetings (looked at 0 Helm 3 release Secret(s) and 1 Helm 2 release ConfigMap(s))' });
    expect(v.hint).toContain(`\`helm install greetings . --set registry=${PLACEHOLDER}\``);
  });

  it.each([
    ['the Helm 3 Secrets', { helmSecrets: 'secrets are forbidden' }, ['secrets are forbidden']],
    ['the Helm 2 ConfigMaps', { helmConfigMaps: 'configmaps timed out' }, ['configmaps timed out']],
    ['both stores', { helmSecrets: 'secrets are forbidden', helmConfigMaps: 'configmaps timed out' }, ['secrets are forbidden', 'configmaps timed out']],
  ])('no release found with %s unreadable is LG-701, an error, not absence', async (_what, unreadable, reasons) => {
    expect(await runCheck(helmRelease, snapshot({ unreadable }))).toEqual({
      status: 'error',
      code: 'LG-701',
      message: `cannot tell whether a Helm release exists: ${reasons.join('; ')}`,
      evidence: { unreadable: reasons },
    });
  });

  it('a release found in the store that could be read is graded though the other store is unreadable', async () => {
    const v = await runCheck(helmRelease, snapshot({ helmSecrets: [helm3Secret(release())], unreadable: { helmConfigMaps: 'configmaps are forbidden' } }));
    expect(v.status).toBe('pass');
  });

  it('a failed Helm 3 release is LG-703, with `helm status` and `helm uninstall` before installing again', async () => {
    const v = await runCheck(helmRelease, snapshot({ helmSecrets: [helm3Secret(release({ status: 'failed' }))] }));
    expect(v).toMatchObject({
      status: 'fail',
      code: 'LG-703',
      message: 'the release greetings (chart greetings-0.3.0, revision 1, failed, Helm 3 Secret default/sh.helm.release.v1.greetings.v1) is not deployed',
      hint: `Exercise 7 step 5: \`helm status greetings\` tells why it is failed; to install again: \`helm uninstall greetings\`, \`kubectl delete deployment myapp myapi\` (the chart makes its own), then in greetings/k8s/helm \`helm install greetings . --set registry=${LOGIN}\`.`,
      evidence: { release: 'greetings', chart: 'greetings', chartVersion: '0.3.0', revision: 1, status: 'failed', helm: 3, object: 'default/sh.helm.release.v1.greetings.v1' },
      found: 'failed',
      expected: 'deployed',
      outcome: 'not-ready',
      facts: { helmRelease: { name: 'greetings', status: 'failed' } },
    });
  });

  it('a pending Helm 2 release is LG-703, with `helm delete --purge` and the placeholder when the registry is unknown', async () => {
    const v = await runCheck(helmRelease, snapshot({ helmConfigMaps: [helm2ConfigMap(release({ name: 'wobbly-panda', helm: 2, status: 'pending-install' }))] }), {});
    expect(v).toMatchObject({ status: 'fail', code: 'LG-703', found: 'pending-install', evidence: { helm: 2 } });
    expect(v.hint).toBe(
      `Exercise 7 step 5: \`helm status wobbly-panda\` tells why it is pending-install; to install again: \`helm delete --purge wobbly-panda\`, \`kubectl delete deployment myapp myapi\` (the chart makes its own), then in greetings/k8s/helm \`helm install . --name wobbly-panda --set registry=${PLACEHOLDER}\`.`,
    );
  });

  it('an undecodable release named like the chart counts, with what is not known of it as null', async () => {
    const broken: V1Secret = { ...helm3Secret(release({ status: 'failed' })), data: {} };
    const v = await runCheck(helmRelease, snapshot({ helmSecrets: [broken] }));
    expect(v).toMatchObject({ status: 'fail', code: 'LG-703', evidence: { release: 'greetings', chart: null, chartVersion: null, status: 'failed' } });
    expect(v.message).toContain('(chart ?, revision 1, failed,');
  });
});

/** A decoded release as ex7.helm.release provides it. */
/** The release with the chart's own values.yaml as the lab ships it (its broken default registry). */
const rec = (over: Partial<HelmReleaseRecord> = {}): HelmReleaseRecord => helmReleaseRecord({ chartValues: { registry: 'azurezr.io', myapp: { versionTag: 'v1.0' } }, ...over });

/** A pod pulling `image`, from which the student's registry is inferred when Exercise 4 did not find it. */
const pod = (image: string): V1Pod => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image }] } });

describe('ex7.helm.registry, run on the release', () => {
  const runRegistry = (r: HelmReleaseRecord | undefined, { facts = FOUND, pods = [] as V1Pod[] } = {}) => runCheck(helmRegistry, snapshot({ pods }), { ...facts, helmRelease: r });
  const HINT = `Exercise 7 step 5: in greetings/k8s/helm run \`helm upgrade greetings . --set registry=${LOGIN}\` (Helm renders the release again with your registry).`;
  const PLACEHOLDER_HINT = `Exercise 7 step 5: in greetings/k8s/helm run \`helm upgrade greetings . --set registry=${PLACEHOLDER}\` (Helm renders the release again with your registry).`;

  it("passes the student's registry given at install, read as Helm renders it (trimmed, any case)", async () => {
    expect(await runRegistry(rec({ values: { registry: ` ${LOGIN.toUpperCase()} ` } }))).toEqual({
      status: 'pass',
      message: `the release greetings pulls from your registry ${LOGIN} (given at install)`,
      evidence: { release: 'greetings', registry: LOGIN, from: 'given at install', registrySource: 'ex4.registry.exists' },
    });
  });

  it("passes the student's registry written into the chart's values.yaml before installing", async () => {
    const v = await runRegistry(rec({ values: undefined, chartValues: { registry: LOGIN } }));
    expect(v).toMatchObject({ status: 'pass', message: `the release greetings pulls from your registry ${LOGIN} (the chart's values.yaml)`, evidence: { from: "the chart's values.yaml" } });
  });

  it("the chart's broken default left in place is LG-712, with the student's registry to set", async () => {
    expect(await runRegistry(rec())).toEqual({
      status: 'fail',
      code: 'LG-712',
      message: "the release greetings leaves registry at the chart's broken default azurezr.io: its images cannot be pulled",
      hint: HINT,
      evidence: { release: 'greetings', registry: 'azurezr.io', from: "the chart's values.yaml" },
      outcome: 'needs-fix',
      found: 'azurezr.io',
    });
  });

  it.each([
    ['set nowhere', rec({ values: {}, chartValues: {} }), 'nowhere', null, 'not set', "neither the chart's values.yaml nor the install sets it"],
    ['removed at install (null)', rec({ values: { registry: null } }), 'given at install', null, 'not set', 'removed, given at install'],
    ['not text', rec({ values: { registry: 42 } }), 'given at install', null, '42', 'set to 42, given at install'],
    ['blank', rec({ values: { registry: '  ' } }), 'given at install', '', '"  "', 'set to "  ", given at install'],
  ])('a registry %s is LG-715, saying where it went missing', async (_what, r, from, registry, found, where) => {
    expect(await runRegistry(r)).toMatchObject({
      status: 'fail',
      code: 'LG-715',
      message: `the release greetings has no registry (${where}): its images cannot be pulled`,
      hint: HINT,
      found,
      outcome: 'needs-fix',
      evidence: { release: 'greetings', registry, from },
    });
  });

  it("a Helm 2 release's hint upgrades it by its own name with the Helm 2 client (tiller holds it)", async () => {
    const helm2 = rec({ source: 'helm2-configmap', namespace: 'kube-system', objectName: 'jolly-otter.v1', name: 'jolly-otter' });
    expect(await runRegistry(helm2)).toMatchObject({
      status: 'fail',
      code: 'LG-712',
      hint: `Exercise 7 step 5: in greetings/k8s/helm run \`helm upgrade jolly-otter . --set registry=${LOGIN}\` with the Helm 2 client that installed it (tiller holds the release; Helm 3 does not see it).`,
    });
  });

  it("another student's registry is LG-713, naming theirs and the student's", async () => {
    expect(await runRegistry(rec({ values: { registry: 'labuser99acr.azurecr.io' } }))).toEqual({
      status: 'fail',
      code: 'LG-713',
      message: `the release greetings sets registry=labuser99acr.azurecr.io, not your registry ${LOGIN}`,
      hint: HINT,
      evidence: { release: 'greetings', registry: 'labuser99acr.azurecr.io', from: 'given at install', yours: LOGIN },
      outcome: 'needs-fix',
      found: 'labuser99acr.azurecr.io',
      expected: LOGIN,
    });
  });

  it("without Exercise 4's fact, the registry the pods pull from is the student's", async () => {
    const v = await runRegistry(rec({ values: { registry: 'labuser99acr.azurecr.io' } }), { facts: {}, pods: [pod(`${LOGIN}/myapp:v1.0`)] });
    expect(v).toMatchObject({ status: 'fail', code: 'LG-713', expected: LOGIN, hint: HINT });
    expect(await runRegistry(rec({ values: { registry: LOGIN } }), { facts: {}, pods: [pod(`${LOGIN}/myapp:v1.0`)] })).toMatchObject({
      status: 'pass',
      evidence: { registrySource: 'pod images' },
    });
  });

  describe("with the student's registry unknown", () => {
    it('any Azure registry passes, not compared', async () => {
      expect(await runRegistry(rec({ values: { registry: 'labuser99acr.azurecr.io' } }), { facts: {} })).toEqual({
        status: 'pass',
        message: 'the release greetings pulls from labuser99acr.azurecr.io (your registry is not known in this mode, so it was not compared)',
        evidence: { release: 'greetings', registry: 'labuser99acr.azurecr.io', from: 'given at install' },
      });
    });

    it.each(['docker.io', 'azurecr.io', 'labuser07acr.azurezr.io'])('%s is LG-714, not an Azure registry, with the placeholder to set', async (registry) => {
      expect(await runRegistry(rec({ values: { registry } }), { facts: {} })).toEqual({
        status: 'fail',
        code: 'LG-714',
        message: `the release greetings sets registry=${registry}, which is not an Azure registry (*.azurecr.io)`,
        hint: PLACEHOLDER_HINT,
        evidence: { release: 'greetings', registry, from: 'given at install' },
        outcome: 'needs-fix',
        found: registry,
      });
    });

    it('the broken default is LG-712 there too', async () => {
      expect(await runRegistry(rec(), { facts: {} })).toMatchObject({ status: 'fail', code: 'LG-712', hint: PLACEHOLDER_HINT });
    });
  });

  it("a release whose values cannot be decoded is LG-711, a fail naming the decoder's reason and how to install again", async () => {
    const r = rec({ chartName: undefined, chartVersion: undefined, values: undefined, chartValues: undefined, decodeError: 'cannot decode the Helm 3 release: bad gzip' });
    expect(await runRegistry(r)).toEqual({
      status: 'fail',
      code: 'LG-711',
      message: 'cannot read the values of greetings (chart ?, revision 1, deployed, Helm 3 Secret default/sh.helm.release.v1.greetings.v1): cannot decode the Helm 3 release: bad gzip',
      hint: `Exercise 7 step 5: install the release again: \`helm uninstall greetings\`, \`kubectl delete deployment myapp myapi\` (the chart makes its own), then in greetings/k8s/helm \`helm install greetings . --set registry=${LOGIN}\`.`,
      evidence: { release: 'greetings', chart: null, chartVersion: null, revision: 1, status: 'deployed', helm: 3, object: 'default/sh.helm.release.v1.greetings.v1' },
      outcome: 'needs-fix',
    });
  });

  it('an undecodable release of a student whose registry was not found: LG-711, the install command with the placeholder', async () => {
    const r = rec({ chartName: undefined, chartVersion: undefined, values: undefined, chartValues: undefined, decodeError: 'cannot decode the Helm 3 release: bad gzip' });
    expect(await runRegistry(r, { facts: {} })).toMatchObject({
      status: 'fail',
      code: 'LG-711',
      hint: `Exercise 7 step 5: install the release again: \`helm uninstall greetings\`, \`kubectl delete deployment myapp myapi\` (the chart makes its own), then in greetings/k8s/helm \`helm install greetings . --set registry=${PLACEHOLDER}\`.`,
    });
  });

  it('run without the release it depends on is a grader bug', async () => {
    await expect(runRegistry(undefined)).rejects.toThrow('ex7.helm.release passed without naming its release');
  });
});
