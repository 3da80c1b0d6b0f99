import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as yaml from 'yaml';
import { redactText } from '../../core/redact.js';
import { NetworkPolicy } from '../net.js';
import { ProbeError } from '../types.js';
import { EXEC_REFUSED, kubeconfigFrom, kubeconfigWithEntra } from './kubeconfig.js';

// The YAML parser as it is, counted (a class run parses every student's kubeconfig).
vi.mock('yaml', async (original) => {
  const real = await original<typeof import('yaml')>();
  return { ...real, parse: vi.fn(real.parse) };
});

function kubeconfig(opts: { server?: string; user?: string } = {}): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: aks07
  cluster:
    server: ${opts.server ?? 'https://aks07-dns-1a2b3c.hcp.westeurope.azmk8s.io:443'}
    certificate-authority-data: ${Buffer.from('not really a CA').toString('base64')}
contexts:
- name: aks07
  context: {cluster: aks07, user: clusterUser_aks07}
- name: other
  context: {cluster: aks07, user: other}
current-context: aks07
users:
- name: other
  user: {token: other-token-0123456789}
- name: clusterUser_aks07
  user:
${opts.user ?? '    token: s3cr3t-token-0123456789abcdef'}
`;
}

const EXEC_USER = `    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]
      env: [{name: AAD_SERVICE_PRINCIPAL_CLIENT_SECRET, value: very-secret-client-value-123}]`;
const AUTH_PROVIDER_USER = `    auth-provider:
      name: azure
      config: {access-token: eyJhbGciOiJSUzI1NiJ9.payload-of-the-access-token, tenant-id: t}`;

describe('kubeconfigFrom', () => {
  it('loads a token kubeconfig and registers the token as a secret', () => {
    const kc = kubeconfigFrom(kubeconfig(), { allowExec: false });
    expect(kc.getCurrentCluster()?.server).toBe('https://aks07-dns-1a2b3c.hcp.westeurope.azmk8s.io:443');
    expect(redactText('Authorization: s3cr3t-token-0123456789abcdef')).toBe('Authorization: [redacted]');
  });

  it('refuses an exec credential plugin unless allowed, without running it', () => {
    const err = (() => {
      try {
        kubeconfigFrom(kubeconfig({ user: EXEC_USER }), { allowExec: false });
      } catch (e) {
        return e as ProbeError;
      }
    })();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err!.message).toBe(EXEC_REFUSED);
    expect(err!.message).toMatch(/runs a program to get credentials; pass --allow-exec-credentials if you trust it/);
    expect(err!.detail).toMatchObject({ credential: 'exec', user: 'clusterUser_aks07' });
    const kc = kubeconfigFrom(kubeconfig({ user: EXEC_USER }), { allowExec: true });
    expect(kc.getCurrentUser()?.exec.command).toBe('kubelogin');
    // Secrets in the plugin's environment are scrubbed from anything reported.
    expect(redactText('value very-secret-client-value-123')).toBe('value [redacted]');
  });

  it('refuses a legacy auth-provider unless allowed', () => {
    expect(() => kubeconfigFrom(kubeconfig({ user: AUTH_PROVIDER_USER }), { allowExec: false })).toThrow(EXEC_REFUSED);
    expect(() => kubeconfigFrom(kubeconfig({ user: AUTH_PROVIDER_USER }), { allowExec: true })).not.toThrow();
  });

  it('vets only the user of the context in use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const file = join(dir, 'config');
    writeFileSync(file, kubeconfig({ user: EXEC_USER }));
    expect(() => kubeconfigFrom({ path: file }, { allowExec: false })).toThrow(EXEC_REFUSED);
    expect(kubeconfigFrom({ path: file, context: 'other' }, { allowExec: false }).getCurrentUser()?.name).toBe('other');
    expect(() => kubeconfigFrom({ path: file, context: 'nope' }, { allowExec: false })).toThrow(/has no context "nope"/);
    expect(() => kubeconfigFrom({ path: join(dir, 'missing') }, { allowExec: false })).toThrow(/cannot read the kubeconfig/);
  });

  it('refuses a server at the metadata address, and private ones under the policy', () => {
    expect(() => kubeconfigFrom(kubeconfig({ server: 'https://169.254.169.254' }), { allowExec: false })).toThrow(/refusing the kubeconfig's server https:\/\/169.254.169.254: link-local/);
    expect(() => kubeconfigFrom(kubeconfig({ server: 'https://10.0.0.4:443' }), { allowExec: false, policy: new NetworkPolicy() })).toThrow(/private addresses are not graded/);
    expect(() => kubeconfigFrom(kubeconfig({ server: 'https://10.0.0.4:443' }), { allowExec: false, policy: new NetworkPolicy({ trustedHosts: ['10.0.0.4'] }) })).not.toThrow();
  });

  it('says what is wrong with a broken kubeconfig', () => {
    expect(() => kubeconfigFrom('clusters: [\n', { allowExec: false })).toThrow(/not valid YAML/);
    expect(() => kubeconfigFrom('', { allowExec: false })).toThrow(/empty or not a mapping/);
    expect(() => kubeconfigFrom(kubeconfig().replace('current-context: aks07', 'current-context: gone'), { allowExec: false })).toThrow(/no current context/);
    expect(() => kubeconfigFrom(kubeconfig({ server: 'ftp://x' }), { allowExec: false })).toThrow(/is not http\(s\)/);
  });
});

describe('kubeconfigWithEntra', () => {
  it('reads a kubelogin kubeconfig with a token for its server application, parsing the YAML once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-grade-kubeconfig-'));
    const file = join(dir, 'config');
    writeFileSync(file, kubeconfig({ user: EXEC_USER }));
    const tokenFor = vi.fn(async () => 'entra-token-for-the-aks-server-app-0123');
    vi.mocked(yaml.parse).mockClear();
    const kc = await kubeconfigWithEntra({ path: file }, { allowExec: false, trustFiles: true, tokenFor });
    expect(tokenFor.mock.calls).toEqual([['6dae42f8-4368-4678-94ff-3960e28e3630/.default']]);
    expect(kc.getCurrentUser()).toMatchObject({ name: 'clusterUser_aks07', token: 'entra-token-for-the-aks-server-app-0123' });
    expect(kc.getCurrentUser()?.exec).toBeUndefined();
    expect(yaml.parse).toHaveBeenCalledTimes(1);
  });

  it('reports a broken kubeconfig as kubeconfigFrom does, asking no token', async () => {
    const tokenFor = vi.fn(async () => 'unused');
    let fromPlain: unknown;
    try {
      kubeconfigFrom('clusters: [\n', { allowExec: false });
    } catch (err) {
      fromPlain = err;
    }
    expect(fromPlain).toBeInstanceOf(ProbeError);
    await expect(kubeconfigWithEntra('clusters: [\n', { allowExec: false, tokenFor })).rejects.toEqual(fromPlain);
    expect(tokenFor).not.toHaveBeenCalled();
  });
});
