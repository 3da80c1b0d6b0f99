/** Choosing the student's cluster and registry among several, and saying why. */
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../core/check.js';
import { loadProfile } from '../core/profile.js';
import { ProbeError, type AzureProbe, type KubeProbe, type KubeSnapshot, type ManagedClusterFacts, type RegistryFacts, type RegistryProbe, type RoleAssignmentFacts } from '../probes/types.js';
import { chosenCluster, chosenRegistry, discoverCluster, discoverRegistry } from './discovery.js';
import { parseImageRef } from '../core/image-ref.js';

const registry = (name: string, createdAt?: string): RegistryFacts => ({
  id: `/x/registries/${name}`,
  name,
  loginServer: `${name}.azurecr.io`,
  sku: 'Basic',
  adminUserEnabled: true,
  ...(createdAt ? { createdAt } : {}),
});
const cluster = (name: string, powerState = 'Running', more: Partial<ManagedClusterFacts> = {}): ManagedClusterFacts => ({
  id: `/x/managedClusters/${name}`,
  name,
  provisioningState: 'Succeeded',
  powerState,
  agentPools: [],
  pullIdentityObjectIds: [],
  ...more,
});
/** A role assignment of `role` for the identity `principalId` at `scope`. */
const assignment = (principalId: string, scope: string, roleName = 'AcrPull'): RoleAssignmentFacts => ({
  id: `${scope}/ra/${principalId}`,
  scope,
  principalId,
  roleDefinitionId: `/rd/${roleName}`,
  roleName,
});
const container = (image?: string) => ({ name: 'c', ...(image ? { image } : {}) });

interface Opts {
  registries?: RegistryFacts[];
  clusters?: ManagedClusterFacts[];
  /** `server/repo` -> its tags; the string 'unreadable' makes that read fail. */
  images?: Record<string, string[] | 'unreadable'>;
  /** `server/repo` -> tags on pages past those the probe lists: its list is cut, each tag's manifest answers. */
  beyondListed?: Record<string, string[]>;
  podImages?: string[];
  /** Pods as the API lists them (added to those of podImages). */
  pods?: unknown[];
  kubeFails?: boolean;
  /** ARM's list of managed clusters fails. */
  clustersFail?: boolean;
  noRegistryProbe?: boolean;
  /** The facts ex3.cluster.exists and ex4.registry.exists provided. */
  facts?: Record<string, unknown>;
  /** Role assignments ARM lists; 'unreadable' makes the read fail. */
  assignments?: RoleAssignmentFacts[] | 'unreadable';
}

function ctx(opts: Opts): CheckContext<'azure'> {
  const azure = {
    registries: async () => opts.registries ?? [],
    managedClusters: async () => {
      if (opts.clustersFail) throw new ProbeError('azure', 'AuthorizationFailed');
      return opts.clusters ?? [];
    },
    roleAssignments: async () => {
      if (opts.assignments === 'unreadable') throw new ProbeError('azure', 'AuthorizationFailed');
      return opts.assignments ?? [];
    },
  } as unknown as AzureProbe;
  const reg: RegistryProbe = {
    tags: async (server, repo) => {
      const tags = opts.images?.[`${server}/${repo}`] ?? [];
      if (tags === 'unreadable') throw new ProbeError('registry', 'unauthorized');
      return { repository: repo, exists: true, tags, auth: 'basic-admin', ...(opts.beyondListed?.[`${server}/${repo}`] ? { truncated: true as const } : {}) };
    },
    manifestDigest: async (server, repo, tag) => (opts.beyondListed?.[`${server}/${repo}`]?.includes(tag) ? `sha256:${'a'.repeat(64)}` : undefined),
  };
  const kube =
    opts.podImages || opts.pods || opts.kubeFails
      ? ({
          snapshot: async () => {
            if (opts.kubeFails) throw new ProbeError('kube', 'the API server did not answer');
            return { pods: [...(opts.podImages ?? []).map((image) => ({ spec: { containers: [{ name: 'c', image }] } })), ...(opts.pods ?? [])] } as unknown as KubeSnapshot;
          },
        } as unknown as KubeProbe)
      : undefined;
  return {
    profile: loadProfile(),
    probes: { azure, registry: opts.noRegistryProbe ? undefined : reg, kube },
    fact: (name: string) => opts.facts?.[name],
  } as unknown as CheckContext<'azure'>;
}

describe('the registry host of a pod image (one parser for every check)', () => {
  it.each([
    ['labuser07acr.azurecr.io/myapp:v1.0', 'labuser07acr.azurecr.io'],
    ['LabUser07ACR.azurecr.io/team/web:1', 'labuser07acr.azurecr.io'],
    ['localhost:5000/myapp', 'localhost:5000'],
    ['nginx', undefined],
    ['library/nginx:1.25', undefined],
    ['docker.io/library/nginx:1.25', undefined],
  ])('%s -> %s', (image, host) => expect(parseImageRef(image)?.host).toBe(host));
});

describe('discoverRegistry', () => {
  const two = [registry('zzzacr'), registry('aaaacr')];

  it('prefers the registry the pods pull from, over the one holding the images', async () => {
    const d = await discoverRegistry(ctx({ registries: two, podImages: ['zzzacr.azurecr.io/myapp:v1.0', 'nginx'], images: { 'aaaacr.azurecr.io/myapp': ['v1.0'] } }));
    expect(d).toMatchObject({ chosen: { name: 'zzzacr' }, candidates: ['aaaacr', 'zzzacr'], reason: "the cluster's pods pull from it (1 container(s))" });
  });

  it('tolerates an unreachable cluster, then prefers the registry holding the images', async () => {
    const d = await discoverRegistry(
      ctx({ registries: two, kubeFails: true, images: { 'zzzacr.azurecr.io/myapp': ['v1.0'], 'zzzacr.azurecr.io/myapi': ['v1.0'], 'aaaacr.azurecr.io/myapp': ['v1.0'] } }),
    );
    expect(d).toMatchObject({ chosen: { name: 'zzzacr' }, reason: 'it holds the expected images (2 of 2)' });
    expect(d?.podsUnavailable).toBe('the pods could not be read: the API server did not answer');
  });

  it('counts an image whose tag is past the pages the registry listed: its manifest is asked for', async () => {
    const beyond = { 'zzzacr.azurecr.io/myapp': ['v1.0'], 'zzzacr.azurecr.io/myapi': ['v1.0'], 'aaaacr.azurecr.io/myapi': ['v2.0'] };
    const d = await discoverRegistry(ctx({ registries: two, podImages: [], images: { 'aaaacr.azurecr.io/myapp': ['v1.0'] }, beyondListed: beyond }));
    expect(d).toMatchObject({ chosen: { name: 'zzzacr' }, reason: 'it holds the expected images (2 of 2)' });
  });

  const TIE = 'nothing tells aaaacr, zzzacr apart, not even when they were created: the first by name';

  it('nothing tells them apart, not even creation times: the first by name, and the reason says so', async () => {
    const d = await discoverRegistry(ctx({ registries: two, podImages: [] }));
    expect(d).toMatchObject({ chosen: { name: 'aaaacr' }, reason: TIE });
  });

  it('a true tie: the newest, never the first by name', async () => {
    const dated = [registry('zzzacr', '2024-10-01T09:45:42.526Z'), registry('aaaacr', '2024-10-01T08:45:42.526Z')];
    const d = await discoverRegistry(ctx({ registries: dated, podImages: [] }));
    expect(d).toMatchObject({ chosen: { name: 'zzzacr' }, reason: 'nothing else tells aaaacr, zzzacr apart: the newest, created 2024-10-01 09:45 UTC' });
    // Created at the same time, or only one time known where it is not the latest: nothing singles one out.
    expect(await discoverRegistry(ctx({ registries: [registry('zzzacr', '2024-10-01T09:45:42Z'), registry('aaaacr', '2024-10-01T09:45:42Z')] }))).toMatchObject({ reason: TIE });
  });

  describe('several hold the images alike: the one a cluster of the student holds a pull role on', () => {
    const both = Object.fromEntries(['aaaacr', 'zzzacr'].flatMap((r) => ['myapp', 'myapi'].map((i) => [`${r}.azurecr.io/${i}`, ['v1.0']])));
    const clusters = [cluster('aks-lab', 'Stopped', { pullIdentityObjectIds: ['kubelet-lab'] })];

    it('the role on the registry decides, naming the cluster and the role', async () => {
      const d = await discoverRegistry(ctx({ registries: two, images: both, clusters, assignments: [assignment('kubelet-lab', '/x/registries/zzzacr')] }));
      expect(d).toMatchObject({ chosen: { name: 'zzzacr' }, reason: 'a cluster of yours holds a pull role on it (aks-lab: AcrPull)' });
    });

    it('a role that counts for neither (another identity, a role that does not pull, a scope above both) does not decide', async () => {
      const assignments = [assignment('someone-else', '/x/registries/zzzacr'), assignment('kubelet-lab', '/x/registries/zzzacr', 'Owner of nothing'), assignment('kubelet-lab', '/x')];
      expect(await discoverRegistry(ctx({ registries: two, images: both, clusters, assignments }))).toMatchObject({ chosen: { name: 'aaaacr' }, reason: TIE });
    });

    it('every cluster holding a pull role on it is named', async () => {
      const two = [...clusters, cluster('aks-two', 'Running', { pullIdentityObjectIds: ['kubelet-two'] })];
      const assignments = [assignment('kubelet-lab', '/x/registries/zzzacr'), assignment('kubelet-two', '/x/registries/zzzacr')];
      const d = await discoverRegistry(ctx({ registries: [registry('zzzacr'), registry('aaaacr')], images: both, clusters: two, assignments }));
      expect(d).toMatchObject({ chosen: { name: 'zzzacr' }, reason: 'a cluster of yours holds a pull role on it (aks-lab: AcrPull, aks-two: AcrPull)' });
    });

    it('a role on a registry holding fewer of the images does not decide between those holding the most', async () => {
      const three = [...two, registry('mmmacr')];
      const d = await discoverRegistry(ctx({ registries: three, images: both, clusters, assignments: [assignment('kubelet-lab', '/x/registries/mmmacr')] }));
      expect(d).toMatchObject({ chosen: { name: 'aaaacr' }, reason: TIE });
    });

    it('unreadable clusters are no evidence either', async () => {
      expect(await discoverRegistry(ctx({ registries: two, images: both, clustersFail: true, assignments: [assignment('kubelet-lab', '/x/registries/zzzacr')] }))).toMatchObject({
        chosen: { name: 'aaaacr' },
        reason: TIE,
      });
    });

    it('unreadable role assignments are no evidence', async () => {
      expect(await discoverRegistry(ctx({ registries: two, images: both, clusters, assignments: 'unreadable' }))).toMatchObject({ reason: TIE });
    });

    it('the pushed images outweigh a role on the other registry', async () => {
      const d = await discoverRegistry(ctx({ registries: two, images: { 'aaaacr.azurecr.io/myapp': ['v1.0'] }, clusters, assignments: [assignment('kubelet-lab', '/x/registries/zzzacr')] }));
      expect(d).toMatchObject({ chosen: { name: 'aaaacr' }, reason: 'it holds the expected images (1 of 2)' });
    });
  });

  it('no registry: undefined', async () => {
    expect(await discoverRegistry(ctx({ registries: [] }))).toBeUndefined();
  });

  it('the only registry: no other evidence is read', async () => {
    expect(await discoverRegistry(ctx({ registries: [registry('onlyacr')], kubeFails: true }))).toEqual({
      chosen: registry('onlyacr'),
      candidates: ['onlyacr'],
      reason: 'the only container registry in the resource group',
    });
  });

  it('counts every container and init container pulling from a registry (pods without spec, containers without a valid image are skipped)', async () => {
    const pods = [
      { spec: { containers: [container('zzzacr.azurecr.io/myapp:v1.0')], initContainers: [container('zzzacr.azurecr.io/init:1')] } },
      { spec: { initContainers: [container('zzzacr.azurecr.io/init:1')] } },
      { spec: { containers: [container('aaaacr.azurecr.io/myapi:v1.0'), container(), container('Not A Valid::Image')] } },
      {},
    ];
    const d = await discoverRegistry(ctx({ registries: two, pods, images: { 'aaaacr.azurecr.io/myapp': ['v1.0'] } }));
    expect(d).toEqual({ chosen: registry('zzzacr'), candidates: ['aaaacr', 'zzzacr'], reason: "the cluster's pods pull from it (3 container(s))" });
  });

  it('pods that pull from both equally do not decide: the images do, and the pods were readable', async () => {
    const d = await discoverRegistry(ctx({ registries: two, podImages: ['aaaacr.azurecr.io/myapp:v1.0', 'zzzacr.azurecr.io/myapp:v1.0'], images: { 'zzzacr.azurecr.io/myapi': ['v1.0'] } }));
    expect(d).toEqual({ chosen: registry('zzzacr'), candidates: ['aaaacr', 'zzzacr'], reason: 'it holds the expected images (1 of 2)' });
  });

  it('only the expected tag counts, and an unreadable repository is no evidence either way', async () => {
    const images: Opts['images'] = { 'aaaacr.azurecr.io/myapp': ['latest'], 'aaaacr.azurecr.io/myapi': ['v0.9'], 'zzzacr.azurecr.io/myapp': 'unreadable', 'zzzacr.azurecr.io/myapi': ['v1.0'] };
    const d = await discoverRegistry(ctx({ registries: two, images }));
    expect(d).toEqual({ chosen: registry('zzzacr'), candidates: ['aaaacr', 'zzzacr'], reason: 'it holds the expected images (1 of 2)', podsUnavailable: 'no Kubernetes access' });
  });

  it('both hold the images and nothing else tells them apart: the tie is said, with why the pods could not tell', async () => {
    const images = Object.fromEntries(['aaaacr', 'zzzacr'].flatMap((r) => ['myapp', 'myapi'].map((i) => [`${r}.azurecr.io/${i}`, ['v1.0']])));
    const d = await discoverRegistry(ctx({ registries: two, images }));
    expect(d).toEqual({ chosen: registry('aaaacr'), candidates: ['aaaacr', 'zzzacr'], reason: TIE, podsUnavailable: 'no Kubernetes access' });
  });

  it('no registry API access: the images are no evidence', async () => {
    const d = await discoverRegistry(ctx({ registries: two, podImages: [], noRegistryProbe: true, images: { 'zzzacr.azurecr.io/myapp': ['v1.0'] } }));
    expect(d).toEqual({ chosen: registry('aaaacr'), candidates: ['aaaacr', 'zzzacr'], reason: TIE });
  });
});

describe('chosenRegistry', () => {
  const two = [registry('zzzacr'), registry('aaaacr')];

  it('the one ex4.registry.exists chose, as listed now', async () => {
    const d = await chosenRegistry(ctx({ registries: two, facts: { registry: { chosen: registry('zzzacr'), candidates: [], reason: 'x' } } }));
    expect(d).toEqual({ chosen: registry('zzzacr'), candidates: ['aaaacr', 'zzzacr'], reason: 'chosen by ex4.registry.exists' });
  });

  it.each([
    ['no fact', undefined],
    ['the chosen one is gone', { registry: { chosen: registry('goneacr'), candidates: [], reason: 'x' } }],
  ])('%s: discovered afresh', async (_, facts) => {
    expect(await chosenRegistry(ctx({ registries: two, facts }))).toMatchObject({
      chosen: { name: 'aaaacr' },
      reason: 'nothing tells aaaacr, zzzacr apart, not even when they were created: the first by name',
    });
  });
});

describe('discoverCluster and chosenCluster (what ARM tells: the ladder without looking into the APIs)', () => {
  const two = [cluster('aks-b', 'Stopped', { createdAt: '2024-10-01T08:15:42.526Z' }), cluster('aks-a', 'Running', { createdAt: '2024-10-01T09:15:42.526Z' })];

  it('discoverCluster: none, or the choice among those listed, by evidence and never the first by name', async () => {
    expect(await discoverCluster(ctx({ clusters: [] }))).toBeUndefined();
    const attached = [cluster('aks-a'), cluster('aks-b', 'Stopped', { pullIdentityObjectIds: ['kubelet-b'] })];
    expect(await discoverCluster(ctx({ clusters: attached, registries: [registry('labacr')], assignments: [assignment('kubelet-b', '/x/registries/labacr')] }))).toEqual({
      chosen: attached[1],
      candidates: ['aks-a', 'aks-b'],
      reason: 'its pulling identity holds AcrPull on your registry labacr',
    });
    // Nothing else: the newest, whatever its state.
    expect(
      await discoverCluster(ctx({ clusters: [cluster('aks-b', 'Running', { createdAt: '2024-10-01T09:15:42Z' }), cluster('aks-a', 'Stopped', { createdAt: '2024-10-01T08:15:42Z' })] })),
    ).toMatchObject({
      chosen: { name: 'aks-b' },
      reason: 'nothing else tells aks-a, aks-b apart: the newest, created 2024-10-01 09:15 UTC',
    });
  });

  it('chosenCluster: the one ex3.cluster.exists chose, in its current state', async () => {
    const d = await chosenCluster(ctx({ clusters: two, facts: { cluster: { chosen: cluster('aks-b'), candidates: [], reason: "the lab's Deployments are in it" } } }));
    expect(d).toEqual({ chosen: two[0], candidates: ['aks-a', 'aks-b'], reason: 'chosen by ex3.cluster.exists' });
  });

  it.each([
    ['no fact', undefined],
    ['the chosen one is gone', { cluster: { chosen: cluster('aks-gone'), candidates: [], reason: 'x' } }],
  ])('chosenCluster, %s: discovered afresh', async (_, facts) => {
    expect(await chosenCluster(ctx({ clusters: two, facts }))).toEqual({
      chosen: two[1],
      candidates: ['aks-a', 'aks-b'],
      reason: 'nothing else tells aks-a, aks-b apart: the newest, created 2024-10-01 09:15 UTC',
    });
  });
});
