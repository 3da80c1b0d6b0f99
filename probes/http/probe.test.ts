import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProbeError } from '../types.js';
import { httpProbe, type HttpProbeOptions } from './probe.js';
import { recordedPolicy, type RecordedPolicy } from '../../test/support/net.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** One loopback server whose behaviour each test sets. */
let handler: Handler = (_q, res) => res.end('ok');
let requests: Array<{ method?: string; url?: string; body: string }> = [];
const server: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    requests.push({ method: req.method, url: req.url, body });
    handler(req, res, body);
  });
});
let base = '';
const sockets = new Set<Socket>();
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  requests = [];
  for (const s of sockets) s.destroy();
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const probes: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(probes.map((p) => p.close()));
});

// The test's server stands in for a student's app on this machine: loopback is allowed, as network.allowLoopback does.
function make(over: Partial<HttpProbeOptions> = {}, policy: RecordedPolicy = recordedPolicy({ allowLoopback: true })) {
  const p = httpProbe({
    policy,
    timeouts: { connect: 500, headers: 500, body: 500 },
    maxBodyBytes: 64 * 1024,
    retry: { budgetMs: 0, baseDelayMs: 50 },
    ...over,
  });
  probes.push(p);
  return { probe: p, policy };
}

describe('http probe', () => {
  it('GETs and POSTs an urlencoded form', async () => {
    handler = (req, res, body) => res.end(`${req.method} ${req.headers['content-type'] ?? ''} ${body}`);
    const { probe } = make();
    expect((await probe.get(`${base}/`)).body).toBe('GET  ');
    const a = await probe.postForm(`${base}/greeting`, { content: 'lab-grade 1a2b c&d' });
    expect(a).toMatchObject({ status: 200, truncated: false, body: 'POST application/x-www-form-urlencoded content=lab-grade+1a2b+c%26d' });
  });

  it('bounds the wait for headers', async () => {
    handler = () => {}; // never answers
    const { probe } = make();
    const t0 = Date.now();
    const err = await probe.get(`${base}/slow`).catch((e) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/no answer \(headers\) in time/);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('bounds the whole body, even when it trickles', async () => {
    handler = (_q, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write('.'), 50); // each chunk within the idle timeout
      res.on('close', () => clearInterval(t));
    };
    const { probe } = make();
    const t0 = Date.now();
    const err = await probe.get(`${base}/trickle`).catch((e) => e);
    expect(err.message).toMatch(/body did not arrive in time/);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('bounds connecting (a TLS peer that never completes the handshake)', async () => {
    const silent = createTcpServer(() => {}); // accepts, never speaks TLS
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { probe } = make({ timeouts: { connect: 300, headers: 5_000, body: 5_000 } });
    const t0 = Date.now();
    const err = await probe.get(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/`).catch((e) => e);
    expect(err.message).toMatch(/connecting timed out/);
    expect(err.detail.code).toBe('UND_ERR_CONNECT_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(2_000);
    silent.close();
  });

  it('caps an endless body, stops reading and keeps memory flat', async () => {
    let written = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const pump = () => {
        while (!closed && res.write(chunk)) written += chunk.length;
        if (!closed) res.once('drain', pump);
      };
      res.on('close', () => (closed = true));
      pump();
    };
    const { probe } = make({ maxBodyBytes: 256 * 1024, timeouts: { connect: 500, headers: 500, body: 10_000 } });
    const heap0 = process.memoryUsage().heapUsed;
    const a = await probe.get(`${base}/endless`);
    expect(a.truncated).toBe(true);
    expect(a.body.length).toBe(256 * 1024);
    await expect.poll(() => closed).toBe(true); // the connection was dropped, not drained
    expect(written).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(32 * 1024 * 1024);
  });

  it('follows a redirect within the same host and port', async () => {
    handler = (req, res) => {
      if (req.url === '/') res.writeHead(302, { location: '/greeting' }).end();
      else res.end(`here: ${req.url}`);
    };
    const { probe } = make();
    const a = await probe.get(`${base}/`);
    expect(a).toMatchObject({ status: 200, body: 'here: /greeting', url: `${base}/greeting` });
  });

  it('returns a redirect to the metadata address as it is, without connecting there', async () => {
    handler = (_q, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    const { probe, policy } = make();
    const a = await probe.get(`${base}/`);
    expect(a.status).toBe(302);
    expect(a.headers.location).toBe('http://169.254.169.254/latest/meta-data/');
    // The policy records every refused dial: none was even attempted.
    expect(policy.refused).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it('does not follow a redirect to another port of the same host', async () => {
    handler = (_q, res) => res.writeHead(301, { location: 'http://127.0.0.1:1/' }).end();
    const { probe, policy } = make();
    expect((await probe.get(`${base}/`)).status).toBe(301);
    expect(policy.refused).toEqual([]);
  });

  it('retries 503 with back-off within the budget, then succeeds', async () => {
    let n = 0;
    handler = (_q, res) => (++n < 3 ? res.writeHead(503).end('starting') : res.end('up'));
    const { probe } = make({ retry: { budgetMs: 5_000, baseDelayMs: 20 } });
    const a = await probe.get(`${base}/`);
    expect(a).toMatchObject({ status: 200, body: 'up' });
    expect(requests).toHaveLength(3);
  });

  // The budget leaves room for retries after a first request that is slow on a busy machine (or first in a shuffled run).
  it('returns the last 503 when the budget runs out', async () => {
    handler = (_q, res) => res.writeHead(503).end(`still starting (answer ${requests.length})`);
    const { probe } = make({ retry: { budgetMs: 1_000, baseDelayMs: 20 } });
    const a = await probe.get(`${base}/`);
    expect(a.status).toBe(503);
    expect(requests.length).toBeGreaterThan(1);
    expect(a.body).toBe(`still starting (answer ${requests.length})`);
  });

  it('retries a refused connection and reports it clearly when nobody listens', async () => {
    const dead = createTcpServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const { probe } = make({ retry: { budgetMs: 1_000, baseDelayMs: 20 } });
    const err = await probe.get(`http://127.0.0.1:${port}/`).catch((e) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/connection was refused \(\d+ tries in/);
    expect(err.detail.attempts).toBeGreaterThan(1);
  });

  it('does not retry what the policy refuses', async () => {
    const { probe, policy } = make({ retry: { budgetMs: 5_000, baseDelayMs: 50 } }, recordedPolicy({ loopbackOnly: true }));
    const err = await probe.get('http://10.0.0.5/').catch((e) => e);
    expect(err.message).toMatch(/only reaches 127/);
    expect(err.detail.refused).toBe(true);
    expect(policy.refused).toHaveLength(1);
  });
});
