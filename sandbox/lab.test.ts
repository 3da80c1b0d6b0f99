/**
 * The simulated lab as a whole: start-up time for a class, everything stopped afterwards (no stray
 * listeners), reloads, and fidelity against real clients: the kubeconfig the fake ARM hands out to
 * the real Azure SDK drives the real kubectl, whose JSON equals what the grader's probe reads.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import { packagePath } from '../core/paths.js';
import { kubeProbe } from '../probes/kube/probe.js';
import { NetworkPolicy } from '../probes/net.js';
import { runCli } from '../test/support/cli.js';
import { startSandboxProcess } from '../test/support/sandbox-process.js';
import { startSandbox, type Sandbox } from './lab.js';
import { loadScenarios } from './scenario.js';
import { writeClass } from '../test/support/class.js';

const run = promisify(execFile);
const BUILT_IN = packagePath('fixtures', 'scenarios');

/** Ports on 127.0.0.1 that a running sandbox listens on (from its class config and kubeconfigs). */
function sandboxPorts(sandbox: Sandbox): number[] {
  const ports = new Set<number>();
  for (const to of Object.values(sandbox.config.network.connectTo)) ports.add(Number(to.split(':').pop()));
  ports.add(sandbox.arm.port);
  ports.add(sandbox.registry.port);
  for (const url of [sandbox.entra.url, sandbox.graph.url]) ports.add(Number(new URL(url).port));
  for (const s of sandbox.scenarios) {
    if (s.azure.clusters.length) ports.add(Number(/server: https:\/\/127\.0\.0\.1:(\d+)/.exec(sandbox.kubeconfig(s.user))![1]));
  }
  return [...ports];
}

const refuses = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });

describe('the simulated lab', () => {
  it('starts a class of 33 in seconds of CPU and stops every listener', async () => {
    const scenarios = loadScenarios([writeClass(33).dir], CHECK_IDS);
    // CPU time, not wall time: on a busy two-core machine the wall clock measures the neighbours.
    const cpu0 = process.cpuUsage();
    const sandbox = await startSandbox(scenarios);
    const { user, system } = process.cpuUsage(cpu0);
    const ports = sandboxPorts(sandbox);
    expect((user + system) / 1000).toBeLessThan(5_000);
    expect(ports.length).toBeGreaterThan(33);
    // Listening now, but for the ports that stand for a VM that does not answer.
    const listening = (await Promise.all(ports.map(refuses))).filter((refused) => !refused).length;
    expect(listening).toBeGreaterThan(30);
    await sandbox.stop();
    const after = await Promise.all(ports.map(refuses));
    expect(after.every(Boolean)).toBe(true);
  }, 60_000);

  it('stops everything on Ctrl-C of `lab-grade sandbox`', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-grade-sandbox-'));
    const lab = await startSandboxProcess([join(BUILT_IN, '01-perfect.yaml')], out, 30_000);
    const config = readFileSync(join(out, 'lab-grade.yaml'), 'utf8');
    const ports = [...config.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    ports.push(Number(/endpoint: https:\/\/127\.0\.0\.1:(\d+)/.exec(config)![1]));
    expect((await Promise.all(ports.map(refuses))).some((r) => !r)).toBe(true);
    // The written config is an ordinary class config: grade through it.
    const graded = await runCli(['--config', join(out, 'lab-grade.yaml'), '--reporter', 'json', '--only', 'ex6'], { timeoutMs: 60_000 });
    expect(graded.code, graded.stderr).toBe(0);
    expect(await lab.stop()).toBe(0);
    expect(lab.output()).toContain('stopped');
    expect((await Promise.all(ports.map(refuses))).every(Boolean)).toBe(true);
  }, 90_000);
});

describe('fidelity against real clients', () => {
  let sandbox: Sandbox;
  let kubeconfigFile: string;
  const home = mkdtempSync(join(tmpdir(), 'lab-grade-kubectl-'));
  const kubectl = async (...args: string[]) =>
    (await run('kubectl', ['--kubeconfig', kubeconfigFile, '--cache-dir', join(home, 'cache'), ...args], { env: { ...process.env, HOME: home }, timeout: 30_000 })).stdout;

  beforeAll(async () => {
    sandbox = await startSandbox(loadScenarios([join(BUILT_IN, '01-perfect.yaml'), join(BUILT_IN, '05-no-role-assignment.yaml')], CHECK_IDS), { replaceDelayMs: 300 });
    // The real Azure SDK, changed only in endpoint and credential, fetches the user kubeconfig.
    const token = sandbox.config.azure!.token!.reveal();
    const aks = new ContainerServiceClient({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) }, sandbox.config.azure!.subscriptionId, {
      endpoint: sandbox.config.azure!.endpoint,
      tlsOptions: { ca: sandbox.caPem },
      retryOptions: { maxRetries: 0 },
    } as ConstructorParameters<typeof ContainerServiceClient>[2]);
    const creds = await aks.managedClusters.listClusterUserCredentials('labuser01-rg', 'aks01');
    const text = Buffer.from(creds.kubeconfigs![0].value!).toString('utf8');
    kubeconfigFile = join(home, 'kubeconfig.yaml');
    writeFileSync(kubeconfigFile, text, { mode: 0o600 });
  }, 60_000);
  afterAll(() => sandbox?.stop());

  it('kubectl get nodes lists the three Ready nodes', async () => {
    const nodes = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: Array<{ status: { conditions: Array<{ type: string; status: string }> } }> };
    expect(nodes.items).toHaveLength(3);
    expect(nodes.items.every((n) => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'))).toBe(true);
    expect(await kubectl('get', 'nodes')).toMatch(/Ready/);
  });

  it("kubectl's JSON equals what the grader's probe reads", async () => {
    const list = JSON.parse(await kubectl('get', 'pods,deploy,rs,svc', '-o', 'json')) as { items: Array<{ kind: string; metadata: { name: string }; status?: Record<string, unknown> }> };
    const probe = kubeProbe({ kubeconfig: async () => readFileSync(kubeconfigFile, 'utf8'), namespace: 'default', allowDisruptive: false, policy: new NetworkPolicy({ loopbackOnly: true }) });
    const snap = await probe.snapshot();
    const names = (kind: string) =>
      list.items
        .filter((i) => i.kind === kind)
        .map((i) => i.metadata.name)
        .sort();
    expect(names('Pod')).toEqual(snap.pods.map((p) => p.metadata!.name!).sort());
    expect(names('Deployment')).toEqual(snap.deployments.map((d) => d.metadata!.name!).sort());
    expect(names('ReplicaSet')).toEqual(snap.replicaSets.map((r) => r.metadata!.name!).sort());
    expect(names('Service')).toEqual(snap.services.map((s) => s.metadata!.name!).sort());
    for (const pod of list.items.filter((i) => i.kind === 'Pod')) {
      const seen = snap.pods.find((p) => p.metadata!.name === pod.metadata.name)!;
      expect(seen.status!.phase).toBe(pod.status!.phase);
      expect(seen.status!.containerStatuses![0].imageID).toBe((pod.status!.containerStatuses as Array<{ imageID: string }>)[0].imageID);
    }
    const events = await kubectl('get', 'events');
    expect(events).toMatch(/Pulled|Started/);
    await probe.close?.();
  });

  it('kubectl delete pod: the ReplicaSet replaces it', async () => {
    const before = JSON.parse(await kubectl('get', 'pods', '-l', 'app=myapi', '-o', 'json')) as { items: Array<{ metadata: { name: string } }> };
    expect(before.items).toHaveLength(1);
    const victim = before.items[0].metadata.name;
    expect(await kubectl('delete', 'pod', victim)).toContain(`pod "${victim}" deleted`);
    let replacement: { metadata: { name: string }; status: { phase: string } } | undefined;
    for (let i = 0; i < 50 && replacement?.status.phase !== 'Running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = JSON.parse(await kubectl('get', 'pods', '-l', 'app=myapi', '-o', 'json')) as { items: Array<{ metadata: { name: string }; status: { phase: string } }> };
      replacement = now.items.find((p) => p.metadata.name !== victim);
    }
    expect(replacement?.status.phase).toBe('Running');
  });

  it('a reloaded scenario derives the world again: a role assignment makes pending pods run', async () => {
    const user = 'labuser05';
    const kc = join(home, 'kc05.yaml');
    writeFileSync(kc, sandbox.kubeconfig(user));
    const phases = async () =>
      (
        JSON.parse((await run('kubectl', ['--kubeconfig', kc, '--cache-dir', join(home, 'cache'), 'get', 'pods', '-o', 'json'], { env: { ...process.env, HOME: home } })).stdout) as {
          items: Array<{ status: { phase: string } }>;
        }
      ).items.map((p) => p.status.phase);
    expect(new Set(await phases())).toEqual(new Set(['Pending']));
    const next = sandbox.scenarios.map((s) => (s.user === user ? { ...s, azure: { ...s.azure, roleAssignments: [{ role: 'AcrPull' as const, assignee: 'aks05', scope: 'labuser05acr' }] } } : s));
    sandbox.reload(next);
    expect(new Set(await phases())).toEqual(new Set(['Running']));
  });
});
