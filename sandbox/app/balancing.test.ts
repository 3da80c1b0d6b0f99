/**
 * Services balance TCP connections, as kube-proxy does, and the app keeps its connection to myapi
 * alive: with three myapi replicas each holding its own list, the list a POST answers with holds the
 * posted greeting (the POST and the list that follows reach the same replica), while the replicas'
 * own lists, read through the API server's pod proxy, differ.
 */
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../checks/index.js';
import { packagePath } from '../../core/paths.js';
import { NetworkPolicy } from '../../probes/net.js';
import { startSandbox, type Sandbox } from '../lab.js';
import { loadScenarios } from '../scenario.js';
import { KeepAlivePool } from './greetings.js';
import { Unreachable, type AppHandler } from './http.js';

const USER = 'labuser07';

describe('load balancing per connection', () => {
  let sandbox: Sandbox;
  let kube: Agent;
  let server: string;
  let token: string;
  const clients: Agent[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox(loadScenarios([join(packagePath('fixtures', 'scenarios'), '07-three-api-replicas.yaml')], CHECK_IDS));
    const kc = sandbox.kubeconfig(USER);
    server = /server: (\S+)/.exec(kc)![1];
    token = /token: (\S+)/.exec(kc)![1];
    kube = new Agent({ connect: { ca: sandbox.caPem } });
  });
  afterAll(async () => {
    await Promise.all([...clients, kube].map((a) => a.close()));
    await sandbox?.stop();
  });

  const externalIp = () =>
    Object.keys(sandbox.config.network.connectTo)
      .find((k) => /^\d+\.\d+\.\d+\.\d+:80$/.test(k))!
      .replace(/:80$/, '');
  /** A browser-like client: one keep-alive connection to the app's public address. */
  const client = () => {
    const a = new NetworkPolicy({ connectTo: sandbox.config.network.connectTo, loopbackOnly: true }).dispatcher({}) as Agent;
    clients.push(a);
    return (content: string) =>
      fetch(`http://${externalIp()}/greeting`, { method: 'POST', body: new URLSearchParams({ content }), dispatcher: a }).then(async (r) => ({ status: r.status, body: await r.text() }));
  };
  const kubeGet = async (path: string) => (await fetch(server + path, { headers: { authorization: `Bearer ${token}` }, dispatcher: kube })).json();
  const replicaLists = async () => {
    const pods = (await kubeGet('/api/v1/namespaces/default/pods?labelSelector=app%3Dmyapi')) as { items: Array<{ metadata: { name: string } }> };
    expect(pods.items).toHaveLength(3);
    return Promise.all(
      pods.items.map(async (p) => ((await kubeGet(`/api/v1/namespaces/default/pods/${p.metadata.name}:8080/proxy/api/greetings`)) as Array<{ content: string }>).map((g) => g.content)),
    );
  };

  it("a POST through the LoadBalancer answers with a list that holds the posted greeting, while the replicas' own lists differ", async () => {
    const posts = [client(), client(), client()];
    for (const [i, post] of posts.entries()) {
      const answer = await post(`hello ${i}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(`content: hello ${i}`);
    }
    const lists = await replicaLists();
    expect(lists.flat().sort()).toEqual(['hello 0', 'hello 1', 'hello 2']);
    expect(new Set(lists.map((l) => l.join('|'))).size).toBe(3);
  });

  it('the app opens a new connection to myapi after 5 s idle or 100 requests, and sends once more when a kept connection was reset', async () => {
    let now = 0;
    let opened = 0;
    const dead = new Set<string>();
    const net = (): AppHandler => {
      const id = `c${opened++}`;
      return async () => {
        if (dead.has(id)) throw new Unreachable('Connection reset', 'java.net.SocketException');
        return { status: 200, headers: {}, body: id };
      };
    };
    const pool = new KeepAlivePool(net, () => now);
    const send = async () => String((await pool.send('myapi', 8080, { method: 'GET', path: '/', headers: {}, body: Buffer.alloc(0) })).body);
    expect([await send(), await send()]).toEqual(['c0', 'c0']);
    now += KeepAlivePool.IDLE_MS;
    expect(await send()).toBe('c1');
    for (let i = 1; i < KeepAlivePool.MAX_REQUESTS; i++) await send();
    expect(await send()).toBe('c2');
    dead.add('c2'); // the replica behind it went away
    expect(await send()).toBe('c3');
    dead.add('c3');
    dead.add('c4');
    await expect(send()).rejects.toThrow('Connection reset'); // a new connection that fails is not tried again
  });
});
