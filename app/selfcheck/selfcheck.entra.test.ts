/**
 * The self-check of a student whose cluster is Entra-integrated (`az aks get-credentials` wrote a
 * kubelogin `exec` kubeconfig): Exercises 5–7 are read with a token for the AKS server application from
 * the student's own Azure login, as kubelogin's azurecli mode does, without running kubelogin and without
 * --allow-exec-credentials. Without a login the kubeconfig cannot be used, and the report says so.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../checks/index.js';
import type { CheckResult, RunResult } from '../../core/model.js';
import { credentialFor } from '../../probes/azure/credential.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios, type Scenario } from '../../sandbox/scenario.js';
import { writeSandboxConfig } from '../demo.js';
import { collectedNotices } from '../io.js';
import { selfCheck } from './selfcheck.js';

const root = mkdtempSync(join(tmpdir(), 'lab-grade-selfcheck-entra-'));
let sandbox: Sandbox;
let scenario: Scenario;
let out: string;

beforeAll(async () => {
  [scenario] = loadScenarios(['fixtures/scenarios/realism/25-entra-cluster.yaml'], CHECK_IDS);
  sandbox = await startSandbox([scenario]);
  out = join(root, 'sandbox');
  writeSandboxConfig(sandbox, out);
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function check(loggedIn: boolean): Promise<Record<string, CheckResult>> {
  const home = mkdtempSync(join(root, 'home-'));
  const json = join(root, `result-${loggedIn}.json`);
  await selfCheck(
    {
      only: [],
      waitSeconds: 0,
      reports: [{ format: 'json', file: json }],
      allowDisruptive: false,
      allowExecCredentials: false,
      watch: false,
      intervalSeconds: 5,
      sandbox: out,
      userName: scenario.user,
    },
    {
      stdout: { write: () => undefined, color: false, isTTY: false },
      notices: collectedNotices(),
      home,
      env: { USER: scenario.user, LAB_GRADE_HOME: join(home, '.lab-grade') },
      // The student's `az login`: a credential of the directory that hands out a token for each audience asked.
      login: async () => (loggedIn ? credentialFor(sandbox.config.azure!, sandbox.caPem) : undefined),
    },
  );
  const run = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
  return Object.fromEntries(run.students[0].checks.map((c) => [c.id, c]));
}

describe('self-check of an Entra-integrated cluster', () => {
  it('the kubelogin kubeconfig is read with an AKS-audience token from the login: Exercises 5-7 as a full grading has them', async () => {
    expect(sandbox.kubeconfig(scenario.user)).toContain('command: kubelogin');
    const checks = await check(true);
    const ids = Object.keys(scenario.expect).filter((id) => /^ex[567]\./.test(id));
    expect(Object.fromEntries(ids.map((id) => [id, checks[id].status]))).toEqual(Object.fromEntries(ids.map((id) => [id, scenario.expect[id]])));
    expect(checks['ex5.kube.reachable'].evidence).toMatchObject({ cluster: 'aks-entra-cluster' });
  }, 120_000);

  it('without a login the kubeconfig is not used and no plugin runs: an error that says to log in', async () => {
    const checks = await check(false);
    // The grader could not find out (never the student's failure), and the evidence names the server application to log in for.
    expect(checks['ex5.kube.reachable']).toMatchObject({ status: 'error', code: 'LG-014', evidence: { probe: 'kube', serverId: '6dae42f8-4368-4678-94ff-3960e28e3630' } });
    expect(checks['ex5.kube.reachable'].message).toContain('`az login`');
  }, 120_000);
});
