/**
 * The plumbing the HTTPS stand-ins share (fake ARM, registry): listen on 127.0.0.1:0 with the sandbox
 * CA's leaf, log every request, delay answers (faults.latencyMs), leave requests unanswered
 * (faults "hang") and still close promptly: close() drops every socket and pending timer.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { serveLoopback } from '../listen.js';

export interface TlsPair {
  cert: string;
  key: string;
}

export interface LoggedRequest {
  at: number;
  method: string;
  host: string;
  /** path and query as received */
  url: string;
  /** 0 while unanswered (hang) */
  status: number;
  /** the simulated student the request was attributed to, if any */
  user?: string;
}

/** One request and its answer. Handlers set `user`/`delayMs` before answering. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Host header without the port, lower case */
  readonly host: string;
  user?: string;
  delayMs: number;
  /** JSON-encodes objects; HEAD answers carry headers only. */
  send(status: number, body?: unknown, headers?: OutgoingHttpHeaders): void;
  /** never answer: the socket stays open until the client gives up or the server closes */
  hang(): void;
  readBody(limit?: number): Promise<Buffer>;
}

export type Handler = (ex: Exchange) => unknown;

export interface HttpsService {
  port: number;
  requests: LoggedRequest[];
  /** TLS connections accepted so far (the benchmark checks that clients reuse them). */
  readonly tlsConnections: number;
  close(): Promise<void>;
}

/** Keeps memory bounded on long `lab-grade sandbox` sessions; tests look at far fewer. */
const MAX_LOG = 20_000;

export async function startHttpsService(tls: TlsPair, handler: Handler, onError: (ex: Exchange, err: unknown) => void): Promise<HttpsService> {
  const requests: LoggedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req: IncomingMessage, res: ServerResponse) => {
    const entry: LoggedRequest = { at: Date.now(), method: req.method ?? 'GET', host: (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase(), url: req.url ?? '/', status: 0 };
    if (requests.length >= MAX_LOG) requests.splice(0, requests.length - MAX_LOG + 1);
    requests.push(entry);
    let answered = false;
    const ex: Exchange = {
      req,
      // concatenated, not resolved: SDKs send "//subscriptions/…" for scopes with a leading slash, which URL resolution would read as a host
      url: new URL('https://localhost' + (req.url?.startsWith('/') ? req.url : '/')),
      host: entry.host,
      delayMs: 0,
      send(status, body, headers = {}) {
        if (answered) return;
        answered = true;
        entry.status = status;
        entry.user = ex.user;
        const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
        const all: OutgoingHttpHeaders = { 'content-length': payload.length, ...headers };
        if (typeof body === 'object' && !Buffer.isBuffer(body) && !('content-type' in headers)) all['content-type'] = 'application/json; charset=utf-8';
        const write = () => {
          if (res.destroyed) return;
          res.writeHead(status, all);
          res.end(req.method === 'HEAD' ? undefined : payload);
        };
        if (ex.delayMs > 0 && !closed) {
          const t = setTimeout(() => {
            timers.delete(t);
            write();
          }, ex.delayMs);
          timers.add(t);
        } else write();
      },
      hang() {
        answered = true;
        entry.user = ex.user;
        req.resume();
      },
      readBody(limit = 64 * 1024) {
        return new Promise((resolve, reject) => {
          const chunks: Buffer[] = [];
          let size = 0;
          req.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) {
              reject(new Error(`request body over ${limit} bytes`));
              req.destroy();
            } else chunks.push(c);
          });
          req.on('end', () => resolve(Buffer.concat(chunks)));
          req.on('error', reject);
        });
      },
    };
    Promise.resolve()
      .then(() => handler(ex))
      .catch((err: unknown) => onError(ex, err));
  });
  let tlsConnections = 0;
  server.on('secureConnection', () => tlsConnections++);
  server.on('tlsClientError', () => undefined); // probes that give up mid-handshake are not our problem

  const { port, stop } = await serveLoopback(server);
  return {
    port,
    requests,
    get tlsConnections() {
      return tlsConnections;
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return stop(); // also ends "hang" requests, which would otherwise keep close() waiting forever
    },
  };
}
