import { describe, expect, it } from 'vitest';
import { REGISTRY, scenario } from '../../test/support/kube-scenarios.js';
import { pullImage } from './pull.js';

const azure = scenario().azure;
const pull = (image: string) => pullImage(image, azure, 'aks07');

describe('pullImage reads the reference as the kubelet does', () => {
  it('every spelling of a Docker Hub image pulls the same image', () => {
    const spellings = ['nginx:1.25', 'library/nginx:1.25', 'docker.io/nginx:1.25', 'docker.io/library/nginx:1.25', 'index.docker.io/library/nginx:1.25'];
    const ids = spellings.map((image) => pull(image));
    expect(ids[0]).toMatchObject({ ok: true, imageID: expect.stringMatching(/^docker\.io\/library\/nginx@sha256:[a-f0-9]{64}$/) });
    for (const id of ids) expect(id).toEqual(ids[0]);
  });

  it('pulls paths with the separators Docker allows (two underscores, several dashes)', () => {
    expect(pull('my--org/web__cache:1')).toMatchObject({ ok: true, imageID: expect.stringMatching(/^docker\.io\/my--org\/web__cache@/) });
  });

  it('an upper-case first component is a host, and an unknown host does not resolve', () => {
    expect(pull('Registry/myapp:v1.0')).toMatchObject({ ok: false, reason: 'ImagePullBackOff', message: expect.stringContaining('lookup registry: no such host') });
  });

  it('what Docker cannot parse is InvalidImageName', () => {
    expect(pull('myapp:v1.0 ')).toMatchObject({ ok: false, reason: 'InvalidImageName', eventReason: 'InspectFailed' });
  });
});

describe('pullImage honours the registry mode and ABAC repository conditions', () => {
  const abac = (roleAssignments: Array<Record<string, unknown>>) =>
    scenario({ azure: { registries: [{ name: REGISTRY, images: ['myapp:v1.0', 'myapi:v1.0'], roleAssignmentMode: 'AbacRepositoryPermissions' }], roleAssignments } }).azure;
  const image = (repository: string) => `${REGISTRY}.azurecr.io/${repository}:v1.0`;
  const refused = { ok: false, reason: 'ImagePullBackOff', message: expect.stringContaining('unauthorized: authentication required') };

  it('a repository role limited to some repositories pulls those only', () => {
    const azure = abac([{ role: 'Container Registry Repository Reader', assignee: 'aks07', scope: REGISTRY, repositories: ['myapp'] }]);
    expect(pullImage(image('myapp'), azure, 'aks07')).toMatchObject({ ok: true });
    expect(pullImage(image('myapi'), azure, 'aks07')).toMatchObject(refused);
  });

  it('without a condition it pulls every repository; AcrPull pulls none in ABAC mode', () => {
    const open = abac([{ role: 'Container Registry Repository Reader', assignee: 'aks07', scope: REGISTRY }]);
    expect(pullImage(image('myapi'), open, 'aks07')).toMatchObject({ ok: true });
    expect(pullImage(image('myapi'), abac([{ role: 'AcrPull', assignee: 'aks07', scope: REGISTRY }]), 'aks07')).toMatchObject(refused);
  });
});
