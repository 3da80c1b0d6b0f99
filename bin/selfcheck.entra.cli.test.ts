/**
 * The self-check against the simulated lab from the command line, as the README tells it: `lab-grade
 * sandbox --out DIR` running in a process of its own, then `lab-grade --sandbox DIR --user-name USER`. A
 * student whose cluster is Entra-integrated (a kubelogin kubeconfig) is checked with tokens of their
 * Azure login for each audience asked — ARM's and the AKS server application's — as after `az login`;
 * a student whose kubeconfig holds a token is checked as before. The banner's `Self-check:` line runs
 * as printed, in a shell.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import type { CheckResult, RunResult } from '../core/model.js';
import { packagePath } from '../core/paths.js';
import { loadScenarios, type Scenario } from '../sandbox/scenario.js';
import { runCli } from '../test/support/cli.js';
import { startSandboxProcess, type SandboxProcess } from '../test/support/sandbox-process.js';

const ENTRA = packagePath('fixtures', 'scenarios', 'realism', '25-entra-cluster.yaml');
const TOKEN_KUBECONFIG = packagePath('fixtures', 'scenarios', '01-perfect.yaml');
const root = mkdtempSync(join(tmpdir(), 'lab-grade-selfcheck-entra-'));
const out = join(root, 'sandbox');
let lab: SandboxProcess;

beforeAll(async () => {
  lab = await startSandboxProcess([ENTRA, TOKEN_KUBECONFIG], out);
});
afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** One student's self-check from the command line, with the checks of its JSON report by id. */
async function selfCheckAs(scenario: Scenario): Promise<{ stderr: string; checks: Record<string, CheckResult> }> {
  const home = mkdtempSync(join(root, 'home-'));
  const run = await runCli(['--sandbox', out, '--user-name', scenario.user, '--reporter', 'json'], { cwd: home, env: { HOME: home, USER: 'someone', LAB_GRADE_HOME: join(home, '.lab-grade') } });
  const report = JSON.parse(run.stdout) as RunResult;
  return { stderr: run.stderr, checks: Object.fromEntries(report.students[0].checks.map((c) => [c.id, c])) };
}

/** Exercises 5-7 as the self-check found them, and as the scenario's `expect:` block has them. */
function exercises5to7(scenario: Scenario, checks: Record<string, CheckResult>) {
  const ids = Object.keys(scenario.expect).filter((id) => /^ex[567]\./.test(id));
  return { found: Object.fromEntries(ids.map((id) => [id, checks[id]?.status])), expected: Object.fromEntries(ids.map((id) => [id, scenario.expect[id]])) };
}

describe('lab-grade --sandbox DIR --user-name USER while `lab-grade sandbox` runs', () => {
  it('an Entra-integrated cluster: the kubelogin kubeconfig is read with an AKS-audience token of the login; Exercises 5-7 as the scenario expects', async () => {
    const [scenario] = loadScenarios([ENTRA], CHECK_IDS);
    const { stderr, checks } = await selfCheckAs(scenario);
    expect(checks['ex3.cluster.exists'].status, stderr).toBe('pass'); // signed in to the simulated Azure
    expect(checks['ex5.kube.reachable'], stderr).toMatchObject({ status: 'pass', evidence: { cluster: 'aks-entra-cluster' } });
    const { found, expected } = exercises5to7(scenario, checks);
    expect(found).toEqual(expected);
  }, 120_000);

  it("the banner's kubectl line names a student whose kubeconfig kubectl can use, not the first (Entra) one", () => {
    const [plain] = loadScenarios([TOKEN_KUBECONFIG], CHECK_IDS);
    const kubectl = lab
      .output()
      .split('\n')
      .filter((l) => l.startsWith('kubectl:'));
    expect(kubectl).toEqual([`kubectl:    kubectl --kubeconfig ${join(out, 'kubeconfigs', `${plain.user}.yaml`)} get pods`]);
  });

  it("the banner's Self-check line runs as printed, in a shell, and checks the student it names", async () => {
    const [plain] = loadScenarios([TOKEN_KUBECONFIG], CHECK_IDS);
    const line = lab
      .output()
      .split('\n')
      .filter((l) => l.startsWith('Self-check:'));
    expect(line).toHaveLength(1);
    // The command, without the note that follows it on the line.
    const command = /^Self-check: (lab-grade .+?) {3}\(/.exec(line[0])?.[1];
    expect(command, line[0]).toBeDefined();
    const home = mkdtempSync(join(root, 'home-'));
    // `lab-grade` on the PATH, as a student has it: the built command line.
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'lab-grade'), `#!/bin/sh\nexec '${process.execPath}' '${packagePath('dist', 'bin', 'lab-grade.js')}' "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, NO_COLOR: '1', HOME: home, USER: 'someone', LAB_GRADE_HOME: join(home, '.lab-grade'), PATH: `${bin}:${process.env.PATH}` };
    const ran = await promisify(execFile)('/bin/sh', ['-c', command!], { cwd: home, env, timeout: 110_000, maxBuffer: 16 * 1024 ** 2 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(new RegExp(`^Your progress in the AKS lab — ${plain.user}, checked at`));
    // The cluster through the kubeconfig the sandbox wrote for that student.
    expect(ran.stdout.split('\n').find((l) => l.trim().startsWith('Checking Cluster:'))).toMatch(
      new RegExp(` in ${join(out, 'kubeconfigs', `${plain.user}.yaml`).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    );
    // The perfect student's Exercises 3-6 (01-perfect.yaml) read done; 1 and 2 are the VM's, not checked from Cloud Shell.
    for (const exercise of [3, 4, 5, 6]) expect(ran.stdout).toMatch(new RegExp(`^ {2}✓ Exercise ${exercise} .* done$`, 'm'));
  }, 120_000);

  it('a kubeconfig with a token (no Entra ID): read as it is, Exercises 5-7 as the scenario expects', async () => {
    const [scenario] = loadScenarios([TOKEN_KUBECONFIG], CHECK_IDS);
    const { stderr, checks } = await selfCheckAs(scenario);
    expect(checks['ex5.kube.reachable'], stderr).toMatchObject({ status: 'pass' });
    const { found, expected } = exercises5to7(scenario, checks);
    expect(found).toEqual(expected);
  }, 120_000);
});
