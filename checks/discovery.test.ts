/** Choosing the student's cluster and registry among several, and saying why. */
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../core/check.js';
import { loadProfile } from '../core/profile.js';
import { ProbeError, type AzureProbe, type KubeProbe, type KubeSnapshot, type RegistryFacts, type RegistryProbe } from '../probes/types.js';
import { discoverRegistry } from './discovery.js';
import { parseImageRef } from './kube/images.js';

const registry = (name: string): RegistryFacts => ({ id: `/x/registries/${name}`, name, loginServer: `${name}.azurecr.io`, sku: 'Basic', adminUserEnabled: true });

function ctx(opts: { registries: RegistryFacts[]; images?: Record<string, string[]>; podImages?: string[]; kubeFails?: boolean }): CheckContext<'azure'> {
  const azure = { registries: async () => opts.registries } as unknown as AzureProbe;
  const reg: RegistryProbe = {
    tags: async (server, repo) => ({ repository: repo, exists: true, tags: opts.images?.[`${server}/${repo}`] ?? [], auth: 'basic-admin' }),
    manifestDigest: async () => undefined,
  };
  const kube =
    opts.podImages || opts.kubeFails
      ? ({
          snapshot: async () => {
            if (opts.kubeFails) throw new ProbeError('kube', 'the API server did not answer');
            return { pods: opts.podImages!.map((image) => ({ spec: { containers: [{ name: 'c', image }] } })) } as unknown as KubeSnapshot;
          },
        } as unknown as KubeProbe)
      : undefined;
  return { profile: loadProfile(), probes: { azure, registry: reg, kube }, fact: () => undefined } as unknown as CheckContext<'azure'>;
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
    expect(d?.podsUnavailable).toMatch(/the pods could not be read: the API server did not answer/);
  });

  it('nothing tells them apart: the first by name', async () => {
    const d = await discoverRegistry(ctx({ registries: two, podImages: [] }));
    expect(d).toMatchObject({ chosen: { name: 'aaaacr' }, reason: 'several fit equally: the first by name' });
  });

  it('no registry: undefined', async () => {
    expect(await discoverRegistry(ctx({ registries: [] }))).toBeUndefined();
  });
});
