/**
 * The simulated lab never listens on a port it chose earlier and let go of: another process (a test
 * run beside it, a 1000-student bench) may take such a port first. Servers listen on port 0; a port
 * where nothing may listen (a stopped VM, an app not served yet) is held by a connection of the lab's
 * own, so that it refuses connections and nobody else can take it.
 */
import { spawnSync } from 'node:child_process';
import { Server, connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import { packagePath } from '../core/paths.js';
import { holdClosedPort, listenAgain, listenLoopback, localPortsSnapshot, type HeldPort } from './listen.js';
import { startSandbox } from './lab.js';
import { loadScenarios } from './scenario.js';

const BUILT_IN = packagePath('fixtures', 'scenarios');

/** How a connection to 127.0.0.1:port ends: 'connected', or the error code. */
const dial = (port: number): Promise<string> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve('connected')));
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });

/** Whether another process can listen on 127.0.0.1:port: 'listened', or its error code. */
function otherProcessListens(port: number): string {
  const script = `const s=require('net').createServer();s.on('error',e=>{process.stdout.write(e.code);process.exit(0)});s.listen(${port},'127.0.0.1',()=>{process.stdout.write('listened');process.exit(0)})`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 }).stdout;
}

const holds: HeldPort[] = [];
afterEach(() => holds.splice(0).forEach((h) => h.release()));

describe('a held closed port', () => {
  it('refuses connections, and no other process can listen on it while it is held', async () => {
    const held = await holdClosedPort();
    holds.push(held);
    expect(await dial(held.port)).toBe('ECONNREFUSED');
    expect(otherProcessListens(held.port)).toBe('EADDRINUSE');
  });

  it('once released, the lab can listen on it (as a VM that starts serving does)', async () => {
    const held = await holdClosedPort();
    held.release();
    const server = createServer((s) => s.end());
    // The socket closes on the next turn of the event loop, later on a busy machine: listenAgain waits for that.
    await listenAgain(server, held.port);
    expect((server.address() as AddressInfo).port).toBe(held.port);
    expect(await dial(held.port)).toBe('connected');
    await new Promise((r) => server.close(r));
  });
});

/** A port left in TIME_WAIT by a connection that closed first from it, as clients of other tests leave them. */
async function timeWaitPort(): Promise<number> {
  const server = createServer((s) => s.on('end', () => s.end()));
  const port = await listenLoopback(server);
  const client = connect({ host: '127.0.0.1', port });
  await new Promise((r) => client.once('connect', r));
  const local = client.localPort!;
  client.end(); // the client closes first: its side waits in TIME_WAIT
  await new Promise((r) => client.once('close', r));
  await new Promise((r) => server.close(r));
  return local;
}

describe('ports other sockets use', () => {
  it('are seen in TIME_WAIT too, where a listen on them fails for up to a minute', async () => {
    const port = await timeWaitPort();
    expect(localPortsSnapshot(0).has(port)).toBe(true);
    expect(await listenLoopback(createServer(), port).catch((err: NodeJS.ErrnoException) => err.code)).toBe('EADDRINUSE');
  });

  it('are not held: the next port the kernel gives is, and the ones passed over are let go', async () => {
    const used = localPortsSnapshot(0);
    // Two ports nobody else uses are passed over as if they were used (and any really used one too).
    const given: number[] = [];
    const passedOver: number[] = [];
    const held = await holdClosedPort((port) => {
      given.push(port);
      if (used.has(port)) return true;
      if (passedOver.length === 2) return false;
      passedOver.push(port);
      return true;
    });
    holds.push(held);
    expect(held.port).toBe(given.at(-1));
    expect(new Set(given).size).toBe(given.length);
    // Those passed over are free again; the one held still refuses and cannot be listened on.
    expect(passedOver.map(otherProcessListens)).toEqual(['listened', 'listened']);
    expect(otherProcessListens(held.port)).toBe('EADDRINUSE');
  });

  it('a listen retried on a taken port leaves no listener behind', async () => {
    const taken = createServer();
    const port = await listenLoopback(taken);
    const server = createServer();
    await expect(listenAgain(server, port, 300)).rejects.toThrow('EADDRINUSE');
    expect([server.listenerCount('listening'), server.listenerCount('error')]).toEqual([0, 0]);
    await new Promise((r) => taken.close(r));
  });
});

describe('the simulated lab, while another process takes every port that is let go', () => {
  it('starts, and maps no student onto a port someone else took', async () => {
    // Stand-in for other processes on a busy machine: the moment a loopback listener closes, its port
    // is taken by a listener that is not the lab's (as another process's port-0 listen may get it).
    const squatters: Server[] = [];
    const close = Server.prototype.close;
    Server.prototype.close = function (this: Server, callback?: (err?: Error) => void) {
      const address = this.address();
      return close.call(this, (err?: Error) => {
        if (!address || typeof address === 'string' || address.address !== '127.0.0.1') return callback?.(err);
        const squatter = createServer((s) => s.end('not the lab\n'));
        squatters.push(squatter);
        squatter.once('error', () => callback?.(err));
        squatter.listen(address.port, '127.0.0.1', () => callback?.(err));
      });
    } as typeof close;

    const [serving, stopped, noVm, notServing] = loadScenarios(
      [join(BUILT_IN, '01-perfect.yaml'), join(BUILT_IN, 'vm', 'unreachable.yaml'), join(BUILT_IN, '10-no-vm-cluster-creating.yaml'), join(BUILT_IN, '04-no-port-mapping.yaml')],
      CHECK_IDS,
    );
    let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
    try {
      sandbox = await startSandbox([serving, stopped, noVm, notServing]);
    } finally {
      Server.prototype.close = close;
    }
    try {
      const taken = new Set(squatters.map((s) => (s.address() as { port: number } | null)?.port).filter(Boolean));
      const mapped = Object.entries(sandbox.config.network.connectTo).map(([from, to]) => [from, Number(to.split(':').pop())] as const);
      expect(mapped.filter(([, port]) => taken.has(port))).toEqual([]);
      // A stopped VM, a student without one and an app not served: refused, not someone else's answer.
      const vmHost = (user: string) => sandbox!.config.vm!.host.replace('{user}', user);
      for (const [user, port] of [
        [stopped.user, 22],
        [noVm.user, 22],
        [noVm.user, 80],
        [notServing.user, 80],
      ] as const) {
        const to = Number(sandbox.config.network.connectTo[`${vmHost(user)}:${port}`].split(':').pop());
        expect(`${user}:${port} ${await dial(to)}`).toBe(`${user}:${port} ECONNREFUSED`);
      }
      expect(await dial(Number(sandbox.config.network.connectTo[`${vmHost(serving.user)}:80`].split(':').pop()))).toBe('connected');
    } finally {
      await sandbox.stop();
      await Promise.all(squatters.map((s) => new Promise((r) => s.close(r))));
    }
  }, 60_000);
});
