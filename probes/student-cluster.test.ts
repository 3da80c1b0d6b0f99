/** The student's cluster for the Kubernetes probe: each cluster's API looked into, then the ladder of choose-cluster.ts. */
import { describe, expect, it } from 'vitest';
import { managedCluster } from '../test/support/azure-facts.js';
import { ProbeError, type ManagedClusterFacts, type RegistryFacts, type RoleAssignmentFacts } from './types.js';
import { studentCluster, type StudentClusterDeps, type Workloads } from './student-cluster.js';

const cluster = managedCluster;
const REGISTRY: RegistryFacts = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/labacr',
  name: 'labacr',
  loginServer: 'labacr.azurecr.io',
  adminUserEnabled: true,
};
const acrPull = (principalId: string): RoleAssignmentFacts => ({ id: `${REGISTRY.id}/ra/${principalId}`, scope: REGISTRY.id, principalId, roleDefinitionId: '/rd/acrpull', roleName: 'AcrPull' });

interface World {
  clusters: ManagedClusterFacts[];
  /** By cluster name: what its API lists, or an error (it does not answer). */
  apis: Record<string, Workloads | Error>;
  assignments?: RoleAssignmentFacts[] | Error;
  registries?: RegistryFacts[] | Error;
}

/** The deps over a small world, recording every read. */
function deps(w: World): StudentClusterDeps & { reads: string[] } {
  const reads: string[] = [];
  const answer = async <T>(what: string, v: T | Error | undefined, fallback: T): Promise<T> => {
    reads.push(what);
    if (v instanceof Error) throw v;
    return v ?? fallback;
  };
  return {
    reads,
    clusters: async () => w.clusters,
    kubeconfigOf: async (name) => (reads.push(`kubeconfig ${name}`), `kubeconfig of ${name}`),
    workloads: async (kubeconfig) => answer(`workloads ${kubeconfig.replace('kubeconfig of ', '')}`, w.apis[kubeconfig.replace('kubeconfig of ', '')], { deployments: [], images: [] }),
    labDeployments: ['myapp', 'myapi'],
    registries: () => answer('registries', w.registries, [REGISTRY]),
    roleAssignments: () => answer('role assignments', w.assignments, []),
    pullRoles: ['AcrPull', 'Container Registry Repository Reader'],
  };
}

const nothing: Workloads = { deployments: [], images: [] };
const refused = new ProbeError('kube', 'connect ECONNREFUSED 127.0.0.1:443');

describe('studentCluster', () => {
  it('no cluster: a ProbeError the Kubernetes checks report', async () => {
    await expect(studentCluster(deps({ clusters: [], apis: {} }))).rejects.toThrow('no AKS cluster in the resource group to get credentials from');
  });

  it('one cluster: it, without looking inside; its kubeconfig fetched when asked', async () => {
    const d = deps({ clusters: [cluster('aks1')], apis: {} });
    const chosen = await studentCluster(d);
    expect(chosen).toMatchObject({ name: 'aks1', reason: 'the only managed cluster in the resource group', candidates: ['aks1'] });
    expect(d.reads).toEqual([]);
    expect(await chosen.kubeconfig()).toBe('kubeconfig of aks1');
  });

  it("several: the one whose API holds the lab's Deployments, its kubeconfig reused; the role assignments are not read", async () => {
    const d = deps({ clusters: [cluster('aks-attempt1'), cluster('aks-lab')], apis: { 'aks-attempt1': nothing, 'aks-lab': { deployments: ['myapi', 'other', 'myapp'], images: [] } } });
    const chosen = await studentCluster(d);
    expect(chosen).toMatchObject({ name: 'aks-lab', reason: "its API holds the lab's Deployments (myapp, myapi)", candidates: ['aks-attempt1', 'aks-lab'] });
    expect(await chosen.kubeconfig()).toBe('kubeconfig of aks-lab');
    expect(d.reads.filter((r) => r.startsWith('kubeconfig')).sort()).toEqual(['kubeconfig aks-attempt1', 'kubeconfig aks-lab']);
    expect(d.reads).not.toContain('role assignments');
  });

  it("the pods' images count when they name one of the student's registries (login server, any case)", async () => {
    const apis = {
      'aks-a': { deployments: [], images: ['docker.io/labacr.azurecr.io/trick:1', 'nginx', 'otheracr.azurecr.io/myapp:v1.0'] },
      'aks-b': { deployments: [], images: ['LabAcr.azurecr.io/myapp:v1.0'] },
    };
    expect(await studentCluster(deps({ clusters: [cluster('aks-a'), cluster('aks-b')], apis }))).toMatchObject({
      name: 'aks-b',
      reason: 'its pods pull from your registry labacr.azurecr.io (1 container(s))',
    });
  });

  it('a stopped cluster holding the AcrPull role on the registry, beside an empty running one: the stopped one (the student is told to start it, not failed)', async () => {
    const world: World = {
      clusters: [cluster('aks-attempt1', { createdAt: '2024-10-02T00:00:00Z' }), cluster('aks-lab', { powerState: 'Stopped', createdAt: '2024-10-01T00:00:00Z' })],
      apis: { 'aks-attempt1': nothing, 'aks-lab': refused },
      assignments: [acrPull('kubelet-aks-lab')],
    };
    expect(await studentCluster(deps(world))).toMatchObject({ name: 'aks-lab', reason: expect.stringMatching(/^its pulling identity holds AcrPull on your registry labacr \(/) });
    // Role assignments the grader may not read: the stopped one still, as the only API that could not tell.
    expect(await studentCluster(deps({ ...world, assignments: new ProbeError('azure', 'AuthorizationFailed') }))).toMatchObject({
      name: 'aks-lab',
      reason: expect.stringMatching(/^its API could not be read \(it is Stopped\)/),
    });
  });

  it('registries that cannot be listed leave the pods without evidence, not the choice without an answer', async () => {
    const world: World = {
      clusters: [cluster('aks-a', { createdAt: '2024-10-01T00:00:00Z' }), cluster('aks-b', { createdAt: '2024-10-02T00:00:00Z' })],
      apis: { 'aks-a': { deployments: [], images: ['labacr.azurecr.io/myapp:v1.0'] }, 'aks-b': nothing },
      registries: new ProbeError('azure', 'AuthorizationFailed'),
    };
    expect(await studentCluster(deps(world))).toMatchObject({ name: 'aks-b', reason: expect.stringMatching(/^nothing else tells aks-a, aks-b apart: the newest/) });
  });

  it('a kubeconfig Azure would not hand out makes that API unreadable, and the chosen one is fetched again when asked', async () => {
    const d = deps({ clusters: [cluster('aks-a'), cluster('aks-b', { powerState: 'Stopped' })], apis: { 'aks-a': nothing } });
    const kubeconfigOf = d.kubeconfigOf;
    let refusals = 1;
    d.kubeconfigOf = async (name) => {
      if (name === 'aks-b' && refusals-- > 0) throw new ProbeError('azure', 'listClusterUserCredential: AuthorizationFailed');
      return kubeconfigOf(name);
    };
    const chosen = await studentCluster(d);
    expect(chosen).toMatchObject({ name: 'aks-b', reason: expect.stringMatching(/^its API could not be read \(it is Stopped\)/) });
    expect(await chosen.kubeconfig()).toBe('kubeconfig of aks-b');
  });
});
