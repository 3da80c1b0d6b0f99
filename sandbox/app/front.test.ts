import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterWorld } from '../kube/world.js';
import { myapiYaml, myappYaml, scenario } from '../../test/support/kube-scenarios.js';
import { parseHostHeader, startFront, type Front, type FrontOptions, type HttpFault } from './front.js';
import type { AppHandler } from './http.js';

const IP = '203.0.113.7';
const fronts: Front[] = [];
const worlds: ClusterWorld[] = [];
afterEach(async () => {
  await Promise.all(fronts.splice(0).map((f) => f.close()));
  worlds.splice(0).forEach((w) => w.dispose());
});

async function front(fault: HttpFault = null, extra: Partial<FrontOptions> = {}): Promise<{ front: Front; world: ClusterWorld }> {
  const world = new ClusterWorld(scenario({ kubernetes: { apply: `${myappYaml()}---\n${myapiYaml()}` } }), { externalIp: IP });
  worlds.push(world);
  const f = await startFront({
    resolve: (hostHeader) => {
      const { host, port } = parseHostHeader(hostHeader);
      return world.externalHandler(host, port);
    },
    faultsFor: () => ({ http: fault }),
    ...extra,
  });
  fronts.push(f);
  return { front: f, world };
}

/** Raw HTTP/1.1 over a socket, so the Host header is ours and non-HTTP answers are visible. */
function raw(f: Front, host: string, request = 'GET / HTTP/1.1', opts: { maxBytes?: number; timeoutMs?: number; body?: string } = {}): Promise<{ text: string; bytes: number; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(f.port, '127.0.0.1');
    let text = '';
    let bytes = 0;
    const done = (timedOut: boolean) => {
      s.destroy();
      resolve({ text, bytes, timedOut });
    };
    const timer = setTimeout(() => done(true), opts.timeoutMs ?? 3000);
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      if (text.length < 4096) text += d.toString('latin1');
      if (opts.maxBytes && bytes >= opts.maxBytes) {
        clearTimeout(timer);
        done(false);
      }
    });
    s.on('end', () => {
      clearTimeout(timer);
      done(false);
    });
    s.on('error', reject);
    const body = opts.body ?? '';
    const headers = `Host: ${host}\r\nConnection: close\r\n` + (body ? `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` : '');
    s.write(`${request}\r\n${headers}\r\n${body}`);
  });
}

describe('front', () => {
  it('routes a LoadBalancer IP (Host header) to the app; unknown hosts and ports get 404', async () => {
    const { front: f } = await front();
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => raw(f, IP)));
    for (const a of answers) expect(a.text).toContain('<a href="/greeting">here</a>');
    expect((await raw(f, IP, 'POST /greeting HTTP/1.1', { body: 'content=hi%26there' })).text).toContain('<span>content: hi&amp;there</span>');
    expect((await raw(f, 'unknown.example')).text).toMatch(/^HTTP\/1\.1 404/);
    expect((await raw(f, `${IP}:8080`)).text).toMatch(/^HTTP\/1\.1 404/);
  });

  it('spreads connections over every ready pod in turn; the requests of one connection all reach its pod', async () => {
    const world = new ClusterWorld(scenario({ kubernetes: { apply: myappYaml() } }), { externalIp: IP });
    worlds.push(world);
    const pods = world.list('pods', 'default', { labelSelector: 'app=myapp' }).map((p) => p.metadata.name);
    // myapp without myapi answers 500 whose page is the same from every pod; count calls per pod instead.
    const calls = new Map<string, number>();
    expect(pods).toHaveLength(3);
    // White-box: wrap each pod's in-process app to count which pod served each request.
    const internal = world as unknown as { pods: Map<string, { handler?: AppHandler; obj: { metadata: { name: string } } }> };
    for (const p of internal.pods.values()) {
      const h = p.handler!;
      p.handler = async (req) => {
        calls.set(p.obj.metadata.name, (calls.get(p.obj.metadata.name) ?? 0) + 1);
        return h(req);
      };
    }
    const f = await startFront({ resolve: (h) => world.externalHandler(parseHostHeader(h).host) });
    fronts.push(f);
    for (let i = 0; i < 6; i++) await raw(f, IP);
    expect([...calls.values()]).toEqual([2, 2, 2]);
    // one keep-alive connection, four requests: one pod serves them all
    calls.clear();
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    for (let i = 0; i < 4; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: f.port, path: '/', agent, headers: { host: IP } }, (res) => {
          sockets.add(res.socket);
          res.resume().on('end', () => resolve());
        });
        req.on('error', reject).end();
      });
    }
    agent.destroy();
    expect(sockets.size).toBe(1);
    expect([...calls.values()]).toEqual([4]);
  });

  it('fault hang: headers never sent', async () => {
    const { front: f } = await front('hang');
    const r = await raw(f, IP, undefined, { timeoutMs: 300 });
    expect(r).toMatchObject({ timedOut: true, bytes: 0 });
  });

  it('fault huge: 200 with an endless body', async () => {
    const { front: f } = await front('huge');
    const r = await raw(f, IP, undefined, { maxBytes: 5 * 1024 * 1024, timeoutMs: 5000 });
    expect(r.timedOut).toBe(false);
    expect(r.text).toMatch(/^HTTP\/1\.1 200/);
    expect(r.bytes).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  });

  it('fault redirect: 302 to the metadata service', async () => {
    const { front: f } = await front('redirect');
    const r = await raw(f, IP);
    expect(r.text).toMatch(/^HTTP\/1\.1 302/);
    expect(r.text).toContain('location: http://169.254.169.254/latest/meta-data/');
  });

  it('fault garbage: bytes that are not HTTP', async () => {
    const { front: f } = await front('garbage');
    const r = await raw(f, IP);
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.text.startsWith('HTTP/')).toBe(false);
  });

  it('a LoadBalancer without ready pods resets the connection', async () => {
    const world = new ClusterWorld(scenario({ azure: { roleAssignments: [] } }), { externalIp: IP });
    worlds.push(world);
    const f = await startFront({ resolve: (h) => world.externalHandler(parseHostHeader(h).host) });
    fronts.push(f);
    const r = await raw(f, IP);
    expect(r.bytes).toBe(0);
  });

  it('parses Host headers', () => {
    expect(parseHostHeader('203.0.113.7')).toEqual({ host: '203.0.113.7', port: 80 });
    expect(parseHostHeader('labuser07-vm.example:80')).toEqual({ host: 'labuser07-vm.example', port: 80 });
    expect(parseHostHeader('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
  });
});
