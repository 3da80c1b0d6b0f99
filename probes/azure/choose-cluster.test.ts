/** Choosing the student's cluster among several in the resource group by a ladder of evidence, and saying why. */
import { describe, expect, it } from 'vitest';
import { managedCluster } from '../../test/support/azure-facts.js';
import type { RegistryFacts, RoleAssignmentFacts } from '../types.js';
import { chooseCluster, grantText, newestOf, pullGrantsOf, type ClusterLook, type PullGrant } from './choose-cluster.js';

const cluster = managedCluster;
const looks = (entries: Record<string, ClusterLook>) => new Map(Object.entries(entries));
const empty: ClusterLook = { labDeployments: [], registryPulls: 0 };
const stopped: ClusterLook = { unreadable: 'connect ECONNREFUSED' };
const grant = (c: string, registry = 'labacr'): PullGrant => ({ cluster: c, registry, role: 'AcrPull', fromAbove: false });

// `aks-attempt1` comes first by name and is the newer: a rule by name or by age alone would pick it.
const attempt1 = cluster('aks-attempt1', { createdAt: '2024-10-01T09:15:00Z' });
const lab = cluster('aks-lab', { createdAt: '2024-10-01T08:15:00Z' });
const labStopped = cluster('aks-lab', { powerState: 'Stopped', createdAt: '2024-10-01T08:15:00Z' });

describe('chooseCluster', () => {
  it('none: undefined; one: it, without asking for more evidence', async () => {
    expect(await chooseCluster([])).toBeUndefined();
    const asked: string[] = [];
    const only = await chooseCluster([cluster('aks1')], { grants: async () => (asked.push('grants'), []) });
    expect(only).toMatchObject({ chosen: { name: 'aks1' }, candidates: ['aks1'], reason: 'the only managed cluster in the resource group' });
    expect(asked).toEqual([]);
  });

  it("(a) the one whose API holds the lab's Deployments, whatever its name, age or the roles", async () => {
    const d = await chooseCluster([attempt1, lab], {
      looks: looks({ 'aks-attempt1': { labDeployments: ['myapp'], registryPulls: 0 }, 'aks-lab': { labDeployments: ['myapp', 'myapi'], registryPulls: 4, pulledFrom: 'labacr.azurecr.io' } }),
      grants: async () => [grant('aks-attempt1')],
    });
    expect(d).toEqual({ chosen: lab, candidates: ['aks-attempt1', 'aks-lab'], reason: "its API holds the lab's Deployments (myapp, myapi)" });
  });

  it('(b) the one whose pods pull from your registry, also among those holding the Deployments alike', async () => {
    const pods = await chooseCluster([attempt1, lab], { looks: looks({ 'aks-attempt1': empty, 'aks-lab': { labDeployments: [], registryPulls: 1, pulledFrom: 'labacr.azurecr.io' } }) });
    expect(pods).toMatchObject({ chosen: lab, reason: 'its pods pull from your registry labacr.azurecr.io (1 container(s))' });
    const both = await chooseCluster([attempt1, lab], {
      looks: looks({ 'aks-attempt1': { labDeployments: ['myapp', 'myapi'], registryPulls: 0 }, 'aks-lab': { labDeployments: ['myapp', 'myapi'], registryPulls: 3, pulledFrom: 'labacr.azurecr.io' } }),
    });
    expect(both).toMatchObject({ chosen: lab, reason: "its pods pull from your registry labacr.azurecr.io (3 container(s)) (aks-attempt1, aks-lab all hold the lab's Deployments)" });
  });

  it('(c) the stopped cluster whose identity holds a pull role on your registry, over an empty running one (the auditor\u2019s case)', async () => {
    const d = await chooseCluster([attempt1, labStopped], { looks: looks({ 'aks-attempt1': empty, 'aks-lab': stopped }), grants: async () => [grant('aks-lab')] });
    expect(d).toMatchObject({
      chosen: { name: 'aks-lab' },
      reason: "its pulling identity holds AcrPull on your registry labacr (no API that answered holds the lab's Deployments or pods from your registry)",
    });
  });

  it('(c) from ARM alone (Exercise 3 without the APIs): the role decides, roles alike do not', async () => {
    expect(await chooseCluster([attempt1, lab], { grants: async () => [grant('aks-lab'), { ...grant('aks-lab'), role: 'Reader' }] })).toMatchObject({
      chosen: lab,
      reason: 'its pulling identity holds AcrPull on your registry labacr, Reader on your registry labacr',
    });
    expect(await chooseCluster([attempt1, lab], { grants: async () => [grant('aks-lab'), grant('aks-attempt1')] })).toMatchObject({
      chosen: attempt1,
      reason: 'nothing else tells aks-attempt1, aks-lab apart: the newest, created 2024-10-01 09:15 UTC (the pulling identities of aks-attempt1, aks-lab all hold a pull role on your registry)',
    });
  });

  it('(d) the answering APIs hold nothing of the lab and one could not be read: that one, saying why (its power state, else the error)', async () => {
    const d = await chooseCluster([attempt1, labStopped], { looks: looks({ 'aks-attempt1': empty, 'aks-lab': stopped }), grants: async () => [] });
    expect(d).toMatchObject({
      chosen: { name: 'aks-lab' },
      reason:
        "its API could not be read (it is Stopped) while the others' hold none of the lab's objects: the work may be on it (no API that answered holds the lab's Deployments or pods from your registry)",
    });
    const unreachable = await chooseCluster([attempt1, lab], { looks: looks({ 'aks-attempt1': empty, 'aks-lab': { unreadable: 'getaddrinfo ENOTFOUND' } }) });
    expect(unreachable?.reason).toMatch(/^its API could not be read \(getaddrinfo ENOTFOUND\)/);
  });

  it("(d) not when an answering API holds the lab's objects, nor when none answered", async () => {
    expect(await chooseCluster([attempt1, labStopped], { looks: looks({ 'aks-attempt1': { labDeployments: ['myapi'], registryPulls: 0 }, 'aks-lab': stopped }) })).toMatchObject({
      chosen: attempt1,
    });
    expect(await chooseCluster([attempt1, labStopped], { looks: looks({ 'aks-attempt1': stopped, 'aks-lab': stopped }) })).toMatchObject({
      chosen: attempt1,
      reason: "nothing else tells aks-attempt1, aks-lab apart: the newest, created 2024-10-01 09:15 UTC (no API that answered holds the lab's Deployments or pods from your registry)",
    });
  });

  it('(d) several could not be read: the newest of those', async () => {
    const older = cluster('aks-0', { powerState: 'Stopped', createdAt: '2024-10-01T07:00:00Z' });
    const d = await chooseCluster([attempt1, labStopped, older], { looks: looks({ 'aks-attempt1': empty, 'aks-lab': stopped, 'aks-0': stopped }) });
    expect(d).toMatchObject({
      chosen: { name: 'aks-lab' },
      reason: expect.stringMatching(/^nothing else tells aks-0, aks-lab apart: the newest, created 2024-10-01 08:15 UTC \(.*the APIs of aks-0, aks-lab could not be read\)$/),
    });
  });

  it('(e) a true tie: the newest, not the first by name; the first by name only when not even creation times are known, saying so', async () => {
    expect(await chooseCluster([cluster('zeta', { createdAt: '2024-10-02T00:00:00Z' }), cluster('Alpha', { createdAt: '2024-10-01T00:00:00Z' })])).toMatchObject({
      chosen: { name: 'zeta' },
      reason: 'nothing else tells Alpha, zeta apart: the newest, created 2024-10-02 00:00 UTC',
    });
    expect(await chooseCluster([cluster('zeta'), cluster('Alpha')])).toMatchObject({
      chosen: { name: 'Alpha' },
      reason: 'nothing tells Alpha, zeta apart, not even when they were created: the first by name',
    });
  });
});

describe('newestOf', () => {
  it('the one created last; undefined when no time or a tie at the latest', () => {
    expect(newestOf([{ createdAt: '2024-10-01T08:00:00Z' }, {}, { createdAt: '2024-10-01T09:30:59Z' }])).toEqual({
      chosen: { createdAt: '2024-10-01T09:30:59Z' },
      said: 'the newest, created 2024-10-01 09:30 UTC',
    });
    expect(newestOf([{}, { createdAt: 'not a time' }])).toBeUndefined();
    expect(newestOf([{ createdAt: '2024-10-01T09:00:00Z' }, { createdAt: '2024-10-01T09:00:00.000Z' }])).toBeUndefined();
  });
});

describe('pullGrantsOf', () => {
  const registries: RegistryFacts[] = ['labacr', 'otheracr'].map((name) => ({
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/${name}`,
    name,
    loginServer: `${name}.azurecr.io`,
    adminUserEnabled: true,
  }));
  const ra = (principalId: string, scope: string, roleName?: string): RoleAssignmentFacts => ({
    id: `${scope}/ra/${principalId}`,
    scope,
    principalId,
    roleDefinitionId: '/rd',
    ...(roleName ? { roleName } : {}),
  });

  it('the pull roles of each cluster on each registry, at it or from a scope above it; other identities and roles are not evidence', () => {
    const grants = pullGrantsOf(
      [attempt1, lab],
      registries,
      [
        ra('KUBELET-AKS-LAB', registries[0].id.toUpperCase(), 'AcrPull'),
        ra('kubelet-aks-attempt1', '/subscriptions/s/resourceGroups/rg', 'Reader'),
        ra('kubelet-aks-lab', registries[1].id, 'Owner of nothing'),
        ra('kubelet-aks-lab', registries[1].id),
        ra('someone-else', registries[1].id, 'AcrPull'),
      ],
      ['AcrPull', 'Reader'],
    );
    expect(grants).toEqual([
      { cluster: 'aks-attempt1', registry: 'labacr', role: 'Reader', fromAbove: true },
      { cluster: 'aks-attempt1', registry: 'otheracr', role: 'Reader', fromAbove: true },
      { cluster: 'aks-lab', registry: 'labacr', role: 'AcrPull', fromAbove: false },
    ]);
    expect(grants.map(grantText)).toEqual(['Reader on your registry labacr (from a scope above it)', 'Reader on your registry otheracr (from a scope above it)', 'AcrPull on your registry labacr']);
  });
});
