/**
 * A stopped AKS cluster's control plane is deallocated: ARM still lists the cluster with its power
 * state and hands out its kubeconfig, but nothing answers at the API server, and real kubectl says
 * so promptly. A cluster whose last operation failed or is still updating keeps a working API.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../lab.js';
import { parseScenario, type Scenario } from '../scenario.js';

const run = promisify(execFile);
const student = (user: string, cluster: Record<string, unknown>): Scenario => parseScenario({ user, azure: { clusters: [{ name: `aks-${user}`, ...cluster }] } }, `${user}.yaml`);

describe('cluster power and provisioning states', () => {
  let sandbox: Sandbox;
  let aks: ContainerServiceClient;
  const home = mkdtempSync(join(tmpdir(), 'lab-grade-power-'));
  const kubectl = async (user: string, ...args: string[]) => {
    const file = join(home, `${user}.yaml`);
    writeFileSync(file, sandbox.kubeconfig(user));
    const t0 = Date.now();
    const r = await run('kubectl', ['--kubeconfig', file, '--cache-dir', join(home, 'cache'), '--request-timeout', '20s', ...args], { env: { ...process.env, HOME: home }, timeout: 30_000 }).then(
      (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );
    return { ...r, ms: Date.now() - t0 };
  };

  beforeAll(async () => {
    // `asleep` and `awake` are the reload test's own, so that the other tests see the states they start with.
    sandbox = await startSandbox([
      student('stopped', { powerState: 'Stopped' }),
      student('failed', { provisioningState: 'Failed' }),
      student('updating', { provisioningState: 'Updating' }),
      student('starting', { provisioningState: 'Starting' }),
      student('stopping', { provisioningState: 'Stopping' }),
      student('asleep', { powerState: 'Stopped' }),
      student('awake', { provisioningState: 'Failed' }),
    ]);
    const token = sandbox.config.azure!.token!.reveal();
    aks = new ContainerServiceClient({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) }, sandbox.config.azure!.subscriptionId, {
      endpoint: sandbox.config.azure!.endpoint,
      tlsOptions: { ca: sandbox.caPem },
      retryOptions: { maxRetries: 0 },
    } as ConstructorParameters<typeof ContainerServiceClient>[2]);
  });
  afterAll(() => sandbox?.stop());

  it('ARM lists a stopped cluster with its power state and still hands out its user kubeconfig', async () => {
    const mc = await aks.managedClusters.get('stopped-rg', 'aks-stopped');
    expect([mc.provisioningState, mc.powerState?.code, mc.agentPoolProfiles?.[0].powerState?.code]).toEqual(['Succeeded', 'Stopped', 'Stopped']);
    const creds = await aks.managedClusters.listClusterUserCredentials('stopped-rg', 'aks-stopped');
    expect(Buffer.from(creds.kubeconfigs![0].value!).toString('utf8')).toBe(sandbox.kubeconfig('stopped'));
  });

  it('kubectl cannot connect to a stopped cluster and says so within seconds', async () => {
    const r = await kubectl('stopped', 'get', 'nodes');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/The connection to the server 127\.0\.0\.1:\d+ was refused/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('while `az aks start` or `az aks stop` is under way, ARM shows the operation and kubectl cannot connect', async () => {
    for (const [user, operation] of [
      ['starting', 'Starting'],
      ['stopping', 'Stopping'],
    ]) {
      expect((await aks.managedClusters.get(`${user}-rg`, `aks-${user}`)).provisioningState).toBe(operation);
      const r = await kubectl(user, 'get', 'nodes');
      expect([user, r.code === 0, r.stderr]).toEqual([user, false, expect.stringMatching(/The connection to the server 127\.0\.0\.1:\d+ was refused/)]);
    }
  });

  it('a Failed or Updating cluster that is Running keeps a working API server', async () => {
    for (const user of ['failed', 'updating']) {
      const mc = await aks.managedClusters.get(`${user}-rg`, `aks-${user}`);
      expect([mc.provisioningState, mc.powerState?.code]).toEqual([user === 'failed' ? 'Failed' : 'Updating', 'Running']);
      const r = await kubectl(user, 'get', 'nodes', '-o', 'name');
      expect([user, r.code, r.stdout.trim().split('\n').length]).toEqual([user, 0, 3]);
    }
  });

  it('az aks start / stop: a reloaded power state opens or closes the same API server address', async () => {
    const flip = (user: string, powerState: string) =>
      sandbox.scenarios.map((s) => (s.user === user ? { ...s, azure: { ...s.azure, clusters: s.azure.clusters.map((c) => ({ ...c, powerState })) } } : s));
    sandbox.reload(flip('asleep', 'Running'));
    await expect.poll(async () => (await kubectl('asleep', 'get', 'nodes', '-o', 'name')).code, { timeout: 10_000 }).toBe(0);
    sandbox.reload(flip('awake', 'Stopped'));
    await expect.poll(async () => (await kubectl('awake', 'get', 'nodes')).stderr, { timeout: 10_000 }).toMatch(/was refused/);
  });
});
