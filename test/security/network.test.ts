/**
 * The network rules, proven on every probe: nothing is dialled towards link-local (cloud metadata),
 * private or other special ranges unless the class config names that host as a target; in sandbox
 * mode nothing outside 127.0.0.0/8. Each refusal happens before a socket is opened: the policy's
 * `refused` list names it and the connection watcher saw no TCP connect towards it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadClassConfig } from '../../core/config.js';
import { loadProfile } from '../../core/profile.js';
import { Secret } from '../../core/secret.js';
import { createRuntime } from '../../probes/environment.js';
import { httpProbe } from '../../probes/http/index.js';
import { kubeProbe } from '../../probes/kube/probe.js';
import { kubeconfigFrom } from '../../probes/kube/kubeconfig.js';
import { NetworkPolicy, NetworkRefused } from '../../probes/net.js';
import { ProbeError } from '../../probes/types.js';
import { registryProbe } from '../../probes/registry/index.js';
import { sshVm } from '../../probes/vm/ssh.js';
import { rejection, watchConnections } from './support.js';
import { recordedPolicy } from '../support/net.js';

const watch = watchConnections();
afterAll(() => watch.stop());
afterEach(() => {
  // Whatever a test did, no TCP connection left 127.0.0.0/8.
  const outside = watch.outsideLoopback();
  watch.clear();
  expect(outside).toEqual([]);
});

const SPECIAL = [
  '169.254.169.254',
  '64:ff9b::a9fe:a9fe',
  '::ffff:a00:1',
  '169.254.0.1',
  '10.0.0.1',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.1.1',
  '100.64.0.1',
  '0.0.0.0',
  '224.0.0.1',
  'fe80::1',
  'fd00::1',
  '::ffff:169.254.169.254',
];
const urlOf = (host: string, path = '/') => `http://${host.includes(':') ? `[${host}]` : host}${path}`;

function http(policy: NetworkPolicy) {
  return httpProbe({ policy, timeouts: { connect: 500, headers: 500, body: 500 }, maxBodyBytes: 1024, retry: { budgetMs: 2_000, baseDelayMs: 50 } });
}

describe('HTTP probe: special ranges', () => {
  it.each(SPECIAL)('refuses %s (no sandbox, no trusted host) before connecting, without retrying', async (host) => {
    const policy = recordedPolicy();
    const probe = http(policy);
    const err = await rejection(() => probe.get(urlOf(host, '/latest/meta-data/')));
    await probe.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/refused to connect .*(link-local|private|reserved|carrier-grade)/);
    expect(err.detail).toMatchObject({ refused: true, attempts: 1 });
    expect(policy.refused).toHaveLength(1);
    expect(watch.towards(host).filter((d) => d.via === 'net')).toEqual([]);
  });

  it('a public name mapped by connectTo onto the metadata address is refused too (the mapping is vetted)', async () => {
    const policy = new NetworkPolicy({ connectTo: { 'app.example.com:80': '169.254.169.254:80' } });
    const probe = http(policy);
    const err = await rejection(() => probe.get('http://app.example.com/'));
    await probe.close();
    expect(err.message).toMatch(/refused to connect to app\.example\.com:80 \(169\.254\.169\.254\)/);
    expect(watch.towards('169.254.169.254').filter((d) => d.via === 'net')).toEqual([]);
  });

  it('a special address the class config names as a target is allowed (and only that one)', () => {
    const policy = recordedPolicy({ trustedHosts: ['10.1.2.3'] });
    expect(policy.vet('10.1.2.3', '10.1.2.3')).toBeUndefined();
    expect(policy.vet('10.1.2.4', '10.1.2.4')).toMatch(/private/);
    expect(policy.vet('169.254.169.254', '169.254.169.254')).toMatch(/link-local/);
  });
});

describe('sandbox mode: only 127.0.0.0/8', () => {
  const sandbox = () => recordedPolicy({ loopbackOnly: true, connectTo: { 'labuser01-lab.westeurope.cloudapp.azure.com:22': '127.0.0.1:1' } });

  it.each(['203.0.113.99', '8.8.8.8', '10.0.0.1', '169.254.169.254'])('an unmapped LoadBalancer IP %s is refused without a connection', async (ip) => {
    const policy = sandbox();
    const probe = http(policy);
    const err = await rejection(() => probe.get(urlOf(ip)));
    await probe.close();
    expect(err.message).toMatch(/the simulated lab only reaches 127\.0\.0\.0\/8/);
    expect(policy.refused).toEqual([`${ip}:80 -> ${ip}`]);
    expect(watch.towards(ip).filter((d) => d.via === 'net')).toEqual([]);
  });

  it('SSH to an address outside loopback is refused before dialling', async () => {
    const policy = sandbox();
    const vm = sshVm({ target: { host: '10.0.0.7', port: 22, username: 'labuser01', password: new Secret('not-sent-anywhere', 'vm password') }, policy, timeoutMs: 1_000, maxOutputBytes: 1024 });
    const err = await rejection(() => vm.connect());
    await vm.close();
    expect(err.message).toMatch(/ssh labuser01@10\.0\.0\.7:22: refused to connect .*only reaches 127/);
    expect(policy.refused).toHaveLength(1);
  });

  it('SSH outside sandbox mode: the metadata address is refused, even behind a mapped name', async () => {
    const policy = new NetworkPolicy({ connectTo: { 'vm.example.com:22': '169.254.169.254:22' } });
    const vm = sshVm({ target: { host: 'vm.example.com', port: 22, username: 'u', password: new Secret('not-sent-anywhere', 'vm password') }, policy, timeoutMs: 1_000, maxOutputBytes: 1024 });
    expect((await rejection(() => vm.connect())).message).toMatch(/link-local/);
    await vm.close();
  });

  it('a registry login server mapped outside loopback is refused before any request', async () => {
    const policy = new NetworkPolicy({ loopbackOnly: true, connectTo: { 'evilacr.azurecr.io:443': '10.0.0.9:443' } });
    const probe = registryProbe({ policy, credentialsFor: async () => ({ username: 'evilacr', password: 'admin-password-never-sent' }), timeoutMs: 1_000 });
    const err = await rejection(() => probe.tags('evilacr.azurecr.io', 'myapp'));
    await probe.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/only reaches 127/);
    expect(err.message).not.toContain('admin-password-never-sent');
    expect(watch.towards('10.0.0.9').filter((d) => d.via === 'net')).toEqual([]);
  });
});

const kubeconfigFor = (server: string) => `apiVersion: v1
kind: Config
clusters:
- cluster: {server: "${server}", insecure-skip-tls-verify: true}
  name: c
contexts:
- context: {cluster: c, user: u}
  name: c
current-context: c
users:
- name: u
  user: {token: kubeconfig-token-not-sent-anywhere}
`;

describe('kubeconfig servers', () => {
  const reach = async (server: string, policy: NetworkPolicy) => {
    const probe = kubeProbe({ kubeconfig: async () => kubeconfigFor(server), namespace: 'default', allowDisruptive: false, policy, timeoutMs: 1_000 });
    try {
      return await rejection(() => probe.reach());
    } finally {
      await probe.close();
    }
  };

  it.each(['https://10.0.0.1:443', 'https://169.254.169.254', 'https://[fe80::1]:6443'])('sandbox mode refuses the server %s before connecting', async (server) => {
    const policy = new NetworkPolicy({ loopbackOnly: true });
    const err = await reach(server, policy);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/refusing the kubeconfig's server .*only reaches 127/);
    expect(watch.dials.filter((d) => d.host === new URL(server).hostname.replace(/^\[|\]$/g, ''))).toEqual([]);
  });

  it('outside sandbox mode the metadata address and private ranges are refused too', async () => {
    for (const server of ['https://169.254.169.254', 'https://10.0.0.1:443']) {
      const err = await reach(server, new NetworkPolicy());
      expect(err.message).toMatch(/refusing the kubeconfig's server .*(link-local|private)/);
    }
  });

  it('a server name mapped onto a private address is refused when dialled (connectTo is vetted)', async () => {
    const policy = recordedPolicy({ connectTo: { 'aks.example.com:443': '10.0.0.1:443' } });
    const err = await reach('https://aks.example.com', policy);
    expect(err.message).toMatch(/cannot reach the API server .*refused to connect to aks\.example\.com:443 \(10\.0\.0\.1\)/);
    expect(policy.refused).toEqual(['aks.example.com:443 -> 10.0.0.1']);
    expect(err.message).not.toContain('kubeconfig-token-not-sent-anywhere');
  });

  it('a proxy-url (which would bypass the policy) is refused', async () => {
    const text = kubeconfigFor('https://127.0.0.1:1').replace('insecure-skip-tls-verify: true', 'insecure-skip-tls-verify: true, proxy-url: "http://10.0.0.2:3128"');
    const probe = kubeProbe({ kubeconfig: async () => text, namespace: 'default', allowDisruptive: false, policy: new NetworkPolicy({ loopbackOnly: true }), timeoutMs: 1_000 });
    expect((await rejection(() => probe.reach())).message).toMatch(/proxy-url/);
    await probe.close();
  });
});

describe('loopback: a student-controlled target on the grader’s own machine', () => {
  // The instructor's own web server on this machine: nothing a student points at may read it.
  const INSTRUCTOR_PAGE = 'instructor-only-page-never-graded';
  let local: Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    local = createServer((_req, res) => {
      hits++;
      res.end(INSTRUCTOR_PAGE);
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    port = (local.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => local.close(() => resolve())));
  beforeEach(() => {
    hits = 0;
  });

  // Every way of writing this machine: IPv4 loopback (also shortened, decimal and hex, as URL parsers
  // read them), IPv6 loopback and IPv4-mapped loopback, the unspecified address and a name that resolves
  // to loopback (localhost, from /etc/hosts).
  const SPELLINGS = ['127.0.0.1', '127.5.6.7', '127.1', '2130706433', '0x7f.0.0.1', 'localhost', 'LOCALHOST', '[::1]', '[0:0:0:0:0:0:0:1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0', '[::]'];

  it.each(SPELLINGS)('a LoadBalancer address %s is refused before connecting: an error with `refused`, nothing read', async (host) => {
    const policy = recordedPolicy();
    const probe = http(policy);
    const err = await rejection(() => probe.get(`http://${host}:${port}/`));
    await probe.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/refused to connect .*(loopback|reserved)/);
    expect(err.message).not.toContain(INSTRUCTOR_PAGE);
    expect(err.detail).toMatchObject({ refused: true, attempts: 1 });
    expect(policy.refused).toHaveLength(1);
    expect(hits).toBe(0);
    expect(watch.dials.filter((d) => d.via === 'net' && d.port === port)).toEqual([]);
  });

  it('the message says how an instructor allows it', async () => {
    const probe = http(new NetworkPolicy());
    const err = await rejection(() => probe.get(`http://127.0.0.1:${port}/`));
    await probe.close();
    expect(err.message).toContain(
      `refused to connect to 127.0.0.1:${port} (127.0.0.1): loopback addresses (this machine) are not graded unless the class config allows them (network.allowLoopback: true, or a network.connectTo entry for that host:port)`,
    );
  });

  it.each([
    ['network.allowLoopback: true', () => new NetworkPolicy({ allowLoopback: true }), () => `http://127.0.0.1:${port}/`],
    ['a connectTo entry for that host:port', () => new NetworkPolicy({ connectTo: { [`127.0.0.1:${port}`]: `127.0.0.1:${port}` } }), () => `http://127.0.0.1:${port}/`],
    ['a connectTo entry mapping a public name onto it', () => new NetworkPolicy({ connectTo: { 'app.example.com:80': `127.0.0.1:${port}` } }), () => 'http://app.example.com/'],
    ['the class config naming the host as a target', () => new NetworkPolicy({ trustedHosts: ['localhost'] }), () => `http://localhost:${port}/`],
    ['sandbox mode', () => new NetworkPolicy({ loopbackOnly: true }), () => `http://127.0.0.1:${port}/`],
  ])('allowed when the class config names it: %s', async (_what, policy, url) => {
    const probe = http(policy());
    const answer = await probe.get(url());
    await probe.close();
    expect(answer.body).toBe(INSTRUCTOR_PAGE);
    expect(hits).toBe(1);
  });

  it('a connectTo entry allows only its own host:port, not the rest of this machine', async () => {
    const policy = new NetworkPolicy({ connectTo: { 'app.example.com:80': `127.0.0.1:${port}` } });
    const probe = http(policy);
    const err = await rejection(() => probe.get(`http://127.0.0.1:${port}/`));
    await probe.close();
    expect(err.message).toMatch(/loopback addresses \(this machine\) are not graded/);
    expect(hits).toBe(0);
  });

  it('SSH to a VM host that resolves to loopback: an error with `refused`, before dialling', async () => {
    const policy = new NetworkPolicy();
    const vm = sshVm({ target: { host: 'localhost', port, username: 'u', password: new Secret('not-sent-anywhere', 'vm password') }, policy, timeoutMs: 1_000, maxOutputBytes: 1024 });
    const err = await rejection(() => vm.connect());
    await vm.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/ssh u@localhost:\d+: refused to connect .*loopback/);
    expect(err.detail).toMatchObject({ refused: true });
    expect(watch.dials.filter((d) => d.via === 'net' && d.port === port)).toEqual([]);
  });

  it.each(['https://127.0.0.1:6443', 'https://[::1]:6443', 'https://[::ffff:127.0.0.1]:6443', 'https://localhost:6443'])(
    'a kubeconfig server %s: an error with `refused`, nothing sent',
    async (server) => {
      const policy = new NetworkPolicy();
      const probe = kubeProbe({ kubeconfig: async () => kubeconfigFor(server), namespace: 'default', allowDisruptive: false, policy, timeoutMs: 1_000 });
      const err = await rejection(() => probe.reach());
      await probe.close();
      expect(err).toBeInstanceOf(ProbeError);
      expect(err.message).toMatch(/refus.*loopback addresses \(this machine\) are not graded/);
      expect(err.detail).toMatchObject({ refused: true });
      expect(err.message).not.toContain('kubeconfig-token-not-sent-anywhere');
      expect(watch.dials.filter((d) => d.via === 'net' && d.port === 6443)).toEqual([]);
    },
  );

  it('a kubeconfig server on loopback that a connectTo entry names is allowed to be dialled', () => {
    const policy = new NetworkPolicy({ connectTo: { '127.0.0.1:6443': '127.0.0.1:6443' } });
    expect(() => kubeconfigFrom(kubeconfigFor('https://127.0.0.1:6443'), { allowExec: false, policy })).not.toThrow();
    expect(() => kubeconfigFrom(kubeconfigFor('https://127.0.0.1:6444'), { allowExec: false, policy })).toThrow(/loopback/);
  });

  it('a registry login server that resolves to loopback: an error with `refused`, no credentials sent', async () => {
    const policy = new NetworkPolicy();
    const probe = registryProbe({ policy, credentialsFor: async () => ({ username: 'u', password: 'admin-password-never-sent' }), timeoutMs: 1_000 });
    const err = await rejection(() => probe.tags(`localhost:${port}`, 'myapp'));
    await probe.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/loopback addresses \(this machine\) are not graded/);
    expect(err.detail).toMatchObject({ refused: true });
    expect(hits).toBe(0);
  });

  it('the class config key network.allowLoopback reaches the network policy; a wrong value names the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-grade-loopback-'));
    const write = (network: string) => {
      const file = join(dir, 'lab-grade.yaml');
      writeFileSync(file, `roster: [labuser01]\nnetwork: ${network}\n`);
      return file;
    };
    const runtime = (file: string) => createRuntime(loadClassConfig(file), { profile: loadProfile(), allowDisruptive: false, allowExecCredentials: false });
    expect(runtime(write('{ allowLoopback: true }')).policy.vet('127.0.0.1', '127.0.0.1')).toBeUndefined();
    expect(runtime(write('{}')).policy.vet('127.0.0.1', '127.0.0.1')).toMatch(/loopback/);
    expect(() => loadClassConfig(write('{ allowLoopback: "yes" }'))).toThrow(/network\.allowLoopback/);
  });
});

describe('every spelling of this machine, through every entry point of the policy', () => {
  const LOOPBACK_REFUSED = 'loopback addresses (this machine) are not graded unless the class config allows them (network.allowLoopback: true, or a network.connectTo entry for that host:port)';
  const RESERVED_REFUSED = 'reserved addresses are not graded unless the class config names them';

  // A listener on each loopback: a spelling the policy let through would reach one of them.
  type Family = 'v4' | 'v6';
  const listeners = {} as Record<Family, { close(): Promise<void>; port: number; hits: number }>;
  beforeAll(async () => {
    for (const [family, host] of [
      ['v4', '127.0.0.1'],
      ['v6', '::1'],
    ] as const) {
      const entry = { port: 0, hits: 0, close: async () => {} };
      const server = createTcpServer((s) => s.on('error', () => {}).end());
      server.on('connection', () => entry.hits++);
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      entry.port = (server.address() as AddressInfo).port;
      entry.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
      listeners[family] = entry;
    }
  });
  afterAll(() => Promise.all(Object.values(listeners).map((l) => l.close())));
  beforeEach(() => {
    listeners.v4.hits = listeners.v6.hits = 0;
  });

  // [spelling, the listener it reaches once dialled]
  const LOOPBACK: Array<[string, Family]> = [
    ['127.0.0.1', 'v4'],
    ['127.1', 'v4'],
    ['0x7f.1', 'v4'],
    ['0X7F.0.0.1', 'v4'],
    ['2130706433', 'v4'],
    ['0177.0.0.1', 'v4'],
    ['127.0.0.1.', 'v4'],
    ['::1', 'v6'],
    ['0:0:0:0:0:0:0:1', 'v6'],
    ['::0001', 'v6'],
    ['::1%lo', 'v6'],
  ];
  // IPv4-mapped loopback reaches the IPv4 listener too; the watcher blocks it as it stands, so it is
  // only shown refused.
  const MAPPED: Array<[string, Family]> = [
    ['::ffff:127.0.0.1', 'v4'],
    ['::ffff:7f00:1', 'v4'],
    ['::FFFF:7F00:1', 'v4'],
  ];
  // The unspecified address dials this machine as well, but is no loopback address: refused even
  // where loopback is allowed.
  const UNSPECIFIED: Array<[string, Family]> = [
    ['0.0.0.0', 'v4'],
    ['0', 'v4'],
    ['0x0', 'v4'],
    ['::ffff:0.0.0.0', 'v4'],
    ['::', 'v6'],
    ['0:0:0:0:0:0:0:0', 'v6'],
    ['::0', 'v6'],
    ['0::0', 'v6'],
    ['::%lo', 'v6'],
  ];
  const REFUSED = [
    ...LOOPBACK.map(([s, f]) => [s, f, LOOPBACK_REFUSED] as const),
    ...MAPPED.map(([s, f]) => [s, f, LOOPBACK_REFUSED] as const),
    ...UNSPECIFIED.map(([s, f]) => [s, f, RESERVED_REFUSED] as const),
  ];
  // A URL cannot carry an IPv6 zone.
  const IN_URLS = REFUSED.filter(([spelling]) => !spelling.includes('%'));
  const urlHost = (spelling: string) => (spelling.includes(':') ? `[${spelling}]` : spelling);

  it.each(REFUSED)('%s: vetLiteral refuses it (%s listener)', (spelling, family, verdict) => {
    expect(new NetworkPolicy().vetLiteral(spelling, listeners[family].port)).toBe(verdict);
  });

  it.each(REFUSED)('%s: resolve refuses it without a lookup (%s listener)', async (spelling, family) => {
    const policy = recordedPolicy();
    const err = await rejection(() => policy.resolve(spelling, listeners[family].port));
    expect(err).toBeInstanceOf(NetworkRefused);
    expect(policy.refused).toHaveLength(1);
    expect(watch.lookups).toEqual([]);
  });

  it.each(REFUSED)('%s: socket refuses it, nothing reaches the %s listener', async (spelling, family) => {
    const err = await rejection(() => new NetworkPolicy().socket(spelling, listeners[family].port, 2_000));
    expect(err).toBeInstanceOf(NetworkRefused);
    expect(listeners[family].hits).toBe(0);
    expect(watch.dials).toEqual([]);
  });

  it.each(IN_URLS)('%s in a URL: the HTTP probe refuses it, nothing reaches the %s listener', async (spelling, family) => {
    const policy = recordedPolicy();
    const probe = http(policy);
    const err = await rejection(() => probe.get(`http://${urlHost(spelling)}:${listeners[family].port}/`));
    await probe.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.detail).toMatchObject({ refused: true, attempts: 1 });
    expect(policy.refused).toHaveLength(1);
    expect(listeners[family].hits).toBe(0);
    expect(watch.dials.filter((d) => d.via === 'net')).toEqual([]);
  });

  it.each(LOOPBACK)('%s is dialled when the class config allows loopback: the %s listener answers', async (spelling, family) => {
    const socket = await new NetworkPolicy({ allowLoopback: true }).socket(spelling, listeners[family].port, 2_000);
    const remote = { address: socket.remoteAddress, port: socket.remotePort };
    socket.destroy();
    expect(remote).toEqual({ address: family === 'v4' ? '127.0.0.1' : '::1', port: listeners[family].port });
    await vi.waitFor(() => expect(listeners[family].hits).toBe(1));
  });

  it.each(UNSPECIFIED)('%s stays refused when the class config allows loopback (%s listener)', async (spelling, family) => {
    const policy = new NetworkPolicy({ allowLoopback: true });
    expect(policy.vetLiteral(spelling, listeners[family].port)).toBe(RESERVED_REFUSED);
    expect(await rejection(() => policy.socket(spelling, listeners[family].port, 2_000))).toBeInstanceOf(NetworkRefused);
    expect(listeners[family].hits).toBe(0);
  });
});
