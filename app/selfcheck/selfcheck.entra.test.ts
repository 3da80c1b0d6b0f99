/**
 * The self-check of a student whose cluster is Entra-integrated (`az aks get-credentials` wrote a
 * kubelogin `exec` kubeconfig): Exercises 5–7 are read with a token for the AKS server application from
 * the student's own Azure login, as kubelogin's azurecli mode does, without running kubelogin and without
 * --allow-exec-credentials. Without a login the kubeconfig cannot be used, and the report says so.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult, RunResult } from '../../core/model.js';
import { sandboxRequest, useSelfCheckLab } from '../../test/support/selfcheck-sandbox.js';
import { collectedNotices } from '../../test/support/notices.js';
import { selfCheck } from './selfcheck.js';

const lab = useSelfCheckLab('fixtures/scenarios/realism/25-entra-cluster.yaml');

async function check(loggedIn: boolean): Promise<Record<string, CheckResult>> {
  const home = mkdtempSync(join(lab.root, 'home-'));
  const json = join(lab.root, `result-${loggedIn}.json`);
  await selfCheck(sandboxRequest(lab, { reports: [{ format: 'json', file: json }] }), {
    stdout: { write: () => undefined, color: false, isTTY: false },
    notices: collectedNotices(),
    home,
    env: { USER: lab.scenario.user, LAB_GRADE_HOME: join(home, '.lab-grade') },
    // Signed in: the folder's login (the directory hands out a token for each audience asked, as after `az login`).
    ...(loggedIn ? {} : { login: async () => undefined }),
  });
  const run = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
  return Object.fromEntries(run.students[0].checks.map((c) => [c.id, c]));
}

describe('self-check of an Entra-integrated cluster', () => {
  it('the kubelogin kubeconfig is read with an AKS-audience token from the login: Exercises 5-7 as a full grading has them', async () => {
    expect(lab.sandbox.kubeconfig(lab.scenario.user)).toContain('command: kubelogin');
    const checks = await check(true);
    const ids = Object.keys(lab.scenario.expect).filter((id) => /^ex[567]\./.test(id));
    expect(Object.fromEntries(ids.map((id) => [id, checks[id].status]))).toEqual(Object.fromEntries(ids.map((id) => [id, lab.scenario.expect[id]])));
    expect(checks['ex5.kube.reachable'].evidence).toMatchObject({ cluster: 'aks-entra-cluster' });
  }, 120_000);

  it('without a login the kubeconfig is not used and no plugin runs: an error that says to log in', async () => {
    const checks = await check(false);
    // The grader could not find out (never the student's failure), and the evidence names the server application to log in for.
    expect(checks['ex5.kube.reachable']).toMatchObject({ status: 'error', code: 'LG-014', evidence: { probe: 'kube', serverId: '6dae42f8-4368-4678-94ff-3960e28e3630' } });
    expect(checks['ex5.kube.reachable'].message).toContain('`az login`');
  }, 120_000);
});
