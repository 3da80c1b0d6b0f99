/**
 * The scenario loader's optional realism keys: defaults as before they existed, and bad values are
 * errors that name the file and the key.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';

const FILE = 'class/labuser07.yaml';
const base = { clusters: [{ name: 'aks07' }], registries: [{ name: 'labuser07acr', images: ['myapp:v1.0'] }] };
const parse = (azure: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) => parseScenario({ user: 'labuser07', azure: { ...base, ...azure }, ...rest }, FILE);
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('scenario realism keys', () => {
  it('registries: listCredentials and roleAssignmentMode default to allowed and the legacy mode; bad values name file and key', () => {
    expect(parse().azure.registries[0]).toMatchObject({ listCredentials: 'allowed', roleAssignmentMode: 'LegacyRegistryPermissions' });
    const abac = parse({ registries: [{ name: 'labuser07acr', roleAssignmentMode: 'AbacRepositoryPermissions', listCredentials: 'forbidden' }] }).azure.registries[0];
    expect([abac.roleAssignmentMode, abac.listCredentials]).toEqual(['AbacRepositoryPermissions', 'forbidden']);
    expect(errorOf(() => parse({ registries: [{ name: 'labuser07acr', roleAssignmentMode: 'abac' }] }))).toMatch(
      /class\/labuser07\.yaml.*registries\[0\]\.roleAssignmentMode.*LegacyRegistryPermissions, AbacRepositoryPermissions.*"abac"/,
    );
    expect(errorOf(() => parse({ registries: [{ name: 'labuser07acr', listCredentials: 'no' }] }))).toMatch(/labuser07\.yaml.*listCredentials.*allowed, forbidden/);
  });

  it('registries: repushed names tags of the registry, default none', () => {
    expect(parse().azure.registries[0].repushed).toEqual([]);
    expect(parse({ registries: [{ name: 'labuser07acr', images: ['myapp:v1.0'], repushed: ['myapp:v1.0', 'myapp:v1.0'] }] }).azure.registries[0].repushed).toEqual(['myapp:v1.0', 'myapp:v1.0']);
    expect(errorOf(() => parse({ registries: [{ name: 'labuser07acr', images: ['myapp:v1.0'], repushed: ['myapi:v1.0'] }] }))).toMatch(
      /labuser07\.yaml.*registries\[0\]\.repushed\[0\].*myapp:v1\.0.*"myapi:v1\.0"/,
    );
  });

  it('clusters: identity (msi | servicePrincipal) and entra; azure.graph (allowed | forbidden)', () => {
    const s = parse();
    expect([s.azure.clusters[0].identity, s.azure.clusters[0].entra, s.azure.graph]).toEqual(['msi', false, 'allowed']);
    const t = parse({ graph: 'forbidden', clusters: [{ name: 'aks07', identity: 'servicePrincipal', entra: true }] });
    expect([t.azure.clusters[0].identity, t.azure.clusters[0].entra, t.azure.graph]).toEqual(['servicePrincipal', true, 'forbidden']);
    expect(errorOf(() => parse({ clusters: [{ name: 'aks07', identity: 'managed' }] }))).toMatch(/labuser07\.yaml.*clusters\[0\]\.identity.*msi, servicePrincipal/);
    expect(errorOf(() => parse({ clusters: [{ name: 'aks07', entra: 'yes' }] }))).toMatch(/labuser07\.yaml.*clusters\[0\]\.entra/);
    expect(errorOf(() => parse({ graph: 'no' }))).toMatch(/labuser07\.yaml.*azure\.graph.*allowed, forbidden/);
  });

  it('role assignments accept the ACR repository roles by their Azure names', () => {
    const roles = ['Container Registry Repository Reader', 'Container Registry Repository Writer', 'Container Registry Repository Contributor', 'Container Registry Repository Catalog Lister'];
    const s = parse({ roleAssignments: roles.map((role) => ({ role, assignee: 'aks07', scope: 'labuser07acr' })) });
    expect(s.azure.roleAssignments.map((a) => a.role)).toEqual(roles);
    expect(errorOf(() => parse({ roleAssignments: [{ role: 'Repository Reader', assignee: 'aks07', scope: 'labuser07acr' }] }))).toMatch(/labuser07\.yaml.*roleAssignments\[0\]\.role/);
  });

  it('role assignments: repositories (an ABAC condition) only on a repository role of a cluster, default none', () => {
    const reader = { role: 'Container Registry Repository Reader', assignee: 'aks07', scope: 'labuser07acr' };
    expect(parse({ roleAssignments: [reader] }).azure.roleAssignments[0]).not.toHaveProperty('repositories');
    expect(parse({ roleAssignments: [{ ...reader, repositories: ['myapp', 'team/web'] }] }).azure.roleAssignments[0].repositories).toEqual(['myapp', 'team/web']);
    expect(errorOf(() => parse({ roleAssignments: [{ ...reader, role: 'AcrPull', repositories: ['myapp'] }] }))).toMatch(/labuser07\.yaml.*roleAssignments\[0\]\.repositories.*"AcrPull"/);
    expect(errorOf(() => parse({ roleAssignments: [{ ...reader, assignee: 'grader', repositories: ['myapp'] }] }))).toMatch(/labuser07\.yaml.*roleAssignments\[0\]\.repositories.*"grader"/);
    expect(errorOf(() => parse({ roleAssignments: [{ ...reader, repositories: ['My App'] }] }))).toMatch(/labuser07\.yaml.*roleAssignments\[0\]\.repositories\[0\].*"My App"/);
  });

  it('helm releases: chartValues is an optional mapping', () => {
    const k = (helm: unknown) => parse({}, { kubernetes: { helm: [helm] } }).kubernetes!.helm[0];
    expect(k({ name: 'greetings', chart: 'greetings-0.3.0' })).not.toHaveProperty('chartValues');
    expect(k({ name: 'greetings', chart: 'greetings-0.3.0', chartValues: { registry: 'x.azurecr.io' } }).chartValues).toEqual({ registry: 'x.azurecr.io' });
    expect(errorOf(() => k({ name: 'greetings', chart: 'greetings-0.3.0', chartValues: 'registry: x' }))).toMatch(/labuser07\.yaml.*helm\[0\]\.chartValues/);
  });

  it("clusters: azureRbac (Entra only) and kubernetesReaders (default: the grader's identity)", () => {
    expect([parse().azure.clusters[0].azureRbac, parse().azure.clusters[0].kubernetesReaders]).toEqual([false, ['grader']]);
    const c = parse({ clusters: [{ name: 'aks07', entra: true, azureRbac: true, kubernetesReaders: [] }] }).azure.clusters[0];
    expect([c.azureRbac, c.kubernetesReaders]).toEqual([true, []]);
    expect(errorOf(() => parse({ clusters: [{ name: 'aks07', azureRbac: true }] }))).toMatch(/labuser07\.yaml.*clusters\[0\]\.azureRbac.*entra: true/);
    expect(errorOf(() => parse({ clusters: [{ name: 'aks07', entra: true, kubernetesReaders: ['student'] }] }))).toMatch(/labuser07\.yaml.*clusters\[0\]\.kubernetesReaders\[0\].*"grader".*"student"/);
  });

  it("role assignments: the grader's own, on the group, a registry or a cluster, with the AKS roles; it must keep a reading role on the group", () => {
    const own = [
      { role: 'Reader', assignee: 'grader', scope: 'resourceGroup' },
      { role: 'Azure Kubernetes Service Cluster User Role', assignee: 'grader', scope: 'aks07' },
      { role: 'Azure Kubernetes Service RBAC Reader', assignee: 'grader', scope: 'aks07' },
      { role: 'Azure Kubernetes Service RBAC Cluster Admin', assignee: 'grader', scope: 'aks07' },
      { role: 'AcrPull', assignee: 'grader', scope: 'labuser07acr' },
    ];
    expect(parse({ roleAssignments: own }).azure.roleAssignments).toEqual(own);
    expect(errorOf(() => parse({ roleAssignments: own.slice(1) }))).toMatch(/labuser07\.yaml.*azure\.roleAssignments.*Reader, Contributor, Owner on the resourceGroup/);
    expect(errorOf(() => parse({ roleAssignments: [{ role: 'AcrPull', assignee: 'aks07', scope: 'nowhere' }] }))).toMatch(/labuser07\.yaml.*roleAssignments\[0\]\.scope.*registry or a cluster/);
    expect(errorOf(() => parse({ roleAssignments: [{ role: 'AcrPull', assignee: 'someone', scope: 'resourceGroup' }] }))).toMatch(
      /labuser07\.yaml.*roleAssignments\[0\]\.assignee.*"grader" or a cluster/,
    );
  });
});
