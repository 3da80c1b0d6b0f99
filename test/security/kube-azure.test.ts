/**
 * Kubernetes and Azure answering badly: 403 on everything, 500s, hangs, ARM throttling. Each is an
 * `error` (the grader could not find out) or the correct grade, never a crash, within the deadline,
 * through the CLI path. A kubeconfig is code: an `exec` plugin or an `auth-provider` is refused unless
 * --allow-exec-credentials, and with it the plugin really runs (and only then).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeAndReport } from '../../app/report-run.js';
import { NO_NOTICES } from '../../app/io.js';
import { CHECK_IDS } from '../../checks/index.js';
import type { StudentResult } from '../../core/model.js';
import { kubeProbe } from '../../probes/kube/probe.js';
import { EXEC_REFUSED } from '../../probes/kube/kubeconfig.js';
import { NetworkPolicy } from '../../probes/net.js';
import { ProbeError } from '../../probes/types.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios, type Scenario } from '../../sandbox/scenario.js';
import { SANDBOX_SUBSCRIPTION } from '../../sandbox/lab.js';
import { createRuntime } from '../../probes/environment.js';
import { loadProfile } from '../../core/profile.js';
import { quietFor, until } from '../support/until.js';
import { BUILT_IN, gradeRequest, hostileScenario, rejection, timed, variant, watchConnections } from './support.js';

const KUBE_TIMEOUT_MS = 4_000;
const AZURE_TIMEOUT_MS = 6_000;
/** How long the sandbox holds each page of az-arm-endless-slow's endless list. */
const PAGE_DELAY_MS = 200;
let sandbox: Sandbox;
const watch = watchConnections();
const [throttled, arm500] = loadScenarios([join(BUILT_IN, 'azure', '10-arm-throttled.yaml'), join(BUILT_IN, 'azure', '11-arm-500.yaml')], CHECK_IDS);
const cluster = hostileScenario('http-hang');

/** A variant in a resource group and registry of its own: ARM finds a student's faults by the group. */
const ownGroup = (s: Scenario): Scenario => ({
  ...s,
  azure: { ...s.azure, resourceGroup: `${s.user}-rg`, registries: s.azure.registries.map((r) => ({ ...r, name: `${s.user.replace(/-/g, '')}acr` })) },
});

beforeAll(async () => {
  sandbox = await startSandbox([
    hostileScenario('kube-forbidden'),
    hostileScenario('kube-error500'),
    hostileScenario('kube-hang'),
    throttled,
    arm500,
    variant(arm500, 'az-arm-hang', { arm: 'hang' }),
    ownGroup(variant(throttled, 'az-arm-endless', { arm: 'endless-pages' })),
    ownGroup(variant(throttled, 'az-arm-endless-slow', { arm: 'endless-pages', latencyMs: PAGE_DELAY_MS })),
    variant(cluster, 'exec-plugin', { http: null }),
  ]);
});
afterAll(async () => {
  await sandbox?.stop();
  watch.stop();
});

describe('faults.kube and faults.arm, graded through the CLI path', () => {
  let by: Record<string, StudentResult>;
  let ms = 0;
  beforeAll(async () => {
    const config = { ...sandbox.config, timeoutsMs: { ...sandbox.config.timeoutsMs, kube: KUBE_TIMEOUT_MS, azure: AZURE_TIMEOUT_MS } };
    const users = ['hostile-kube-forbidden', 'hostile-kube-error500', 'hostile-kube-hang', 'az-throttled', 'az-arm-500', 'az-arm-hang', 'az-arm-endless'];
    const request = gradeRequest({ users, only: ['ex3', 'ex4', 'ex5', 'ex6'], reports: [{ format: 'json' }] });
    const out = await timed(25_000, () => gradeAndReport(config, request, { stdout: { write: () => {}, color: false, isTTY: false }, notices: NO_NOTICES }));
    ms = out.ms;
    by = Object.fromEntries(out.value.run.students.map((s) => [s.user, s]));
  }, 30_000);

  const statusOf = (user: string, id: string) => by[user].checks.find((c) => c.id === id)?.status;
  const checkOf = (user: string, id: string) => by[user].checks.find((c) => c.id === id)!;

  it.each([
    ['hostile-kube-forbidden', /forbidden \(RBAC\): the grader's identity needs get\/list/],
    ['hostile-kube-error500', /the API server answered 500: Internal error occurred/],
    ['hostile-kube-hang', /kube probe \(reach\) timed out after 4 s|cannot reach the API server/],
  ])('%s: ex5.kube.reachable is an error saying why; everything after it is blocked', (user, message) => {
    const c = checkOf(user, 'ex5.kube.reachable');
    expect(c.status).toBe('error');
    expect(c.message).toMatch(message);
    // Durations count from the start of the student; the check it depends on bounds the wait.
    expect(c.durationMs - checkOf(user, 'ex3.cluster.healthy').durationMs).toBeLessThan(KUBE_TIMEOUT_MS + 1_500);
    for (const id of ['ex5.pod.running', 'ex6.myapp.deployment', 'ex6.myapp.service', 'ex6.app.e2e']) expect(statusOf(user, id)).toBe('blocked');
    expect(statusOf(user, 'ex3.cluster.exists')).toBe('pass');
    expect(by[user].status).toBe('incomplete');
  });

  it('ARM throttling is waited out: the grades are the correct ones', () => {
    for (const [id, status] of Object.entries(throttled.expect)) expect(statusOf('az-throttled', id)).toBe(status);
  });

  it('ARM 500 and an ARM that never answers: errors, not fails, within the deadline', () => {
    for (const user of ['az-arm-500', 'az-arm-hang']) {
      expect(statusOf(user, 'ex3.cluster.exists')).toBe('error');
      expect(statusOf(user, 'ex4.registry.exists')).toBe('error');
      expect(by[user].checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(checkOf(user, 'ex3.cluster.exists').durationMs).toBeLessThan(AZURE_TIMEOUT_MS + 1_500);
    }
    expect(checkOf('az-arm-hang', 'ex3.cluster.exists').message).toMatch(/timed out|did not answer/);
    expect(ms).toBeLessThan(AZURE_TIMEOUT_MS + 8_000);
  });

  it('an ARM that pages without end: errors saying ARM kept paging, not fails from a partial list', () => {
    for (const id of ['ex3.cluster.exists', 'ex4.registry.exists']) {
      expect(checkOf('az-arm-endless', id)).toMatchObject({ status: 'error', code: 'LG-012', message: expect.stringContaining('ARM kept paging') });
    }
    expect(by['az-arm-endless'].checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(by['az-arm-endless'].status).toBe('incomplete');
  });

  it('nothing left 127.0.0.0/8', () => {
    expect(watch.outsideLoopback()).toEqual([]);
  });
});

describe("a student's grading over, ARM is asked nothing more", () => {
  it('closing the environment (as the class run does when the student ends, their deadline included) stops the paging under way', async () => {
    const runtime = createRuntime(sandbox.config, { profile: loadProfile(), allowDisruptive: false, allowExecCredentials: false });
    const s = sandbox.scenarios.find((x) => x.user === 'az-arm-endless-slow')!;
    const env = await runtime.openEnvironment({ user: s.user, resourceGroup: s.azure.resourceGroup, subscriptionId: SANDBOX_SUBSCRIPTION });
    const pages = () => sandbox.arm.requests.filter((r) => r.user === s.user && /\/managedClusters\?/i.test(r.url)).length;
    const listing = env.probes.azure!.managedClusters().then(
      () => 'listed',
      () => 'stopped',
    );
    await until('two pages asked for', () => pages() >= 2);
    await env.close();
    // the page in flight has already arrived; at PAGE_DELAY_MS a page, the 10-page bound is over a second away
    const asked = pages();
    expect(await listing).toBe('stopped');
    // A page asked after the close would reach ARM within a page's delay; three of them is room for a busy machine.
    await quietFor(3 * PAGE_DELAY_MS);
    expect(pages()).toBe(asked);
  });
});

describe('a kubeconfig is code: exec plugins and auth-providers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-exec-'));
  const plugin = join(dir, 'credential-plugin.mjs');
  // A credential plugin as client-go runs it: prints an ExecCredential with the sandbox's token.
  writeFileSync(
    plugin,
    `import { appendFileSync } from 'node:fs';
appendFileSync(process.env.PLUGIN_MARKER, 'ran\\n');
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: process.env.PLUGIN_TOKEN } }));
`,
  );

  /**
   * The sandbox's kubeconfig for the user, with its token replaced by the exec plugin (or an
   * auth-provider); the plugin writes to a marker file of this kubeconfig's own when it runs.
   */
  let kubeconfigs = 0;
  function kubeconfigWith(kind: 'exec' | 'auth-provider'): { text: string; token: string; marker: string } {
    const marker = join(dir, `plugin-ran-${++kubeconfigs}`);
    const doc = parse(sandbox.kubeconfig('exec-plugin')) as { users: Array<{ user: Record<string, unknown> }> };
    const token = doc.users[0].user.token as string;
    doc.users[0].user =
      kind === 'exec'
        ? {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: process.execPath,
              args: [plugin],
              env: [
                { name: 'PLUGIN_MARKER', value: marker },
                { name: 'PLUGIN_TOKEN', value: token },
              ],
              interactiveMode: 'Never',
            },
          }
        : { 'auth-provider': { name: 'azure', config: { 'access-token': token, 'tenant-id': 'x', 'apiserver-id': 'y' } } };
    return { text: stringify(doc), token, marker };
  }

  const probeWith = (text: string, allowExec: boolean) =>
    kubeProbe({ kubeconfig: async () => text, namespace: 'default', allowDisruptive: false, allowExec, timeoutMs: 5_000, policy: new NetworkPolicy({ loopbackOnly: true }) });

  /** The requests the user's API server received since `before` (a count taken earlier). */
  const requestsSince = (before: number) => sandbox.kubeRequests('exec-plugin').slice(before);

  it('without --allow-exec-credentials the exec plugin is refused and never run; nothing is sent', async () => {
    const { text, marker } = kubeconfigWith('exec');
    const before = sandbox.kubeRequests('exec-plugin').length;
    const probe = probeWith(text, false);
    const err = await rejection(() => probe.reach());
    await probe.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toBe(EXEC_REFUSED);
    expect(err.detail).toMatchObject({ credential: 'exec' });
    expect(existsSync(marker)).toBe(false);
    expect(requestsSince(before)).toEqual([]);
  });

  it('an auth-provider is refused the same way', async () => {
    const { text, token } = kubeconfigWith('auth-provider');
    const before = sandbox.kubeRequests('exec-plugin').length;
    const probe = probeWith(text, false);
    const err = await rejection(() => probe.reach());
    await probe.close();
    expect(err.message).toBe(EXEC_REFUSED);
    expect(err.detail).toMatchObject({ credential: 'auth-provider' });
    expect(JSON.stringify(err.detail) + err.message).not.toContain(token);
    expect(requestsSince(before)).toEqual([]);
  });

  it('with --allow-exec-credentials the plugin runs, and its token gets the grader in', async () => {
    const { text, marker } = kubeconfigWith('exec');
    const before = sandbox.kubeRequests('exec-plugin').length;
    const probe = probeWith(text, true);
    const v = await probe.reach();
    await probe.close();
    expect(v.gitVersion).toMatch(/^v1\./);
    expect(existsSync(marker)).toBe(true);
    expect(
      requestsSince(before)
        .filter((r) => r.path === '/version')
        .map((r) => r.status),
    ).toEqual([200]);
  });
});
