/**
 * A kubeconfig the grader did not write (a student's self-check file, or the one ARM hands out for the
 * student's cluster) must not make the grader read local files: `token-file`, `client-certificate`,
 * `client-key`, `certificate-authority` and an auth-provider's `tokenFile` are refused with the key
 * named, before any file is opened; the `-data` forms load. Every file read of the process is recorded
 * while the kubeconfig is loaded.
 */
import fs, { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeProbe } from '../../probes/kube/probe.js';
import { kubeconfigFrom } from '../../probes/kube/kubeconfig.js';
import { NetworkPolicy } from '../../probes/net.js';
import { ProbeError } from '../../probes/types.js';
import { rejection } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-kubeconfig-files-'));
/** A file of the instructor's machine a hostile kubeconfig points at. */
const SECRET_FILE = join(dir, 'instructor-secret');
writeFileSync(SECRET_FILE, 'instructor-secret-file-content');

function kubeconfig(cluster: string, user: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: aks07
  cluster:
    server: https://aks07-dns-1a2b3c.hcp.westeurope.azmk8s.io:443
${cluster}
contexts:
- name: aks07
  context: {cluster: aks07, user: clusterUser_aks07}
current-context: aks07
users:
- name: other
  user: {token: other-token-0123456789}
- name: clusterUser_aks07
  user:
${user}
`;
}
const DATA = Buffer.from('not really PEM').toString('base64');
const CA_DATA = `    certificate-authority-data: ${DATA}`;
const TOKEN = '    token: s3cr3t-token-0123456789abcdef';

/** Paths opened through node:fs (client-node reads kubeconfig files with fs.readFileSync). */
let reads: string[] = [];
const original = fs.readFileSync;
beforeEach(() => {
  reads = [];
  fs.readFileSync = ((path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    reads.push(String(path));
    return (original as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
});
afterEach(() => {
  fs.readFileSync = original;
});

const FILE_KEYS: Array<[string, string, string, RegExp]> = [
  ['token-file', CA_DATA, `    token-file: ${SECRET_FILE}`, /user "clusterUser_aks07" names a local file \(token-file\)/],
  ['client-certificate', CA_DATA, `    client-certificate: ${SECRET_FILE}\n    client-key-data: ${DATA}`, /user "clusterUser_aks07" names a local file \(client-certificate\)/],
  ['client-key', CA_DATA, `    client-certificate-data: ${DATA}\n    client-key: ${SECRET_FILE}`, /user "clusterUser_aks07" names a local file \(client-key\)/],
  ['certificate-authority', `    certificate-authority: ${SECRET_FILE}`, TOKEN, /cluster "aks07" names a local file \(certificate-authority\)/],
  ['auth-provider tokenFile', CA_DATA, `    auth-provider: {name: file, config: {tokenFile: ${SECRET_FILE}}}`, /user "clusterUser_aks07" names a local file \(auth-provider\.config\.tokenFile\)/],
];

describe('kubeconfig file references are refused, naming the key', () => {
  it.each(FILE_KEYS)('%s: refused before the file is read', (_key, cluster, user, message) => {
    const err = (() => {
      try {
        kubeconfigFrom(kubeconfig(cluster, user), { allowExec: true });
      } catch (e) {
        return e as ProbeError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/lab-grade does not read files a kubeconfig names/);
    expect(reads).not.toContain(SECRET_FILE);
  });

  it('a token-file in a user the current context does not use is refused too (client-node would read it while loading)', () => {
    const text = kubeconfig(CA_DATA, TOKEN).replace('user: {token: other-token-0123456789}', `user: {token-file: ${SECRET_FILE}}`);
    expect(() => kubeconfigFrom(text, { allowExec: false })).toThrow(/user "other" names a local file \(token-file\)/);
    expect(reads).not.toContain(SECRET_FILE);
  });

  it('a file reference brought in by a YAML merge key (kubectl expands them) is refused too', () => {
    const text = `x-files: &files {token-file: ${SECRET_FILE}}\n${kubeconfig(CA_DATA, '    <<: *files\n    token: t0123456789abcdef')}`;
    expect(() => kubeconfigFrom(text, { allowExec: false })).toThrow(/user "clusterUser_aks07" names a local file \(token-file\)/);
    expect(reads).not.toContain(SECRET_FILE);
  });

  it('a kubeconfig file given by path: the error names the file and the key', () => {
    const file = join(dir, 'student-kubeconfig.yaml');
    writeFileSync(file, kubeconfig(CA_DATA, `    client-certificate: ./cert.pem\n    client-key: ./key.pem`));
    expect(() => kubeconfigFrom({ path: file }, { allowExec: false })).toThrow(
      new RegExp(`the kubeconfig ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: user "clusterUser_aks07" names a local file \\(client-certificate\\)`),
    );
    expect(reads.filter((p) => p !== file)).toEqual([]);
  });

  it('the -data forms load, and an exec plugin is still refused unless allowed', () => {
    const kc = kubeconfigFrom(kubeconfig(CA_DATA, `    client-certificate-data: ${DATA}\n    client-key-data: ${DATA}\n${TOKEN}`), { allowExec: false });
    expect(kc.getCurrentUser()?.certData).toBe(DATA);
    expect(kc.getCurrentCluster()?.caData).toBe(DATA);
    const exec = '    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin, args: [get-token]}';
    expect(() => kubeconfigFrom(kubeconfig(CA_DATA, exec), { allowExec: false })).toThrow(/runs a program to get credentials/);
    expect(() => kubeconfigFrom(kubeconfig(CA_DATA, exec), { allowExec: true })).not.toThrow();
  });

  it("a kubeconfig handed out by ARM is loaded the same way: the probe's error names the key and nothing is read or sent", async () => {
    const fromArm = kubeconfig(CA_DATA, `    token-file: ${SECRET_FILE}`);
    const probe = kubeProbe({ kubeconfig: async () => fromArm, namespace: 'default', allowDisruptive: false, policy: new NetworkPolicy({ loopbackOnly: true }), timeoutMs: 1_000 });
    const err = await rejection(() => probe.reach());
    await probe.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/names a local file \(token-file\)/);
    expect(err.detail).toMatchObject({ key: 'token-file', entry: 'users[1]' });
    expect(reads).not.toContain(SECRET_FILE);
  });
});
