/** The pure parts of the mapping: id comparison, scopes, kubeconfig secrets. */
import { describe, expect, it } from 'vitest';
import { redactText } from '../../core/redact.js';
import { registerKubeconfigSecrets, sameResourceId, scopeCovers } from './map.js';
import { roleGuid } from './roles.js';

describe('resource ids', () => {
  it('compare without case and trailing slashes', () => {
    expect(sameResourceId('/subscriptions/S/resourcegroups/RG1/x', '/subscriptions/s/resourceGroups/rg1/x/')).toBe(true);
    expect(sameResourceId('/subscriptions/s/resourceGroups/rg1', '/subscriptions/s/resourceGroups/rg10')).toBe(false);
    expect(sameResourceId(undefined, undefined)).toBe(false);
  });

  it('a scope covers itself and what is below it, not a sibling with a longer name', () => {
    const reg = '/subscriptions/s/resourceGroups/rg1/providers/Microsoft.ContainerRegistry/registries/acr';
    expect(scopeCovers('/subscriptions/S/resourcegroups/RG1', reg)).toBe(true);
    expect(scopeCovers('/subscriptions/s', reg)).toBe(true);
    expect(scopeCovers(reg, reg)).toBe(true);
    expect(scopeCovers('/subscriptions/s/resourceGroups/rg', reg)).toBe(false);
  });

  it('role definition GUIDs from both id forms', () => {
    expect(roleGuid('/providers/Microsoft.Authorization/roleDefinitions/ACDD72A7-3385-48ef-bd42-f606fba81ae7')).toBe('acdd72a7-3385-48ef-bd42-f606fba81ae7');
    expect(roleGuid('/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d')).toBe('7f951dda-4ed3-4680-a7ca-43fe172d538d');
  });
});

describe('kubeconfig secrets', () => {
  it('registers the user token and key so no report can show them', () => {
    const token = 'kubeconfig-user-token-0123456789abcdef';
    const key = 'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCg==';
    registerKubeconfigSecrets(`apiVersion: v1\nkind: Config\nusers:\n- name: clusterUser_rg_aks\n  user:\n    token: ${token}\n    client-key-data: ${key}\n`);
    expect(redactText(`token=${token} key=${key}`)).toBe('token=[redacted] key=[redacted]');
  });

  it('ignores text that is not a kubeconfig', () => {
    expect(() => registerKubeconfigSecrets('credentialValue1: [')).not.toThrow();
  });
});
