/**
 * The "internet" in front of the class: one plain-HTTP server on 127.0.0.1 that routes by Host header
 * to public addresses (LoadBalancer IPs, VMs' port 80). The grader reaches it through its
 * `network.connectTo` map, so the Host header still names the public address.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { serveLoopback } from '../listen.js';
import type { ScenarioFaults } from '../scenario.js';
import { Unreachable, sendAppResponse, toAppRequest, type AppHandler } from './http.js';

export type HttpFault = ScenarioFaults['http'];

export interface FrontOptions {
  /**
   * Opens a connection to what answers at a public address (`203.0.113.7`, `labuser07-vm.example:80`),
   * or undefined. Called once per client connection and address: a load balancer balances
   * connections, so every request on one client socket reaches the same backend.
   */
  resolve(hostHeader: string): AppHandler | undefined;
  /** The faults of the student owning that address. */
  faultsFor?(hostHeader: string): { http?: HttpFault; latencyMs?: number } | undefined;
  /** Called for every request (the benchmark counts them per student). */
  onRequest?(hostHeader: string): void;
}

export interface Front {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `203.0.113.7`, `203.0.113.7:80`, `[::1]:8080` → host and port (default 80). */
export function parseHostHeader(hostHeader: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
  if (!m) return { host: hostHeader, port: 80 };
  return { host: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 80 };
}

const METADATA_URL = 'http://169.254.169.254/latest/meta-data/';
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'A');

function applyFault(fault: HttpFault, req: IncomingMessage, res: ServerResponse): boolean {
  switch (fault) {
    case 'hang':
      return true; // headers never sent; close() destroys the socket
    case 'redirect':
      res.writeHead(302, { location: METADATA_URL, 'content-length': '0' });
      res.end();
      return true;
    case 'garbage': {
      const socket = req.socket;
      socket.end(Buffer.from('\x00\xffSSH-2.0-garbage\r\n\x16\x03\x01 not http at all \x00\x01\x02\r\n\r\n'));
      return true;
    }
    case 'huge': {
      res.writeHead(200, { 'content-type': 'text/html' });
      // Endless body, paced by backpressure so a client that stops reading does not fill memory.
      const pump = (): void => {
        while (!res.destroyed && res.write(HUGE_CHUNK));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      return true;
    }
    default:
      return false;
  }
}

export async function startFront(opts: FrontOptions): Promise<Front> {
  const connections = new WeakMap<Socket, Map<string, AppHandler>>();
  const connectionFor = (socket: Socket, hostHeader: string): AppHandler | undefined => {
    let open = connections.get(socket);
    if (!open) connections.set(socket, (open = new Map()));
    const kept = open.get(hostHeader);
    if (kept) return kept;
    const handler = opts.resolve(hostHeader);
    if (handler) open.set(hostHeader, handler);
    return handler;
  };
  const server = createServer((req, res) => {
    const hostHeader = req.headers.host ?? '';
    opts.onRequest?.(hostHeader);
    void (async () => {
      try {
        const faults = opts.faultsFor?.(hostHeader);
        if (faults?.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
        if (applyFault(faults?.http ?? null, req, res)) return;
        const handler = connectionFor(req.socket, hostHeader);
        if (!handler) {
          sendAppResponse(res, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `no site at ${hostHeader}\n` });
          return;
        }
        sendAppResponse(res, await handler(await toAppRequest(req, req.url ?? '/')));
      } catch (e) {
        // Nothing listening behind the address: the client sees a reset, not an HTTP answer.
        if (e instanceof Unreachable || res.headersSent) req.socket.destroy();
        else sendAppResponse(res, { status: 502, headers: { 'content-type': 'text/plain' }, body: 'bad gateway\n' });
      }
    })();
  });
  const { port, stop } = await serveLoopback(server);
  return { url: `http://127.0.0.1:${port}`, port, close: stop };
}
