/** Loopback listening shared by the simulated VM's servers. */
import { createServer, type AddressInfo, type Server } from 'node:net';

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

/** A free loopback port, released at once: nothing listens there (connection refused). */
export async function reservePort(): Promise<number> {
  const probe = createServer();
  const port = await listenLoopback(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
