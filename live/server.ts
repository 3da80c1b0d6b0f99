/**
 * The live dashboard's server (node:http, read-only): `GET /` the class grid, `GET /student/<user>` a
 * student's page, `GET /api/class` the class state as JSON (live/class-state.schema.json), `GET /events`
 * Server-Sent Events with each graded student's row as it changes, and the page's script.
 *
 * Bound to 127.0.0.1 by default. Bound to any other address it requires a token on every request
 * (`?token=`, printed in the URL; or `Authorization: Bearer`), compared in constant time; without a
 * token only requests naming a loopback address or `localhost` as their Host (any port: tunnels forward
 * other ports) are answered, so a web page the instructor visits cannot read the class through a
 * rebound DNS name.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { liveClient } from './client.js';
import { renderClassPage, renderRow, renderStudentPage, renderSummary, updatedText, type PageLinks } from './page.js';
import { SORTS, type ClassState, type RowSort, type StudentDelta } from './state.js';

/** Scripts only from the page's own origin (the served /live.js), styles inline, nothing external. */
export const LIVE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface LiveServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Required on every request when set; made up when the host is not a loopback address and none is given. */
  token?: string;
  state: ClassState;
  /** How often the summary (funnel, chart, counts) is sent at most, in ms (default 500). */
  summaryEveryMs?: number;
  /** A comment line keeps idle connections open through proxies (ms, default 15000). */
  heartbeatMs?: number;
}

export interface LiveServer {
  /** The dashboard's address, with `?token=` when one is required. */
  url: string;
  token?: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Whether a Host header names this machine's loopback, whatever the port: a tunnel (`ssh -L`,
 * `kubectl port-forward`) forwards another local port, and a browser leaves out port 80. A name that
 * resolves to 127.0.0.1 but is not one of these (a rebound DNS name) is refused.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  if (hostname.startsWith('[')) hostname = hostname.slice(1, -1);
  return LOOPBACK.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** `host`: a token-less dashboard asked through another name; the others: a dashboard with a token. */
export type Refusal = 'host' | 'no-token' | 'wrong-token';

/** The 403's text: what is wrong with the request. */
export function refusalText(refusal: Refusal, host: string | undefined): string {
  switch (refusal) {
    case 'host':
      return `forbidden: this dashboard answers requests to 127.0.0.1 or localhost only (any port), not to ${JSON.stringify(host ?? '')}: open the address it printed, or start it with --host to serve other names (with a token)\n`;
    case 'no-token':
      return 'forbidden: this dashboard needs its token: open the address it printed (with ?token=…), or send Authorization: Bearer <token>\n';
    case 'wrong-token':
      return 'forbidden: wrong token: open the address the dashboard printed when it started\n';
  }
}
/** A page that cannot keep up is dropped past this much unsent data; its browser reconnects and catches up. */
const MAX_BUFFERED = 1 << 20;

const digest = (text: string) => createHash('sha256').update(text).digest();

export function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? (LOOPBACK.has(host) ? undefined : randomBytes(24).toString('base64url'));
  const tokenDigest = token !== undefined ? digest(token) : undefined;
  const links: PageLinks = { token };
  const state = options.state;
  const script = `(${liveClient.toString()})();\n`;
  const clients = new Set<ServerResponse>();

  /** Why a request is refused, or undefined when it may be answered. */
  const refusal = (req: IncomingMessage, url: URL): Refusal | undefined => {
    if (tokenDigest === undefined) return isLoopbackHost(req.headers.host) ? undefined : 'host';
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const given = url.searchParams.get('token') ?? bearer;
    if (given === null || given === undefined) return 'no-token';
    return timingSafeEqual(digest(given), tokenDigest) ? undefined : 'wrong-token';
  };

  const send = (res: ServerResponse, status: number, type: string, body: string, head = false) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(head ? undefined : body);
  };

  // Rendered once per change, whatever the number of open pages.
  const eventOf = (delta: StudentDelta) =>
    `id: ${delta.version}\nevent: student\ndata: ${JSON.stringify({ version: delta.version, user: delta.row.user, row: renderRow(delta.row, state.columns, links).value })}\n\n`;
  const summaryEvent = () => {
    const summary = state.summary();
    return `event: summary\ndata: ${JSON.stringify({ version: summary.version, html: renderSummary(summary).value, updated: updatedText(summary).value })}\n\n`;
  };
  const broadcast = (text: string) => {
    for (const res of clients) {
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(text);
    }
  };
  let summaryTimer: NodeJS.Timeout | undefined;
  const sendSummarySoon = () => {
    summaryTimer ??= setTimeout(() => {
      summaryTimer = undefined;
      broadcast(summaryEvent());
    }, options.summaryEveryMs ?? 500);
  };
  const unsubscribe = state.subscribe((delta) => {
    if (clients.size === 0) return;
    broadcast(eventOf(delta));
    sendSummarySoon();
  });
  const unsubscribeSummary = state.subscribeSummary(() => {
    if (clients.size > 0) sendSummarySoon();
  });
  const heartbeat = setInterval(() => broadcast(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  const openEvents = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    // A browser reconnecting says what it saw last; a fresh page says which version it was rendered from.
    // Both count in the epoch of the page (its address keeps it across reconnects): another process's
    // versions (a live restarted on its ledger counts them again) say nothing of this one's.
    const last = Number(req.headers['last-event-id'] ?? url.searchParams.get('since') ?? state.version);
    const epoch = url.searchParams.get('epoch');
    const missed = Number.isInteger(last) && last >= 0 && (epoch === null || epoch === state.epoch) ? state.deltasSince(last) : undefined;
    if (missed === undefined) res.write('event: reset\ndata: {}\n\n');
    else {
      for (const delta of missed) res.write(eventOf(delta));
      // An outage or a missing shard may have come while the page was away.
      if (missed.length || state.hasNotices) res.write(summaryEvent());
    }
    clients.add(res);
    const drop = () => clients.delete(res);
    req.on('close', drop);
    res.on('error', drop);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('content-security-policy', LIVE_CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('cache-control', 'no-store');
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const refused = refusal(req, url);
    if (refused) return send(res, 403, 'text/plain; charset=utf-8', refusalText(refused, req.headers.host));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET and HEAD only\n');
    }
    const head = req.method === 'HEAD';
    const sortParam = url.searchParams.get('sort') ?? 'roster';
    const sort: RowSort = (SORTS as readonly string[]).includes(sortParam) ? (sortParam as RowSort) : 'roster';
    const path = url.pathname;
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', renderClassPage(state.snapshot(sort), links), head);
    if (path === '/api/class') return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(state.snapshot(sort)) + '\n', head);
    if (path === '/live.js') return send(res, 200, 'text/javascript; charset=utf-8', script, head);
    if (path === '/events') return head ? send(res, 200, 'text/event-stream', '', true) : openEvents(req, res, url);
    if (path.startsWith('/student/')) {
      let user: string;
      try {
        user = decodeURIComponent(path.slice('/student/'.length));
      } catch {
        return send(res, 400, 'text/plain; charset=utf-8', 'bad student name in the address\n');
      }
      const detail = state.student(user);
      if (!detail) return send(res, 404, 'text/plain; charset=utf-8', 'no such student in this class\n');
      return send(res, 200, 'text/html; charset=utf-8', renderStudentPage(detail, state.summary(), links), head);
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // A page must never take the dashboard down.
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${(err as Error).message}\n`);
      else res.destroy();
    }
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      const url = `http://${shown}:${port}/${token !== undefined ? `?token=${encodeURIComponent(token)}` : ''}`;
      resolve({
        url,
        token,
        close: () =>
          new Promise<void>((done) => {
            unsubscribe();
            unsubscribeSummary();
            clearInterval(heartbeat);
            if (summaryTimer) clearTimeout(summaryTimer);
            for (const res of clients) res.end();
            clients.clear();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
