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

  it('helm releases: chartValues is an optional mapping', () => {
    const k = (helm: unknown) => parse({}, { kubernetes: { helm: [helm] } }).kubernetes!.helm[0];
    expect(k({ name: 'greetings', chart: 'greetings-0.3.0' })).not.toHaveProperty('chartValues');
    expect(k({ name: 'greetings', chart: 'greetings-0.3.0', chartValues: { registry: 'x.azurecr.io' } }).chartValues).toEqual({ registry: 'x.azurecr.io' });
    expect(errorOf(() => k({ name: 'greetings', chart: 'greetings-0.3.0', chartValues: 'registry: x' }))).toMatch(/labuser07\.yaml.*helm\[0\]\.chartValues/);
  });
});
