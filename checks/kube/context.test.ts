/** Which registry is the student's: one rule for every Exercise 5–7 check. */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { CheckContext, Facts } from '../../core/check.js';
import { loadProfile } from '../../core/profile.js';
import type { ManagedClusterFacts, RegistryFacts } from '../../probes/types.js';
import { kubeSnapshot } from '../../test/support/kube-check.js';
import { grantTarget, isStudentImage, isStudentRegistry, studentRegistry, type StudentRegistry } from './context.js';

const profile = loadProfile();
const lab = profile.expect;
const acr: RegistryFacts = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/labuser07acr',
  name: 'labuser07acr',
  loginServer: 'LabUser07acr.azurecr.io',
  adminUserEnabled: true,
};
const aks: ManagedClusterFacts = { id: '/x/managedClusters/aks07', name: 'aks07', agentPools: [], pullIdentityObjectIds: [] };
const ctx = (facts: Partial<Facts> = {}) => ({ profile, target: { user: 'labuser07', resourceGroup: 'labuser07-rg' }, fact: (name: keyof Facts) => facts[name] }) as unknown as CheckContext;
const chosen = <T extends { name: string }>(c: T) => ({ chosen: c, candidates: [c.name], reason: 'stand-in' });
const pod = (...images: string[]): V1Pod => ({ spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } });

describe('studentRegistry', () => {
  it("Exercise 4's registry, its login server lower-cased", () => {
    expect(studentRegistry(ctx({ registry: chosen(acr) }), kubeSnapshot({ pods: [pod('otheracr.azurecr.io/myapp:v1.0')] }))).toEqual({
      loginServer: 'labuser07acr.azurecr.io',
      name: 'labuser07acr',
      registryId: acr.id,
      chosen: acr,
      source: 'ex4.registry.exists',
    });
  });

  it("else the Azure registry most pods pull from, the lab's repositories weighing more", () => {
    const pods = [pod('aaaacr.azurecr.io/tool:1', 'aaaacr.azurecr.io/tool:2'), pod('zzzacr.azurecr.io/myapp:v1.0'), pod('nginx', 'gcr.io/x/y:1')];
    expect(studentRegistry(ctx(), kubeSnapshot({ pods }))).toEqual({ loginServer: 'zzzacr.azurecr.io', name: 'zzzacr', source: 'pod images' });
  });

  it('else unknown', () => {
    expect(studentRegistry(ctx(), kubeSnapshot({ pods: [pod('nginx', 'gcr.io/x/y:1')] }))).toEqual({ source: 'unknown' });
  });
});

describe("an image from the student's registry", () => {
  const known: StudentRegistry = { loginServer: 'labuser07acr.azurecr.io', source: 'ex4.registry.exists' };
  const unknown: StudentRegistry = { source: 'unknown' };

  it.each([
    ['LabUser07acr.azurecr.io/myapp:v1.0', true],
    [`labuser07acr.azurecr.io/myapp:v1.0@sha256:${'b'.repeat(64)}`, true],
    ['labuser07acr.azurecr.io/myapp:latest', false],
    ['labuser07acr.azurecr.io/myapi:v1.0', false],
    ['otheracr.azurecr.io/myapp:v1.0', false],
    ['myapp:v1.0', false],
    [undefined, false],
  ])('%s is the lab image in the known registry: %s', (image, yes) => expect(isStudentImage(image, known, lab, lab.app.image)).toBe(yes));

  it("with the student's registry unknown, any registry of the lab's domain is theirs", () => {
    expect(isStudentImage('otheracr.azurecr.io/myapp:v1.0', unknown, lab, lab.app.image)).toBe(true);
    expect(isStudentRegistry('otheracr.azurecr.io', unknown, lab.registryDomain)).toBe(true);
    expect(isStudentRegistry('gcr.io', unknown, lab.registryDomain)).toBe(false);
    expect(isStudentRegistry(undefined, unknown, lab.registryDomain)).toBe(false);
    expect(isStudentRegistry('otheracr.azurecr.io', known, lab.registryDomain)).toBe(false);
  });
});

describe('grantTarget', () => {
  it('the cluster and registry as Azure lists them, else the facts, else the registry inferred from the pods', () => {
    const listed = { cluster: { ...aks, name: 'listed' }, registry: { ...acr, name: 'listedacr' } };
    const reg = studentRegistry(ctx({ registry: chosen(acr) }));
    expect(grantTarget(ctx({ cluster: chosen(aks) }), reg, listed)).toEqual({ ...listed, resourceGroup: 'labuser07-rg' });
    expect(grantTarget(ctx({ cluster: chosen(aks) }), reg)).toEqual({ cluster: aks, registry: acr, resourceGroup: 'labuser07-rg' });
    expect(grantTarget(ctx(), { loginServer: 'zzzacr.azurecr.io', name: 'zzzacr', source: 'pod images' })).toEqual({ registry: { name: 'zzzacr' }, resourceGroup: 'labuser07-rg' });
  });
});
