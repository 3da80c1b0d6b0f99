/**
 * The connection watcher of the security tests blocks, not only records: a connection outside
 * 127.0.0.0/8 fails before it is made, so a regression in the network policy cannot reach the network.
 */
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCKED_CODE, watchConnections } from './support.js';

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

describe('connection watcher', () => {
  it('blocks an address outside loopback before connecting, and records it', async () => {
    expect(await outcome(connect({ host: '10.255.255.1', port: 9 }))).toBe(BLOCKED_CODE);
    expect(watch.towards('10.255.255.1')).toEqual([{ host: '10.255.255.1', port: 9, via: 'net', blocked: true }]);
    expect(watch.outsideLoopback().map((d) => d.host)).toContain('10.255.255.1');
  });

  it('blocks the metadata address given as (port, host) and IPv6 outside loopback', async () => {
    expect(await outcome(connect(80, '169.254.169.254'))).toBe(BLOCKED_CODE);
    expect(await outcome(connect({ host: 'fd00::1', port: 80 }))).toBe(BLOCKED_CODE);
    expect(watch.towards('169.254.169.254')[0].blocked).toBe(true);
    expect(watch.towards('fd00::1')[0].blocked).toBe(true);
  });

  it('blocks a name without a DNS query, and a name whose own lookup answers outside loopback', async () => {
    expect(await outcome(connect({ host: 'metadata.example.invalid', port: 80 }))).toBe(BLOCKED_CODE);
    expect(await outcome(connect({ host: 'app.example.com', port: 80, lookup: answering('192.168.1.1') as never }))).toBe(BLOCKED_CODE);
    expect(watch.towards('192.168.1.1')[0].blocked).toBe(true);
  });

  it('lets loopback through: by address, by localhost, and by a name its lookup maps onto 127.0.0.1', async () => {
    const server = createServer((s) => s.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      expect(await outcome(connect({ host: '127.0.0.1', port }))).toBe('connected');
      expect(await outcome(connect({ host: 'app.example.com', port, lookup: answering('127.0.0.1') as never }))).toBe('connected');
      expect(watch.dials.filter((d) => d.port === port).map((d) => d.blocked ?? false)).toEqual([false, false]);
    } finally {
      server.close();
    }
  });
});
