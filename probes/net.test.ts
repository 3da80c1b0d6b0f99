import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { request, type buildConnector } from 'undici';
import { NetworkPolicy, NetworkRefused, refusedByPolicy, resumingConnector, specialRange, VERDICTS_KEPT } from './net.js';
import { createCa, type SandboxCa } from '../sandbox/ca.js';
import { recordedPolicy } from '../test/support/net.js';

describe('network policy', () => {
  let port = 0;
  const server = createServer((req, res) => res.end(`host=${req.headers.host}`));
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('maps connectTo before DNS and keeps the public Host header', async () => {
    const policy = new NetworkPolicy({ connectTo: { '203.0.113.7:80': `127.0.0.1:${port}` }, loopbackOnly: true });
    const res = await request('http://203.0.113.7/', { dispatcher: policy.dispatcher() });
    expect(await res.body.text()).toBe('host=203.0.113.7');
  });

  it('refuses anything outside loopback in sandbox mode, before connecting', async () => {
    const policy = recordedPolicy({ loopbackOnly: true });
    await expect(request('http://169.254.169.254/latest/meta-data/', { dispatcher: policy.dispatcher() })).rejects.toThrow(/only reaches 127/);
    expect(policy.refused).toEqual(['169.254.169.254:80 -> 169.254.169.254']);
  });

  it('refuses metadata and private ranges unless the config names the host', () => {
    const policy = new NetworkPolicy({ trustedHosts: ['10.1.2.3'] });
    expect(policy.vet('169.254.169.254', '169.254.169.254')).toMatch(/link-local/);
    expect(policy.vet('192.168.1.10', 'evil.example')).toMatch(/private/);
    expect(policy.vet('10.1.2.3', '10.1.2.3')).toBeUndefined();
    expect(policy.vet('20.50.1.2', 'labuser01.westeurope.cloudapp.azure.com')).toBeUndefined();
    expect(specialRange('fe80::1')).toMatch(/link-local/);
    expect(specialRange('fd00::1')).toBe('private');
  });

  it('rejects a malformed connectTo entry with the key named', () => {
    expect(() => new NetworkPolicy({ connectTo: { nohost: '127.0.0.1:1' } })).toThrow(/network.connectTo key: expected "host:port", got "nohost"/);
  });
});

describe('connectTo entries (parseEndpoint)', () => {
  const refusal = (connectTo: Record<string, string>) => {
    try {
      new NetworkPolicy({ connectTo });
    } catch (err) {
      return err as Error;
    }
    throw new Error('accepted');
  };

  it('trims, lowercases and reads IPv6 in brackets; an unmapped endpoint is dialled as it is', () => {
    const policy = new NetworkPolicy({ connectTo: { ' App.Example.com:80 ': ' LocalHost:8080 ', '[2001:DB8::1]:443': '[::1]:6443', 'max.example.com:65535': '127.0.0.1:1' } });
    expect(policy.route('app.example.com', 80)).toEqual({ host: 'localhost', port: 8080 });
    expect(policy.route('APP.example.COM', 80)).toEqual({ host: 'localhost', port: 8080 });
    expect(policy.route('2001:db8::1', 443)).toEqual({ host: '::1', port: 6443 });
    expect(policy.route('max.example.com', 65535)).toEqual({ host: '127.0.0.1', port: 1 });
    expect(policy.route('app.example.com', 81)).toEqual({ host: 'app.example.com', port: 81 });
  });

  it.each(['nohost', ':80', 'app.example.com:0', 'app.example.com:65536', 'app.example.com:123456', 'app.example.com:80x', '[::1]x:80', 'a]b:80'])(
    'refuses the key %j with a NetworkRefused naming it',
    (text) => {
      const err = refusal({ [text]: '127.0.0.1:1' });
      expect(err).toBeInstanceOf(NetworkRefused);
      expect(err.name).toBe('NetworkRefused');
      expect(err.message).toBe(`network.connectTo key: expected "host:port", got ${JSON.stringify(text)}`);
    },
  );

  it('refuses a malformed value naming the key it belongs to', () => {
    expect(refusal({ 'app.example.com:80': 'nope' }).message).toBe('network.connectTo["app.example.com:80"]: expected "host:port", got "nope"');
  });
});

describe('refusedByPolicy', () => {
  const wrapped = (err: Error, times: number): Error => (times === 0 ? err : new Error(`wrap ${times}`, { cause: wrapped(err, times - 1) }));

  it('finds the refusal up to six errors deep in the chain of causes', () => {
    const refusal = new NetworkRefused('refused to connect');
    expect(refusedByPolicy(refusal)).toBe(refusal);
    expect(refusedByPolicy(wrapped(refusal, 5))).toBe(refusal);
    expect(refusedByPolicy(wrapped(refusal, 6))).toBeUndefined();
    expect(refusedByPolicy(wrapped(new Error('ECONNRESET'), 2))).toBeUndefined();
    expect(refusedByPolicy('refused')).toBeUndefined();
  });
});

describe('each address class', () => {
  const LOOPBACK = 'loopback addresses (this machine) are not graded unless the class config allows them (network.allowLoopback: true, or a network.connectTo entry for that host:port)';
  const named = (range: string) => `${range} addresses are not graded unless the class config names them`;

  it.each([
    ['127.0.0.1', LOOPBACK],
    ['127.5.6.7', LOOPBACK],
    ['::1', LOOPBACK],
    ['::ffff:127.0.0.1', LOOPBACK],
    ['169.254.169.254', named('link-local (cloud metadata)')],
    ['fe80::1', named('link-local')],
    ['10.0.0.1', named('private')],
    ['172.16.0.1', named('private')],
    ['192.168.1.10', named('private')],
    ['fd00::1', named('private')],
    ['100.64.0.1', named('carrier-grade NAT')],
    ['0.0.0.0', named('reserved')],
    ['224.0.0.1', named('reserved')],
    ['ff02::1', named('reserved')],
    ['20.50.1.2', undefined],
    ['2001:db8::1', undefined],
  ])('by default %s: %s', (address, verdict) => {
    expect(new NetworkPolicy().vet(address, 'app.example.com')).toBe(verdict);
  });

  it('the class config naming a host (by name, any case, or by address) allows it, and only it', () => {
    const policy = new NetworkPolicy({ trustedHosts: ['LocalHost', '10.1.2.3'] });
    expect(policy.vet('127.0.0.1', 'localhost')).toBeUndefined();
    expect(policy.vet('10.1.2.3', 'internal.example.com')).toBeUndefined();
    expect(policy.vet('10.1.2.4', 'internal.example.com')).toBe(named('private'));
  });

  it('allowLoopback and a connectTo entry allow this machine, not the private ranges', () => {
    const policy = new NetworkPolicy({ allowLoopback: true });
    expect(policy.vet('::1', '::1')).toBeUndefined();
    expect(policy.vet('127.0.0.1', 'localhost')).toBeUndefined();
    expect(policy.vet('10.0.0.1', '10.0.0.1')).toBe(named('private'));
    expect(new NetworkPolicy().vet('127.0.0.1', '127.0.0.1', true)).toBeUndefined();
    expect(new NetworkPolicy().vet('10.0.0.1', '10.0.0.1', true)).toBe(named('private'));
  });

  it('an address is dialled in the canonical form it was vetted in, with its zone, never looked up', async () => {
    const policy = new NetworkPolicy({ allowLoopback: true, trustedHosts: ['fe80::1'] });
    expect(await policy.resolve('0x7f.1', 80)).toEqual({ address: '127.0.0.1', port: 80, mapped: false });
    expect(await policy.resolve('[0:0:0:0:0:0:0:1]', 80)).toEqual({ address: '::1', port: 80, mapped: false });
    expect(await policy.resolve('::1%lo', 80)).toEqual({ address: '::1%lo', port: 80, mapped: false });
    expect(await policy.resolve('FE80:0::1%eth0', 80)).toEqual({ address: 'fe80::1%eth0', port: 80, mapped: false });
  });

  it('a trusted name is told apart from one that only case folding would make equal', () => {
    // Lower case keeps "straße" and "strasse" apart; upper case would make both "STRASSE".
    const policy = new NetworkPolicy({ trustedHosts: ['Straße.example'] });
    expect(policy.vet('10.0.0.1', 'straße.EXAMPLE')).toBeUndefined();
    expect(policy.vet('10.0.0.1', 'strasse.example')).toBe(named('private'));
  });

  it('a trusted address allows every spelling of it, and only it', () => {
    const policy = new NetworkPolicy({ trustedHosts: ['FD00:0::1', '10.1.2.3'] });
    expect(policy.vetLiteral('fd00::1', 443)).toBeUndefined();
    expect(policy.vet('fd00:0:0:0:0:0:0:1', 'app.example.com')).toBeUndefined();
    expect(policy.vetLiteral('10.1.515', 443)).toBeUndefined();
    expect(policy.vetLiteral('fd00::2', 443)).toBe(named('private'));
    expect(policy.vetLiteral('10.1.2.4', 443)).toBe(named('private'));
  });

  it('sandbox mode reaches loopback only, whatever the class config trusts', () => {
    const policy = new NetworkPolicy({ loopbackOnly: true, trustedHosts: ['10.0.0.1', '20.50.1.2'] });
    expect(policy.vet('127.0.0.1', '127.0.0.1')).toBeUndefined();
    expect(policy.vet('10.0.0.1', '10.0.0.1')).toBe('the simulated lab only reaches 127.0.0.0/8');
    expect(policy.vet('20.50.1.2', '20.50.1.2')).toBe('the simulated lab only reaches 127.0.0.0/8');
  });

  it('vetLiteral strips one pair of IPv6 brackets, follows connectTo and leaves names to the dial', () => {
    const policy = new NetworkPolicy({ connectTo: { '203.0.113.7:80': '127.0.0.1:8080', 'app.example.com:443': '10.0.0.1:443' } });
    expect(policy.vetLiteral('[::1]', 443)).toBe(LOOPBACK);
    expect(policy.vetLiteral('[fe80::1]', 443)).toBe(named('link-local'));
    expect(policy.vetLiteral('203.0.113.7', 80)).toBeUndefined();
    expect(policy.vetLiteral('203.0.113.7', 81)).toBeUndefined();
    expect(policy.vetLiteral('127.0.0.1', 8080)).toBe(LOOPBACK);
    expect(policy.vetLiteral('app.example.com', 443)).toBe(named('private'));
    expect(policy.vetLiteral('fd.example.com', 443)).toBeUndefined();
    // Every spelling of an address is one: IPv6 expanded or with a zone, IPv4 short or hex.
    expect(policy.vetLiteral('[0:0:0:0:0:0:0:0]', 443)).toBe(named('reserved'));
    expect(policy.vetLiteral('fe80::1%eth0', 443)).toBe(named('link-local'));
    expect(policy.vetLiteral('0xa9fea9fe', 80)).toBe(named('link-local (cloud metadata)'));
    expect(policy.vetLiteral('127.1', 443)).toBe(LOOPBACK);
    // Not address literals: the name is vetted once it resolves.
    expect(policy.vetLiteral('[[::1]', 443)).toBeUndefined();
    expect(policy.vetLiteral('[::1]]', 443)).toBeUndefined();
    expect(new NetworkPolicy({ loopbackOnly: true }).vetLiteral('app.example.com', 443)).toBeUndefined();
  });

  it('a verdict is decided once per address, host and mapping, and each of the three keeps its own', () => {
    const policy = new NetworkPolicy({ trustedHosts: ['registry.example.com'] });
    const decide = vi.spyOn(policy as unknown as { decide: () => string | undefined }, 'decide');
    for (let i = 0; i < 3; i++) expect(policy.vet('127.0.0.1', 'app.example.com')).toBe(LOOPBACK);
    expect(decide).toHaveBeenCalledTimes(1);
    // The same address through a connectTo entry, or named by a trusted host, is another question.
    expect(policy.vet('127.0.0.1', 'app.example.com', true)).toBeUndefined();
    expect(policy.vet('127.0.0.1', 'registry.example.com')).toBeUndefined();
    expect(policy.vet('10.0.0.1', 'app.example.com')).toBe(named('private'));
    expect(policy.vet('127.0.0.1', 'app.example.com')).toBe(LOOPBACK);
    expect(decide).toHaveBeenCalledTimes(4);
  });

  it(`keeps ${VERDICTS_KEPT} verdicts; past them it starts again and still answers each address by its class`, () => {
    const policy = new NetworkPolicy();
    const decide = vi.spyOn(policy as unknown as { decide: () => string | undefined }, 'decide');
    const address = (i: number) => `20.${(i >> 8) & 255}.${i & 255}.1`;
    for (let i = 0; i < VERDICTS_KEPT; i++) policy.vet(address(i), 'app.example.com');
    policy.vet(address(0), 'app.example.com');
    expect(decide).toHaveBeenCalledTimes(VERDICTS_KEPT);
    policy.vet(address(VERDICTS_KEPT), 'app.example.com');
    policy.vet(address(0), 'app.example.com');
    expect(decide).toHaveBeenCalledTimes(VERDICTS_KEPT + 2);
    expect(policy.vet('127.0.0.1', 'app.example.com')).toBe(LOOPBACK);
    expect(policy.vet('20.0.0.1', 'app.example.com')).toBeUndefined();
    expect((policy as unknown as { verdicts: Map<string, string> }).verdicts.size).toBeLessThanOrEqual(VERDICTS_KEPT);
  });
});

describe('HTTPS through the policy', () => {
  let ca: SandboxCa;
  let port = 0;
  const reused: boolean[] = [];
  let server: HttpsServer;
  beforeAll(async () => {
    ca = await createCa();
    server = createHttpsServer(await ca.issue({ dns: ['app.example.com'] }), (req, res) => res.end(`host=${req.headers.host}`));
    server.on('secureConnection', (s) => reused.push(s.isSessionReused()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const mapped = () => new NetworkPolicy({ connectTo: { 'app.example.com:443': `127.0.0.1:${port}` } });

  it('dials the mapped address on 443 by default, trusts the given CA and verifies the original name; parallel first requests resume one session', async () => {
    reused.length = 0;
    const dispatcher = mapped().dispatcher({ ca: ca.certPem });
    try {
      const bodies = await Promise.all([1, 2].map(async () => (await request('https://app.example.com/', { dispatcher })).body.text()));
      expect(bodies).toEqual(['host=app.example.com', 'host=app.example.com']);
      expect(reused).toEqual([false, true]);
    } finally {
      await dispatcher.close();
    }
  });

  it('without the CA the certificate is not trusted', async () => {
    const dispatcher = mapped().dispatcher();
    try {
      const err = await request('https://app.example.com/', { dispatcher }).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      expect(err?.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    } finally {
      await dispatcher.close();
    }
  });

  it('bounds the connection (TLS handshake included) by connectTimeout', { timeout: 5_000 }, async () => {
    const silent = createNetServer(() => {});
    const sockets = new Set<Socket>();
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const policy = new NetworkPolicy({ connectTo: { 'app.example.com:443': `127.0.0.1:${(silent.address() as AddressInfo).port}` } });
    const dispatcher = policy.dispatcher({ ca: ca.certPem }, { connectTimeout: 100 });
    try {
      const err = await request('https://app.example.com/', { dispatcher }).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      expect(err?.code).toBe('UND_ERR_CONNECT_TIMEOUT');
    } finally {
      await dispatcher.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

describe('resumingConnector', () => {
  type Dial = { opts: buildConnector.Options; callback: buildConnector.Callback };
  const setup = (maxWaitMs?: number) => {
    const dials: Dial[] = [];
    const answers: unknown[][] = [];
    const connect = resumingConnector((opts, callback) => void dials.push({ opts, callback }), maxWaitMs);
    const open = (over: Partial<buildConnector.Options> = {}) => {
      const opts = { protocol: 'https:', hostname: '127.0.0.1', host: 'app.example.com', port: '8443', servername: 'app.example.com', ...over } as buildConnector.Options;
      connect(opts, (...answer) => void answers.push(answer));
      return opts;
    };
    return { dials, answers, open };
  };
  const tick = () => new Promise((r) => setImmediate(r));
  const tlsSocket = () => new EventEmitter() as unknown as TLSSocket;

  it('plain HTTP connections never wait', () => {
    const { dials, open } = setup();
    open({ protocol: 'http:' });
    open({ protocol: 'http:' });
    expect(dials).toHaveLength(2);
  });

  it.each(['session', 'close'])('a second HTTPS connection to the same server waits for the first one’s %s, then dials; later ones do not wait', async (event) => {
    const { dials, answers, open } = setup();
    open();
    const second = open();
    expect(dials).toHaveLength(1);
    const socket = tlsSocket();
    dials[0].callback(null, socket);
    expect(answers).toEqual([[null, socket]]);
    await tick();
    expect(dials).toHaveLength(1);
    socket.emit(event);
    await tick();
    expect(dials.map((d) => d.opts)).toEqual([expect.anything(), second]);
    open();
    await tick();
    expect(dials).toHaveLength(3);
  });

  it.each([
    ['an error', new Error('ECONNREFUSED')],
    ['no socket', null],
  ])('the waiting connections dial when the first answers with %s', async (_what, err) => {
    const { dials, answers, open } = setup();
    open();
    open();
    // No socket and no error: not in undici's types, but the connector releases the waiters for it too.
    (dials[0].callback as (...answer: unknown[]) => void)(err, null);
    expect(answers).toEqual([[err, null]]);
    await tick();
    expect(dials).toHaveLength(2);
  });

  it('waits at most maxWaitMs for a session', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { dials, open } = setup(100);
      open();
      open();
      dials[0].callback(null, tlsSocket());
      await vi.advanceTimersByTimeAsync(99);
      expect(dials).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(dials).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('another server (port, address or name) does not wait', () => {
    const { dials, open } = setup();
    open();
    open({ port: '8444' });
    open({ hostname: '127.0.0.2' });
    open({ servername: 'other.example.com' });
    expect(dials).toHaveLength(4);
  });
});

describe('policy.socket (SSH)', () => {
  let port = 0;
  // A client that gives up may reset the connection: not this server's concern.
  const server = createNetServer((s) => s.on('error', () => {}).end('SSH-2.0-fake\r\n'));
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const policy = () => new NetworkPolicy({ connectTo: { 'vm.example.com:22': `127.0.0.1:${port}` } });

  it('connects to the mapped address', async () => {
    const s = await policy().socket('vm.example.com', 22, 2_000);
    try {
      expect(s.remotePort).toBe(port);
    } finally {
      s.destroy();
    }
  });

  it('refuses loopback that the config does not name, before dialling', async () => {
    await expect(new NetworkPolicy().socket('127.0.0.1', port, 2_000)).rejects.toThrow(NetworkRefused);
  });

  it('passes the connection error on', async () => {
    const closed = createNetServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await new NetworkPolicy({ allowLoopback: true }).socket('127.0.0.1', closedPort, 2_000).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('ECONNREFUSED');
  });

  it('gives up after timeoutMs, naming the host as configured', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const connecting = policy().socket('vm.example.com', 22, 50);
      for (let i = 0; i < 50 && vi.getTimerCount() === 0; i++) await Promise.resolve();
      vi.advanceTimersByTime(50);
      const err = await connecting.then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(NetworkRefused);
      expect(err?.message).toBe('connection to vm.example.com:22 timed out after 50 ms');
    } finally {
      vi.useRealTimers();
    }
  });
});
