/**
 * Self-check detection against a stand-in ARM on 127.0.0.1 (HTTPS with the sandbox CA) that lists
 * subscriptions and resource groups: what is reachable becomes the one-student class config, what is
 * not becomes the line that makes it reachable. The Azure login is an injected static token.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticTokenCredential } from '../../probes/azure/token.js';
import { createCa } from '../../sandbox/ca.js';
import { startHttpsService, type HttpsService } from '../../sandbox/arm/https-service.js';
import { ConfigError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import { REACH, detectSelfCheck, type SelfCheckSettings } from './detect.js';

const TOKEN = 'stand-in-arm-token';
const SUB = '11111111-2222-4333-8444-555555555555';
let groups: Array<{ name: string; managedBy?: string }> = [];
let arm: HttpsService;
let caPem: string;
const root = mkdtempSync(join(tmpdir(), 'lab-grade-detect-'));

beforeAll(async () => {
  const ca = await createCa();
  caPem = ca.certPem;
  arm = await startHttpsService(
    await ca.issue({ ips: ['127.0.0.1'] }),
    (ex) => {
      if (ex.req.headers.authorization !== `Bearer ${TOKEN}`) return ex.send(401, { error: { code: 'InvalidAuthenticationToken', message: 'bad token' } });
      if (ex.url.pathname === '/subscriptions') return ex.send(200, { value: [{ subscriptionId: SUB, displayName: 'Lab', state: 'Enabled' }] });
      if (ex.url.pathname === `/subscriptions/${SUB}/resourcegroups`) return ex.send(200, { value: groups.map((g) => ({ id: `/subscriptions/${SUB}/resourceGroups/${g.name}`, ...g })) });
      ex.send(404, { error: { code: 'NotFound', message: 'no route' } });
    },
    (ex) => ex.send(500, {}),
  );
});
afterAll(async () => {
  await arm.close();
  rmSync(root, { recursive: true, force: true });
});

const signedIn = async (): Promise<TokenCredential> => staticTokenCredential(new Secret(TOKEN, 'Azure token'));

function settings(extra: Partial<SelfCheckSettings> = {}): SelfCheckSettings {
  const home = mkdtempSync(join(root, 'home-'));
  return { home, env: { USER: 'labuser07' }, armEndpoint: `https://127.0.0.1:${arm.port}`, caPem, connectTo: {}, loopbackOnly: true, ...extra };
}

describe('self-check detection', () => {
  it('on the VM (--local) without an Azure login points to Cloud Shell, not az login (the VM has no az)', async () => {
    const d = await detectSelfCheck(settings({ login: async () => undefined, local: true }));
    expect(d.unavailable).toEqual({ azure: REACH.cloudShell, registry: REACH.cloudShell, kube: REACH.cloudShell });
    expect(REACH.cloudShell).toBe('checked in Cloud Shell, where you did them: run `node lab-grade.mjs` there');
  });

  it('with nothing reachable names the line that makes each area reachable', async () => {
    const d = await detectSelfCheck(settings({ login: async () => undefined }));
    expect(d.user).toBe('labuser07');
    expect(d.config.azure).toBeUndefined();
    expect(d.config.kubernetes.source).toBe('azure');
    expect(d.unavailable).toEqual({ vm: REACH.local, azure: REACH.azLogin, registry: REACH.azLogin, kube: REACH.credentials() });
    expect(d.reached.map((r) => [r.area, r.ok])).toEqual([
      ['VM', false],
      ['Azure', false],
      ['Cluster', false],
    ]);
  });

  it('a login that fails (az says "Please run az login") is not signed in', async () => {
    const failing: TokenCredential = { getToken: async () => Promise.reject(new Error("Please run 'az login' to set up account")) };
    const d = await detectSelfCheck(settings({ login: async () => failing, resourceGroup: 'labuser07-rg' }));
    expect(d.unavailable.azure).toBe(REACH.azLogin);
    expect(d.unavailable.kube).toBe('run `az aks get-credentials --name <cluster> --resource-group labuser07-rg`');
  });

  it("finds the only subscription and the student's only group, leaving Azure's own groups out", async () => {
    groups = [
      { name: 'labuser07-rg' },
      { name: 'MC_labuser07-rg_aks07_westeurope', managedBy: '/subscriptions/x/…/managedClusters/aks07' },
      { name: 'NetworkWatcherRG' },
      { name: 'cloud-shell-storage-westeurope' },
    ];
    const d = await detectSelfCheck(settings({ login: signedIn }));
    expect(d.config.azure).toMatchObject({ subscriptionId: SUB, endpoint: `https://127.0.0.1:${arm.port}` });
    expect(d.config.roster).toEqual([{ user: 'labuser07', resourceGroup: 'labuser07-rg' }]);
    expect(d.unavailable.azure).toBeUndefined();
    // The credential handed on is the student's login: it answers with their token.
    expect(await d.credential?.getToken(`https://127.0.0.1:${arm.port}/.default`)).toMatchObject({ token: TOKEN });
    expect(d.reached.find((r) => r.area === 'Cluster')).toMatchObject({ ok: true, text: expect.stringContaining('Azure login') });
  });

  it('several candidate groups are a usage error listing them', async () => {
    groups = [{ name: 'labuser07-rg' }, { name: 'sandbox-rg' }];
    const err = await detectSelfCheck(settings({ login: signedIn })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('--resource-group: your Azure login sees 2 resource groups: labuser07-rg, sandbox-rg; choose yours with --resource-group <name>');
  });

  it('--resource-group and AZURE_SUBSCRIPTION_ID are used without listing anything', async () => {
    const before = arm.requests.length;
    const d = await detectSelfCheck(settings({ login: signedIn, resourceGroup: 'mine-rg', env: { USER: 'labuser07', AZURE_SUBSCRIPTION_ID: SUB } }));
    expect(d.config.resourceGroup).toBe('mine-rg');
    expect(arm.requests.length).toBe(before);
  });

  it('no group of the student is a skip that names --resource-group', async () => {
    groups = [{ name: 'NetworkWatcherRG' }];
    const d = await detectSelfCheck(settings({ login: signedIn }));
    expect(d.unavailable.azure).toBe(`your Azure login sees no resource group of yours in subscription ${SUB}: pass --resource-group <name>`);
  });

  it('grades the VM exercises here when ~/greetings exists, but never in Cloud Shell', async () => {
    const s = settings({ login: async () => undefined });
    mkdirSync(join(s.home, 'greetings'));
    expect((await detectSelfCheck(s)).config.localHome).toBe(s.home);
    expect((await detectSelfCheck({ ...s, env: { ...s.env, ACC_CLOUD: 'PROD' } })).config.localHome).toBeUndefined();
    expect((await detectSelfCheck({ ...s, local: false })).config.localHome).toBeUndefined();
    expect((await detectSelfCheck({ ...settings({ login: async () => undefined }), local: true })).unavailable.vm).toBeUndefined();
  });

  it('takes the first existing file of $KUBECONFIG and its current context', async () => {
    const dir = mkdtempSync(join(root, 'kube-'));
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Config\ncurrent-context: aks07\ncontexts: []\n');
    const d = await detectSelfCheck(settings({ login: async () => undefined, env: { USER: 'labuser07', KUBECONFIG: `${join(dir, 'a.yaml')}:${join(dir, 'b.yaml')}` } }));
    expect(d.config.kubernetes).toEqual({ source: 'kubeconfig', kubeconfig: join(dir, 'b.yaml'), context: undefined });
    expect(d.reached.find((r) => r.area === 'Cluster')?.text).toBe(`context aks07 in ${join(dir, 'b.yaml')}`);
    expect(d.unavailable.kube).toBeUndefined();
    await expect(detectSelfCheck(settings({ kubeconfig: join(dir, 'missing.yaml') }))).rejects.toThrow(/--kubeconfig: no kubeconfig file/);
  });
});
