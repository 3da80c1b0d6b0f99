/**
 * The connection watcher of the security tests blocks, not only records: a connection outside
 * 127.0.0.0/8 or ::1, or a name resolution other than `localhost`, fails before it is made, so a
 * regression in the network policy cannot reach the network. It decides by a rule of its own, so a
 * regression in the policy's address classification cannot weaken it either.
 */
import dns from 'node:dns';
import { lookup as namedLookup } from 'node:dns/promises';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NetworkPolicy } from '../../probes/net.js';
import { BLOCKED_CODE, watchConnections, watcherLoopback } from './support.js';

// The policy's classification with this bug put back: the unspecified address counted as
// loopback. The watcher must not care (had it asked the policy, the connections below would reach
// this machine's listeners, never the network).
vi.mock('../../probes/addresses.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../probes/addresses.js')>();
  const unspecified = (a: string) => ['0.0.0.0', '::', '0:0:0:0:0:0:0:0'].includes(a);
  return { ...original, isLoopback: (a: string) => unspecified(a) || original.isLoopback(a) };
});

const watch = watchConnections();
afterAll(() => watch.stop());

/** A resolver that answers `address` for every name, in the shape the caller asked for. */
const answering = (address: string) => (_host: string, options: { all?: boolean }, callback: (e: null, a: string | Array<{ address: string; family: number }>, f?: number) => void) =>
  options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);

/** How a connection ended: connected, or the error's code. */
async function outcome(socket: Socket): Promise<string> {
  const result = await new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(String(e.code)));
  });
  socket.destroy();
  return result;
}

/** The error code a callback or a promise of node:dns ended with ('answered' if it did not fail). */
const codeOf = (call: (callback: (err: NodeJS.ErrnoException | null) => void) => void) => new Promise<string>((resolve) => call((err) => resolve(err ? String(err.code) : 'answered')));
const rejectionCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => String(err.code),
  );

/** A TCP server on `host` that counts the connections it receives. */
async function listener(host: string) {
  const server = createServer((s) => s.end());
  let hits = 0;
  server.on('connection', () => hits++);
  server.listen(0, host);
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, hits: () => hits };
}

describe("the watcher's own loopback rule", () => {
  it.each(['127.0.0.1', '127.0.0.0', '127.255.255.255', '::1', '0:0:0:0:0:0:0:1', '0000::0001', '::1%lo'])('%s is loopback', (host) => {
    expect(watcherLoopback(host)).toBe(true);
  });

  it.each([
    // Outside 127.0.0.0/8 and ::1, by value.
    '126.255.255.255',
    '128.0.0.0',
    '10.0.0.1',
    '169.254.169.254',
    'fd00::1',
    '::2',
    '1::1',
    // The unspecified address dials this machine by a route the policy must refuse.
    '0.0.0.0',
    '::',
    '0:0:0:0:0:0:0:0',
    // Other spellings of loopback: the policy must refuse them, the watcher never lets them through.
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '127.1',
    '0x7f.1',
    '2130706433',
    '0177.0.0.1',
    '127.000.0.1',
    '127.0.0.256',
    '[::1]',
    '::1%',
    ':::1',
    '::1::',
    '0:0:0:0:0:0:0:0:1',
    // Names, localhost included (it is resolved through the watched lookup).
    'localhost',
    '',
  ])('%j is outside', (host) => {
    expect(watcherLoopback(host)).toBe(false);
  });
});

describe('connections', () => {
  let v4: Awaited<ReturnType<typeof listener>>;
  let v6: Awaited<ReturnType<typeof listener>>;
  beforeAll(async () => {
    [v4, v6] = await Promise.all([listener('127.0.0.1'), listener('::1')]);
  });
  afterAll(() => Promise.all([v4, v6].map(({ server }) => new Promise((resolve) => (server as Server).close(resolve)))));

  it('blocks an address outside loopback before connecting, and records it', async () => {
    expect(await outcome(connect({ host: '10.255.255.1', port: 9 }))).toBe(BLOCKED_CODE);
    expect(watch.towards('10.255.255.1')).toEqual([{ host: '10.255.255.1', port: 9, via: 'net', blocked: true }]);
    expect(watch.outsideLoopback()).toContainEqual({ host: '10.255.255.1', port: 9, via: 'net', blocked: true });
  });

  it.each(['10.0.0.1', '169.254.169.254', 'fd00::1'])('blocks %s', async (host) => {
    expect(await outcome(connect({ host, port: 80 }))).toBe(BLOCKED_CODE);
    expect(watch.towards(host)).toEqual([{ host, port: 80, via: 'net', blocked: true }]);
  });

  it('blocks the metadata address given as (port, host)', async () => {
    expect(await outcome(connect(80, '169.254.169.254'))).toBe(BLOCKED_CODE);
    expect(watch.towards('169.254.169.254').at(-1)).toEqual({ host: '169.254.169.254', port: 80, via: 'net', blocked: true });
  });

  it.each([
    ['0:0:0:0:0:0:0:0', () => v6],
    ['::', () => v6],
    ['0.0.0.0', () => v4],
    ['::ffff:127.0.0.1', () => v4],
  ])('blocks %s, which would reach a listener on this machine, whatever the policy thinks of it', async (host, server) => {
    expect(await outcome(connect({ host, port: server().port }))).toBe(BLOCKED_CODE);
    expect(server().hits()).toBe(0);
  });

  it('blocks a name without a DNS query, and a name whose own lookup answers outside loopback', async () => {
    expect(await outcome(connect({ host: 'metadata.example.invalid', port: 80 }))).toBe(BLOCKED_CODE);
    expect(await outcome(connect({ host: 'app.example.com', port: 80, lookup: answering('192.168.1.1') as never }))).toBe(BLOCKED_CODE);
    expect(watch.towards('192.168.1.1')[0].blocked).toBe(true);
  });

  it('lets loopback through: by address (IPv4 and IPv6), by localhost, and by a name its lookup maps onto 127.0.0.1', async () => {
    const before = [v4.hits(), v6.hits()];
    const seen = watch.dials.length;
    expect(await outcome(connect({ host: '127.0.0.1', port: v4.port }))).toBe('connected');
    expect(await outcome(connect({ host: 'app.example.com', port: v4.port, lookup: answering('127.0.0.1') as never }))).toBe('connected');
    expect(await outcome(connect({ host: '::1', port: v6.port }))).toBe('connected');
    expect(await outcome(connect({ host: 'localhost', port: v4.port, family: 4 }))).toBe('connected');
    expect(watch.dials.slice(seen).map((d) => [d.host, d.blocked ?? false])).toEqual([
      ['127.0.0.1', false],
      ['app.example.com', false],
      ['::1', false],
      ['localhost', false],
    ]);
    // Connections counted as the server accepts them: wait for the last one to arrive.
    await vi.waitFor(() => expect([v4.hits(), v6.hits()]).toEqual([before[0] + 3, before[1] + 1]));
  });
});

describe('name resolution (node:dns)', () => {
  // Queries go to a local UDP port while these tests run: had the watcher let one through, it would
  // arrive there, not at a real DNS server.
  let queries = 0;
  const udp = createSocket('udp4').on('message', () => queries++);
  const servers = { callback: dns.getServers(), promise: dns.promises.getServers() };
  beforeAll(async () => {
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const local = [`127.0.0.1:${udp.address().port}`];
    dns.setServers(local);
    dns.promises.setServers(local);
  });
  afterAll(() => {
    dns.setServers(servers.callback);
    dns.promises.setServers(servers.promise);
    udp.close();
  });

  it('blocks a lookup of any name but localhost, callback and promise, also through a named import', async () => {
    expect(await codeOf((cb) => dns.lookup('metadata.example.invalid', cb))).toBe(BLOCKED_CODE);
    expect(await codeOf((cb) => dns.lookup('app.example.invalid', { all: true }, cb))).toBe(BLOCKED_CODE);
    expect(await rejectionCode(dns.promises.lookup('app.example.invalid'))).toBe(BLOCKED_CODE);
    expect(await rejectionCode(namedLookup('named.example.invalid'))).toBe(BLOCKED_CODE);
    expect(await codeOf((cb) => dns.lookup('10.0.0.1', cb))).toBe(BLOCKED_CODE);
    expect(watch.lookups.filter((l) => l.blocked).map((l) => l.name)).toEqual(expect.arrayContaining(['metadata.example.invalid', 'app.example.invalid', 'named.example.invalid', '10.0.0.1']));
  });

  it('blocks every query to a DNS server: resolve*, reverse and lookupService, of the module and of its Resolver classes', async () => {
    const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
    const promises = new dns.promises.Resolver({ timeout: 200, tries: 1 });
    const local = [`127.0.0.1:${udp.address().port}`];
    resolver.setServers(local);
    promises.setServers(local);
    const codes = [
      await codeOf((cb) => dns.resolve4('example.com', cb)),
      await codeOf((cb) => dns.resolve('example.com', 'TXT', cb)),
      await codeOf((cb) => dns.reverse('10.0.0.1', cb)),
      await codeOf((cb) => dns.lookupService('10.0.0.1', 22, cb)),
      await codeOf((cb) => resolver.resolve6('example.com', cb)),
      await codeOf((cb) => resolver.resolveAny('example.com', cb)),
      await rejectionCode(dns.promises.resolveTxt('example.com')),
      await rejectionCode(dns.promises.reverse('10.0.0.1')),
      await rejectionCode(dns.promises.lookupService('10.0.0.1', 22)),
      await rejectionCode(promises.resolve('example.com')),
      await rejectionCode(promises.resolveMx('example.com')),
    ];
    expect(codes).toEqual(Array(11).fill(BLOCKED_CODE));
    expect(queries).toBe(0);
  });

  it('the policy’s own lookup of a student’s name is blocked and recorded, not sent', async () => {
    expect(await rejectionCode(new NetworkPolicy().resolve('student-app.example.invalid', 443))).toBe(BLOCKED_CODE);
    expect(watch.lookups).toContainEqual({ name: 'student-app.example.invalid', api: 'lookup', blocked: true });
    expect(watch.outsideLoopback()).toContainEqual({ name: 'student-app.example.invalid', api: 'lookup', blocked: true });
  });

  it('lets localhost resolve, and an IP address on loopback', async () => {
    const seen = watch.lookups.length;
    const answer = await dns.promises.lookup('localhost', { family: 4 });
    expect(answer.address).toBe('127.0.0.1');
    expect(await codeOf((cb) => dns.lookup('localhost', { family: 4 }, cb))).toBe('answered');
    expect(await codeOf((cb) => dns.lookupService('127.0.0.1', 22, cb))).not.toBe(BLOCKED_CODE);
    expect(watch.lookups.slice(seen)).toEqual([
      { name: 'localhost', api: 'lookup', blocked: false },
      { name: 'localhost', api: 'lookup', blocked: false },
    ]);
  });

  it('stop() gives node:dns and sockets back as they were, named imports included', async () => {
    const before = { lookup: dns.lookup, promisesLookup: dns.promises.lookup, resolve4: dns.resolve4, proto: dns.Resolver.prototype.resolve4, connect: Socket.prototype.connect };
    const second = watchConnections();
    expect(dns.lookup).not.toBe(before.lookup);
    second.stop();
    expect({ lookup: dns.lookup, promisesLookup: dns.promises.lookup, resolve4: dns.resolve4, proto: dns.Resolver.prototype.resolve4, connect: Socket.prototype.connect }).toEqual(before);
    // This file's own watcher is still the one in place.
    expect(await rejectionCode(namedLookup('after-stop.example.invalid'))).toBe(BLOCKED_CODE);
    expect(watch.lookups.at(-1)).toEqual({ name: 'after-stop.example.invalid', api: 'lookup', blocked: true });
  });
});
