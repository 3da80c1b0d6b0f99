import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, type SandboxCa } from '../ca.js';
import { kubeconfigFor, startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from './apiserver.js';
import type { KObj } from './manifests.js';
import { scenario } from '../../test/support/kube-scenarios.js';
import { ClusterWorld } from './world.js';
import { until } from '../../test/support/until.js';

const run = promisify(execFile);
const TOKEN = 'token-labuser07';

let ca: SandboxCa;
let tls: { cert: string; key: string };
let dir: string;
const servers: KubeApiServer[] = [];
const worlds: ClusterWorld[] = [];

beforeAll(async () => {
  ca = await createCa();
  tls = await ca.issue({ ips: ['127.0.0.1'] });
  dir = mkdtempSync(join(tmpdir(), 'kube-apiserver-test-'));
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  worlds.forEach((w) => w.dispose());
  rmSync(dir, { recursive: true, force: true });
});

async function start(opts: Partial<KubeApiServerOptions> = {}): Promise<{ server: KubeApiServer; world: ClusterWorld; kubeconfig: string }> {
  const world = new ClusterWorld(scenario({ kubernetes: { greetings: ['hello'] } }), { externalIp: '203.0.113.7', replaceDelayMs: 200 });
  worlds.push(world);
  const server = await startKubeApiServer({ world, tls, token: TOKEN, ...opts });
  servers.push(server);
  const kubeconfig = join(dir, `config-${server.port}`);
  writeFileSync(kubeconfig, kubeconfigFor({ server: server.url, caPem: ca.certPem, token: TOKEN, clusterName: 'aks07' }));
  return { server, world, kubeconfig };
}

async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout', '10s', ...args], { env: { ...process.env, HOME: dir } });
  return stdout;
}

/** GET with Node's https, trusting the sandbox CA. */
function get(server: KubeApiServer, path: string, opts: { token?: string | null; timeoutMs?: number; accept?: string } = {}): Promise<{ status: number; body: KObj }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
    const req = request(`${server.url}${path}`, { ca: ca.certPem, headers, timeout: opts.timeoutMs ?? 5000 }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : { text } }));
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end();
  });
}

const strip = (o: KObj): KObj => {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return JSON.parse(JSON.stringify(rest));
};

describe('simulated API server with real kubectl', () => {
  let env: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    env = await start();
  });

  it('kubectl get nodes', async () => {
    const out = await kubectl(env.kubeconfig, 'get', 'nodes');
    expect(out).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(out.match(/aks-nodepool1-\d{8}-vmss00000\d\s+Ready/g)).toHaveLength(3);
  });

  it('kubectl get pods shows READY and STATUS columns', async () => {
    const out = await kubectl(env.kubeconfig, 'get', 'pods');
    expect(out).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(out.match(/1\/1\s+Running/g)).toHaveLength(4);
  });

  it('kubectl get pods,deploy,rs,svc -o json matches what client-node lists', async () => {
    const list = JSON.parse(await kubectl(env.kubeconfig, 'get', 'pods,deploy,rs,svc', '-o', 'json')) as { items: KObj[] };
    const byKind = (kind: string): KObj[] => list.items.filter((i) => i.kind === kind);
    expect(byKind('Pod')).toHaveLength(4);
    expect(byKind('Deployment').map((d) => d.metadata.name)).toEqual(['myapi', 'myapp']);
    expect(byKind('ReplicaSet')).toHaveLength(2);
    expect(byKind('Service').map((s) => s.metadata.name)).toEqual(['kubernetes', 'myapi', 'myapp']);

    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor({ server: env.server.url, caPem: ca.certPem, token: TOKEN, clusterName: 'aks07' }));
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const pods = await core.listNamespacedPod({ namespace: 'default' });
    const deployments = await apps.listNamespacedDeployment({ namespace: 'default' });
    // client-node turns JSON into classes (dates become Date): compare through JSON again
    const viaClient = JSON.parse(JSON.stringify(pods.items));
    expect(viaClient.map((p: KObj) => p.metadata.name)).toEqual(byKind('Pod').map((p) => p.metadata.name));
    expect(viaClient.map((p: KObj) => p.status?.phase)).toEqual(byKind('Pod').map((p) => p.status?.phase));
    expect(viaClient.map((p: KObj) => p.status?.podIP)).toEqual(byKind('Pod').map((p) => p.status?.podIP));
    expect(viaClient.map((p: KObj) => p.status?.containerStatuses?.[0]?.imageID)).toEqual(byKind('Pod').map((p) => p.status?.containerStatuses?.[0]?.imageID));
    expect(deployments.items.map((d) => [d.metadata?.name, d.status?.readyReplicas])).toEqual(byKind('Deployment').map((d) => [d.metadata.name, d.status?.readyReplicas]));
    // and what kubectl printed is the world's object, byte for byte (modulo kind/apiVersion on list items)
    expect(strip(byKind('Pod')[0])).toEqual(strip(env.world.list('pods', 'default')[0]));
  });

  it('kubectl get events lists the kubelet events', async () => {
    const out = await kubectl(env.kubeconfig, 'get', 'events');
    expect(out).toMatch(/Normal\s+Started\s+pod\/myapi-/);
    expect(out).toMatch(/Normal\s+ScalingReplicaSet\s+deployment\/myapp\s+Scaled up replica set myapp-\w+ to 3/);
  });

  it('label selectors (equality and set-based) and field selectors', async () => {
    const names = async (q: string) => ((await get(env.server, `/api/v1/namespaces/default/pods?${q}`)).body.items as KObj[]).map((p) => p.metadata.name);
    expect(await names('labelSelector=app%3Dmyapi')).toHaveLength(1);
    expect(await names(`labelSelector=${encodeURIComponent('app!=myapi,app')}`)).toHaveLength(3);
    expect(await names(`labelSelector=${encodeURIComponent('app in (myapp, myapi)')}`)).toHaveLength(4);
    const one = (await names('labelSelector=app%3Dmyapp'))[0];
    expect(await names(`fieldSelector=metadata.name%3D${one}`)).toEqual([one]);
    expect((await get(env.server, '/api/v1/namespaces/default/pods?labelSelector=%3D%3D')).status).toBe(400);
  });

  it('kubectl delete pod: the ReplicaSet replaces it', async () => {
    const before = env.world.list('pods', 'default', { labelSelector: 'app=myapi' })[0].metadata.name;
    expect(await kubectl(env.kubeconfig, 'delete', 'pod', before)).toContain(`pod "${before}" deleted`);
    const pods = await until('a running replacement', async () => {
      const items = JSON.parse(await kubectl(env.kubeconfig, 'get', 'pods', '-l', 'app=myapi', '-o', 'json')).items as KObj[];
      return items.length === 1 && items[0].metadata.name !== before && items[0].status?.phase === 'Running' && items;
    });
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata.name).not.toBe(before);
    expect(pods[0].metadata.name.startsWith(before.slice(0, before.lastIndexOf('-') + 1))).toBe(true);
    expect(pods[0].status?.phase).toBe('Running');
    // the replacement has an empty list, read through the pod proxy
    const proxied = await get(env.server, `/api/v1/namespaces/default/pods/${pods[0].metadata.name}:8080/proxy/api/greetings`);
    expect(proxied).toEqual({ status: 200, body: [] });
  });

  it('pod proxy reaches that pod’s app; errors are Status objects', async () => {
    const pod = env.world.list('pods', 'default', { labelSelector: 'app=myapp' })[0].metadata.name;
    const page = await get(env.server, `/api/v1/namespaces/default/pods/${pod}/proxy/greeting?content=abc`);
    expect(page.status).toBe(200);
    expect(page.body.text).toContain('value="abc"');
    const missing = await get(env.server, '/api/v1/namespaces/default/pods/nope:8080/proxy/');
    expect(missing).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found', code: 404 } });
    const refused = await get(env.server, `/api/v1/namespaces/default/pods/${pod}:9999/proxy/`);
    expect(refused.body).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
  });

  it('Status objects: 401 without token, 404 NotFound with the real message, 405 for writes', async () => {
    expect(await get(env.server, '/api/v1/namespaces/default/pods', { token: null })).toMatchObject({ status: 401, body: { kind: 'Status', reason: 'Unauthorized' } });
    expect(await get(env.server, '/api/v1/namespaces/default/pods', { token: 'wrong' })).toMatchObject({ status: 401 });
    expect(await get(env.server, '/api/v1/namespaces/default/pods/x')).toMatchObject({ status: 404, body: { message: 'pods "x" not found', details: { name: 'x', kind: 'pods' } } });
    expect((await get(env.server, '/apis/apps/v1/namespaces/default/deployments/x')).body.message).toBe('deployments.apps "x" not found');
    expect((await get(env.server, '/apis/batch/v1/jobs')).status).toBe(404);
    const list = await get(env.server, '/api/v1/nodes');
    expect(list.body).toMatchObject({ kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    const write = await new Promise<number>((resolve, reject) => {
      const req = request(`${env.server.url}/api/v1/namespaces/default/services/myapp`, { method: 'DELETE', ca: ca.certPem, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(write).toBe(405);
    expect(env.world.get('services', 'default', 'myapp')?.metadata?.name).toBe('myapp');
  });

  it('secrets, configmaps, serviceaccounts, clusterrolebindings and namespaces are listable', async () => {
    for (const path of [
      '/api/v1/secrets',
      '/api/v1/configmaps',
      '/api/v1/namespaces/kube-system/serviceaccounts',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      '/api/v1/namespaces',
      '/api/v1/endpoints',
    ]) {
      expect((await get(env.server, path)).status, path).toBe(200);
    }
    expect((await get(env.server, '/api/v1/namespaces/default')).body.metadata.name).toBe('default');
  });
});

describe('API server faults, latency and lifecycle', () => {
  it('forbidden: 403 Status with the real message, after authentication', async () => {
    const { server } = await start({ faults: 'forbidden' });
    expect((await get(server, '/api/v1/namespaces/default/pods', { token: null })).status).toBe(401);
    const r = await get(server, '/api/v1/namespaces/default/pods');
    expect(r).toMatchObject({ status: 403, body: { kind: 'Status', reason: 'Forbidden', code: 403 } });
    expect(r.body.message).toBe('pods is forbidden: User "clusterUser" cannot list resource "pods" in API group "" in the namespace "default"');
    expect((await get(server, '/apis/apps/v1/deployments')).body.message).toBe(
      'deployments.apps is forbidden: User "clusterUser" cannot list resource "deployments" in API group "apps" at the cluster scope',
    );
  });

  it('error500 answers 500 InternalError; the request log shows only GETs', async () => {
    const { server } = await start({ faults: 'error500' });
    expect(await get(server, '/api/v1/nodes')).toMatchObject({ status: 500, body: { kind: 'Status', reason: 'InternalError' } });
    await get(server, '/version');
    expect(server.requests).toEqual([
      { method: 'GET', path: '/api/v1/nodes', status: 500 },
      { method: 'GET', path: '/version', status: 500 },
    ]);
  });

  it('hang never answers (client timeout), and close() still ends the socket', async () => {
    const { server } = await start({ faults: 'hang' });
    const t = Date.now();
    await expect(get(server, '/version', { timeoutMs: 300 })).rejects.toThrow('client timeout');
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    const pending = get(server, '/version', { timeoutMs: 10_000 });
    await until('the second request to arrive', () => server.requests.length === 2);
    await server.close();
    await expect(pending).rejects.toThrow();
    expect(server.requests.map((r) => r.status)).toEqual([0, 0]);
  });

  it('latencyMs delays every answer', async () => {
    const { server } = await start({ latencyMs: 150 });
    const t = Date.now();
    expect((await get(server, '/version')).body.gitVersion).toMatch(/^v1\.30\./);
    expect(Date.now() - t).toBeGreaterThanOrEqual(145);
  });

  it('close() resolves and the port refuses afterwards', async () => {
    const { server } = await start();
    expect((await get(server, '/version')).status).toBe(200);
    await server.close();
    const refused = await new Promise<string>((resolve) => {
      const s = connect(server.port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
