/** Loopback listening shared by every stand-in of the simulated lab. */
import { readFileSync } from 'node:fs';
import { Socket, connect, createServer, type AddressInfo, type Server } from 'node:net';

/** Listens on 127.0.0.1 (port 0: any free port) and resolves with the port. */
export function listenLoopback(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    // Both listeners go whichever way it ends: a retried listen must not pile up 'listening' listeners.
    const listening = () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    };
    const failed = (err: Error) => {
      server.off('listening', listening);
      reject(err);
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(port, '127.0.0.1');
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

/**
 * A loopback port where nothing listens, held so that no other process can take it: connections to it
 * are refused (as on a host with nothing on that port) for as long as it is held. It is the local end
 * of a connection this process keeps open to a listener of its own: the kernel chose that port for the
 * connection, and nobody may bind a port in use by a connection that did not ask to share it (a port
 * reserved by listening and closing again is free for anyone, and another process can take it first).
 *
 * Linux lets a connection share its local port with other connections (to other destinations), TIME_WAIT
 * ones included, and a listen on a port such a socket still uses fails for up to a minute. So a port
 * that other sockets use is not taken: the next one the kernel gives is.
 */
export interface HeldPort {
  port: number;
  /** Frees the port at once (a reset leaves no TIME_WAIT behind), e.g. to listen on it. */
  release(): void;
}

/** One listener per process that the holding connections go to; closed when the last hold is released. */
let anchor: { server: Server; port: number; holds: number; accepted: Map<string, Socket> } | undefined;
let anchorStarting: Promise<NonNullable<typeof anchor>> | undefined;

async function theAnchor(): Promise<NonNullable<typeof anchor>> {
  if (anchor) return anchor;
  anchorStarting ??= (async () => {
    const accepted = new Map<string, Socket>();
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.unref();
      const key = String(socket.remotePort);
      accepted.set(key, socket);
      socket.once('close', () => accepted.delete(key));
    });
    const port = await listenLoopback(server);
    server.unref(); // a held port never keeps the process alive
    anchor = { server, port, holds: 0, accepted };
    anchorStarting = undefined;
    return anchor;
  })();
  return anchorStarting;
}

/** `usedElsewhere` says whether other sockets use a port; by default, those Linux listed before the hold. */
export async function holdClosedPort(usedElsewhere?: (port: number) => boolean): Promise<HeldPort> {
  const refused: HeldPort[] = [];
  try {
    for (;;) {
      // Read before dialling, so that the hold's own socket is not among them.
      const used = usedElsewhere ?? usedBefore(localPortsSnapshot());
      const held = await holdNextPort();
      if (refused.length >= HOLD_ATTEMPTS || !used(held.port)) return held;
      // Kept until a clean one is found, so that the kernel does not hand the same port out again.
      refused.push(held);
    }
  } finally {
    for (const h of refused) h.release();
  }
}

/**
 * Ports tried before one is taken whatever its other users. The kernel hands out neighbouring ports and
 * other processes' TIME_WAIT sockets come in runs: 20 tries still met a used port 13–17 times in 1,500
 * holds beside 16,000 TIME_WAIT sockets, 200 never did beside 32,000. A try is one loopback connect.
 */
const HOLD_ATTEMPTS = 200;

async function holdNextPort(): Promise<HeldPort> {
  const a = await theAnchor();
  a.holds++;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: a.port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  }).catch((err) => {
    releaseAnchor();
    throw err;
  });
  socket.on('error', () => {});
  socket.unref();
  const port = socket.localPort!;
  let held = true;
  return {
    port,
    release() {
      if (!held) return;
      held = false;
      socket.resetAndDestroy();
      a.accepted.get(String(port))?.destroy();
      releaseAnchor();
    },
  };
}

/**
 * The local ports of every TCP socket Linux lists (`/proc/net/tcp` and `tcp6`: any address, any state,
 * TIME_WAIT included); empty where those files do not exist. Read at most once a second: a socket that
 * existed before a hold is all that matters, and a sandbox starting holds many ports at once.
 */
let snapshot: { at: number; ports: Set<number> } | undefined;
export function localPortsSnapshot(maxAgeMs = 1_000): Set<number> {
  const now = Date.now();
  if (snapshot && now - snapshot.at < maxAgeMs) return snapshot.ports;
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    // "  12: 0100007F:B386 0100007F:9C4A 06 ...": the second field is local address:port, in hex.
    for (const m of text.matchAll(/^\s*\d+:\s+[0-9A-F]+:([0-9A-F]{4})\s/gm)) ports.add(parseInt(m[1], 16));
  }
  snapshot = { at: now, ports };
  return ports;
}

const usedBefore = (ports: Set<number>) => (port: number) => ports.has(port);

function releaseAnchor(): void {
  if (!anchor || --anchor.holds > 0) return;
  const { server, accepted } = anchor;
  anchor = undefined;
  for (const s of accepted.values()) s.destroy();
  server.close();
}

/**
 * Listens on a port this process chose earlier (a held port just released): another process may have
 * taken it in between, so EADDRINUSE is retried for a while before it is an error.
 */
export async function listenAgain(server: Server, port: number, retryForMs = 5_000): Promise<void> {
  const until = Date.now() + retryForMs;
  for (;;) {
    try {
      await listenLoopback(server, port);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
