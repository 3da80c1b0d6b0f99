/** Choosing the student's cluster and registry among several, and saying why. */
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../core/check.js';
import { loadProfile } from '../core/profile.js';
import { ProbeError, type AzureProbe, type KubeProbe, type KubeSnapshot, type ManagedClusterFacts, type RegistryFacts, type RegistryProbe } from '../probes/types.js';
import { chosenCluster, chosenRegistry, discoverCluster, discoverRegistry } from './discovery.js';
import { parseImageRef } from './kube/images.js';

const registry = (name: string): RegistryFacts => ({ id: `/x/registries/${name}`, name, loginServer: `${name}.azurecr.io`, sku: 'Basic', adminUserEnabled: true });
const cluster = (name: string, powerState = 'Running'): ManagedClusterFacts => ({
  id: `/x/managedClusters/${name}`,
  name,
  provisioningState: 'Succeeded',
  powerState,
  agentPools: [],
  pullIdentityObjectIds: [],
});
const container = (image?: string) => ({ name: 'c', ...(image ? { image } : {}) });

interface Opts {
  registries?: RegistryFacts[];
  clusters?: ManagedClusterFacts[];
  /** `server/repo` -> its tags; the string 'unreadable' makes that read fail. */
  images?: Record<string, string[] | 'unreadable'>;
  podImages?: string[];
  /** Pods as the API lists them (added to those of podImages). */
  pods?: unknown[];
  kubeFails?: boolean;
  noRegistryProbe?: boolean;
  /** The facts ex3.cluster.exists and ex4.registry.exists provided. */
  facts?: Record<string, unknown>;
}

function ctx(opts: Opts): CheckContext<'azure'> {
  const azure = { registries: async () => opts.registries ?? [], managedClusters: async () => opts.clusters ?? [] } as unknown as AzureProbe;
  const reg: RegistryProbe = {
    tags: async (server, repo) => {
      const tags = opts.images?.[`${server}/${repo}`] ?? [];
      if (tags === 'unreadable') throw new ProbeError('registry', 'unauthorized');
      return { repository: repo, exists: true, tags, auth: 'basic-admin' };
    },
    manifestDigest: async () => undefined,
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

  it('nothing tells them apart: the first by name', async () => {
    const d = await discoverRegistry(ctx({ registries: two, podImages: [] }));
    expect(d).toMatchObject({ chosen: { name: 'aaaacr' }, reason: 'several fit equally: the first by name' });
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

  it('both hold the images: the first by name, saying why the pods could not tell', async () => {
    const images = Object.fromEntries(['aaaacr', 'zzzacr'].flatMap((r) => ['myapp', 'myapi'].map((i) => [`${r}.azurecr.io/${i}`, ['v1.0']])));
    const d = await discoverRegistry(ctx({ registries: two, images }));
    expect(d).toEqual({ chosen: registry('aaaacr'), candidates: ['aaaacr', 'zzzacr'], reason: 'several fit equally: the first by name', podsUnavailable: 'no Kubernetes access' });
  });

  it('no registry API access: the images are no evidence', async () => {
    const d = await discoverRegistry(ctx({ registries: two, podImages: [], noRegistryProbe: true, images: { 'zzzacr.azurecr.io/myapp': ['v1.0'] } }));
    expect(d).toEqual({ chosen: registry('aaaacr'), candidates: ['aaaacr', 'zzzacr'], reason: 'several fit equally: the first by name' });
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
    expect(await chosenRegistry(ctx({ registries: two, facts }))).toMatchObject({ chosen: { name: 'aaaacr' }, reason: 'several fit equally: the first by name' });
  });
});

describe('discoverCluster and chosenCluster', () => {
  const two = [cluster('aks-b', 'Stopped'), cluster('aks-a')];

  it('discoverCluster: none, or the choice among those listed', async () => {
    expect(await discoverCluster(ctx({ clusters: [] }))).toBeUndefined();
    expect(await discoverCluster(ctx({ clusters: [cluster('aks-b'), cluster('aks-a', 'Stopped')] }))).toEqual({
      chosen: cluster('aks-b'),
      candidates: ['aks-a', 'aks-b'],
      reason: 'the only one of them that is provisioned and running',
    });
  });

  it('chosenCluster: the one ex3.cluster.exists chose, in its current state', async () => {
    const d = await chosenCluster(ctx({ clusters: two, facts: { cluster: { chosen: cluster('aks-b'), candidates: [], reason: "the lab's Deployments are in it" } } }));
    expect(d).toEqual({ chosen: cluster('aks-b', 'Stopped'), candidates: ['aks-a', 'aks-b'], reason: 'chosen by ex3.cluster.exists' });
  });

  it.each([
    ['no fact', undefined],
    ['the chosen one is gone', { cluster: { chosen: cluster('aks-gone'), candidates: [], reason: 'x' } }],
  ])('chosenCluster, %s: discovered afresh', async (_, facts) => {
    expect(await chosenCluster(ctx({ clusters: two, facts }))).toEqual({ chosen: cluster('aks-a'), candidates: ['aks-a', 'aks-b'], reason: 'the only one of them that is provisioned and running' });
  });
});
