/**
 * Exercise 5 steps 10–17 on stand-in ARM and Kubernetes probes: the cluster may pull from the student's
 * registry, proven by a role assignment or by a pod running an image from it; each reason code where
 * neither proves it, and the grader's error where it cannot tell.
 */
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../core/check.js';
import type { KubeSnapshot, Probes, RoleAssignmentFacts } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { kubeSnapshot, standInKube } from '../../test/support/kube-check.js';
import { labPod } from '../../test/support/kube-objects.js';
import { discovered, KUBELET_ID, LAB_CLUSTER, LAB_REGISTRY, LOGIN_SERVER, pullRole, standInAzure } from '../../test/support/lab-azure.js';
import '../facts.js';
import { repositoryCondition } from '../../sandbox/arm/resources.js';
import { pullAuthorized } from './pull.js';

const FOUND: Partial<Facts> = { cluster: discovered(LAB_CLUSTER), registry: discovered(LAB_REGISTRY) };
const APP_IMAGE = `${LOGIN_SERVER}/myapp:v1.0`;
const azureWith = (roleAssignments: RoleAssignmentFacts[], registry = LAB_REGISTRY) => standInAzure({ clusters: [LAB_CLUSTER], registries: [registry], roleAssignments });
const pods = (...p: ReturnType<typeof labPod>[]) => standInKube(kubeSnapshot({ pods: p }));
const UNREADABLE: KubeSnapshot = kubeSnapshot({ unreadable: { pods: 'pods is forbidden: User "grader" cannot list resource "pods"' } });
const graded = (probes: Probes, facts: Partial<Facts> = FOUND) => runWith(pullAuthorized, probes, { facts });

describe('ex5.pull.authorized', () => {
  it("passes on a pull role of the cluster's identity on the registry", async () => {
    expect(await graded({ azure: azureWith([pullRole('AcrPull')]) })).toMatchObject({
      status: 'pass',
      evidence: { registry: LOGIN_SERVER, role: 'AcrPull', scope: LAB_REGISTRY.id, principalId: KUBELET_ID },
    });
  });

  it('passes on a pod running an image from the registry, without Azure', async () => {
    expect(await graded({ kube: pods(labPod('myapp', 'myapp', APP_IMAGE)) })).toMatchObject({ status: 'pass', evidence: { registry: LOGIN_SERVER, pods: ['myapp'] } });
  });

  it('neither Azure nor the cluster to read is skipped with LG-511', async () => {
    expect(await graded({})).toMatchObject({ status: 'skipped', code: 'LG-511' });
  });

  it('no registry known from Exercise 4 nor from the pods fails with LG-512 (not started)', async () => {
    expect(await graded({ azure: standInAzure(), kube: pods(labPod('web', 'web', 'nginx:1.27')) }, {})).toMatchObject({
      status: 'fail',
      code: 'LG-512',
      evidence: { registrySource: 'unknown' },
    });
  });

  it('no pull role and no pod running from the registry fails with LG-513, naming the identities checked', async () => {
    const backOff = labPod('myapp', 'myapp', APP_IMAGE, { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${APP_IMAGE}"` } });
    expect(await graded({ azure: azureWith([pullRole('Reader', '/subscriptions/s/resourceGroups/other-rg')]), kube: pods(backOff) })).toMatchObject({
      status: 'fail',
      code: 'LG-513',
      outcome: 'not-ready',
      evidence: { registry: LOGIN_SERVER, identitiesChecked: [KUBELET_ID], rolesThatCount: ['Reader', 'AcrPull', 'AcrPush', 'Contributor', 'Owner'] },
    });
  });

  it('in ABAC mode AcrPull does not count: LG-513, saying the mode', async () => {
    const abac = { ...LAB_REGISTRY, roleAssignmentMode: 'AbacRepositoryPermissions' };
    expect(await graded({ azure: azureWith([pullRole('AcrPull')], abac) }, { ...FOUND, registry: discovered(abac) })).toMatchObject({
      status: 'fail',
      code: 'LG-513',
      evidence: {
        roleAssignmentMode: 'AbacRepositoryPermissions',
        rolesThatCount: ['Container Registry Repository Reader', 'Container Registry Repository Writer', 'Container Registry Repository Contributor'],
      },
    });
  });

  describe('in ABAC mode, a repository role limited by a condition', () => {
    const abac = { ...LAB_REGISTRY, roleAssignmentMode: 'AbacRepositoryPermissions' };
    const limitedTo = (...repositories: string[]) => ({ ...pullRole('Container Registry Repository Reader'), condition: repositoryCondition(repositories) });
    const gradedAbac = (probes: Probes) => graded(probes, { ...FOUND, registry: discovered(abac) });

    it("to other repositories grants nothing: LG-513, showing the condition's repositories", async () => {
      expect(await gradedAbac({ azure: azureWith([limitedTo('greetings/myapp', 'greetings/myapi')], abac), kube: pods() })).toMatchObject({
        status: 'fail',
        code: 'LG-513',
        evidence: {
          limitedByCondition: [
            "Container Registry Repository Reader on …/registries/labuser07acr, only where repository name StringEqualsIgnoreCase 'greetings/myapp' OR StringEqualsIgnoreCase 'greetings/myapi'",
          ],
        },
      });
    });

    it("to one of the lab's two repositories does not decide alone: with the pods unreadable, the error LG-014", async () => {
      expect(await gradedAbac({ azure: azureWith([limitedTo('myapp')], abac), kube: standInKube(UNREADABLE) })).toMatchObject({
        status: 'error',
        code: 'LG-014',
        evidence: { limitedByCondition: [expect.stringContaining("StringEqualsIgnoreCase 'myapp'")] },
      });
    });

    it("to both of the lab's repositories decides alone, the pods unreadable", async () => {
      expect(await gradedAbac({ azure: azureWith([limitedTo('myapp', 'myapi')], abac), kube: standInKube(UNREADABLE) })).toMatchObject({
        status: 'pass',
        evidence: { role: 'Container Registry Repository Reader', roleAssignmentMode: 'AbacRepositoryPermissions' },
      });
    });
  });

  it('without Azure and without a running pod from the registry: LG-513, Azure not checked', async () => {
    expect(await graded({ kube: pods() })).toMatchObject({ status: 'fail', code: 'LG-513', evidence: { azure: 'not checked' } });
  });

  it('no pull role while the pods cannot be read is the error LG-014, following from ex5.kube.reachable', async () => {
    expect(await graded({ azure: azureWith([]), kube: standInKube(UNREADABLE) })).toMatchObject({
      status: 'error',
      code: 'LG-014',
      causedBy: 'ex5.kube.reachable',
      evidence: { registry: LOGIN_SERVER, identitiesChecked: [KUBELET_ID] },
    });
  });

  it('a pull role decides even when the pods cannot be read', async () => {
    expect(await graded({ azure: azureWith([pullRole('AcrPull')]), kube: standInKube(UNREADABLE) })).toMatchObject({ status: 'pass' });
  });

  it("without Azure, pods that cannot be read leave the probe's error to the engine", async () => {
    await expect(graded({ kube: standInKube(UNREADABLE) })).rejects.toMatchObject({ probe: 'kube', detail: { unreadable: ['pods'] } });
  });
});
