/** Loopback listening shared by every stand-in of the simulated lab. */
import { Socket, createServer, type AddressInfo, type Server } from 'node:net';

/** Listens on 127.0.0.1 (port 0: any free port) and resolves with the port. */
export function listenLoopback(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export interface Served {
  port: number;
  /** Stops listening and ends every connection, hanging ones included (a `hang` fault never answers). */
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 and keeps the connections, so that stopping never waits on a client. */
export async function serveLoopback(server: Server, port = 0): Promise<Served> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: unknown) => {
    // ssh2's Server announces its client objects here, not sockets: those it ends itself.
    if (!(socket instanceof Socket)) return;
    sockets.add(socket);
    socket.on('error', () => {}); // a client that resets is its own business
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    port: await listenLoopback(server, port),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A free loopback port, released at once: nothing listens there (connection refused). */
export async function reservePort(): Promise<number> {
  const probe = createServer();
  const port = await listenLoopback(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
