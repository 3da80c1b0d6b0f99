/**
 * The self-check through the simulated lab (`--sandbox DIR`, the folder `lab-grade sandbox` writes), in
 * process: what a student reaches decides what is graded. A kubeconfig alone grades Exercises 5–7;
 * `--local` in a home holding the scenario's greetings clone grades Exercises 1–2; an Azure login (an
 * injected static token) adds Exercises 3–4. The rest is `skipped` with the line that would make it
 * reachable.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult, RunResult } from '../../core/model.js';
import { packagePath } from '../../core/paths.js';
import { REACH } from './detect.js';
import { staticTokenCredential } from '../../probes/azure/token.js';
import { useSelfCheckLab } from '../../test/support/selfcheck-sandbox.js';
import { collectedNotices } from '../../test/support/notices.js';
import { selfCheck as runSelfCheck, type SelfCheckRequest } from './selfcheck.js';

const lab = useSelfCheckLab(packagePath('fixtures', 'scenarios', '01-perfect.yaml'));

/** A home folder with the scenario's VM files (its greetings clone). */
function vmHome(): string {
  const home = mkdtempSync(join(lab.root, 'vm-home-'));
  for (const [path, content] of Object.entries(lab.scenario.vm!.home)) {
    mkdirSync(dirname(join(home, path)), { recursive: true });
    writeFileSync(join(home, path), content);
  }
  return home;
}

interface Reach {
  /** The simulated lab's folder: the student's kubeconfig, and their Azure login when `azure`. */
  kubeconfig?: boolean;
  azure?: boolean;
  local?: string;
}

async function selfCheck(reach: Reach): Promise<{ code: number; checks: Record<string, CheckResult>; checklist: string }> {
  const home = reach.local ?? mkdtempSync(join(lab.root, 'home-'));
  const json = join(lab.root, `result-${Date.now()}-${Math.random()}.json`);
  let checklist = '';
  const request: SelfCheckRequest = {
    only: [],
    waitSeconds: 0,
    reports: [{ format: 'checklist' }, { format: 'json', file: json }],
    allowDisruptive: false,
    allowExecCredentials: false,
    watch: false,
    intervalSeconds: 5,
    local: reach.local ? true : undefined,
    ...(reach.kubeconfig ? { sandbox: lab.out, userName: lab.scenario.user } : {}),
  };
  const code = await runSelfCheck(request, {
    stdout: { write: (t) => void (checklist += t), color: false, isTTY: false },
    notices: collectedNotices(),
    home,
    env: { USER: lab.scenario.user, LAB_GRADE_HOME: join(home, '.lab-grade') },
    login: async () => (reach.azure ? staticTokenCredential(lab.sandbox.config.azure!.token!) : undefined),
  });
  const run = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
  return { code, checks: Object.fromEntries(run.students[0].checks.map((c) => [c.id, c])), checklist };
}

const ofExercises = (checks: Record<string, CheckResult>, ...exercises: number[]) => Object.values(checks).filter((c) => exercises.includes(c.exercise));
/** What the scenario says these checks come to in a full grading. */
const expected = (...exercises: number[]) => Object.fromEntries(Object.entries(lab.scenario.expect).filter(([id]) => exercises.includes(Number(/^ex(\d+)\./.exec(id)![1]))));
const statuses = (list: CheckResult[]) => Object.fromEntries(list.map((c) => [c.id, c.status]));

describe('self-check through the simulated lab', () => {
  it('with only a kubeconfig grades Exercises 5–7; 3–4 wait for az login, 1–2 for the VM', async () => {
    const { checks, checklist } = await selfCheck({ kubeconfig: true });
    for (const c of ofExercises(checks, 3, 4)) expect(c, c.id).toMatchObject({ status: 'skipped', message: REACH.azLogin });
    for (const c of ofExercises(checks, 1, 2)) expect(c, c.id).toMatchObject({ status: 'skipped', message: REACH.local });
    // Without Azure, provenance cannot read the registry's digests; everything else is graded as in class.
    expect(statuses(ofExercises(checks, 5, 6, 7))).toEqual({ ...expected(5, 6, 7), 'ex6.image.provenance': 'skipped' });
    expect(checks['ex6.image.provenance'].message).toBe(REACH.azLogin);
    expect(checklist).toMatch(/✓ Exercise 5 {2}Deploy a pod with kubectl +4\/4 {3}done/);
    expect(checklist).toContain('Exercises 3, 4: run `az login`, then `node lab-grade.mjs` again');
    expect(checklist).toContain('Exercises 1, 2: run this on your VM: `node lab-grade.mjs --local`');
  });

  it('with only --local grades Exercises 1–2 in the home folder (docker may be missing: a graded fail)', async () => {
    const { checks, checklist } = await selfCheck({ local: vmHome() });
    expect(statuses(ofExercises(checks, 2)).valueOf()).toMatchObject({ 'ex2.repo.cloned': 'pass', 'ex2.compose.valid': 'pass', 'ex2.compose.ports': 'pass' });
    expect(checks['ex1.vm.reachable']).toMatchObject({ status: 'pass', evidence: { transport: 'local' } });
    for (const c of ofExercises(checks, 1, 2)) expect(c.status, c.id).not.toBe('skipped');
    for (const c of ofExercises(checks, 3, 4, 5, 6, 7)) expect(c.status, c.id).toBe('skipped');
    // On the VM nobody signs in to Azure: the advice is Cloud Shell, where Exercises 3–7 are done, not `az login`.
    expect(checks['ex5.pod.running'].message).toBe(REACH.cloudShell);
    expect(checks['ex3.cluster.exists'].message).toBe(REACH.cloudShell);
    expect(checklist).toContain('Exercises 3, 4, 5, 6, 7: checked in Cloud Shell, where you did them: run');
    expect(checklist).not.toContain('az login');
    expect(checklist).toContain(`Checking VM:`);
  });

  it('with an Azure login and a kubeconfig grades everything but the VM, as a class run would', async () => {
    const { checks, checklist } = await selfCheck({ kubeconfig: true, azure: true });
    expect(statuses(ofExercises(checks, 3, 4, 5, 6, 7))).toEqual(expected(3, 4, 5, 6, 7));
    // Who is signed in (the simulated lab's service principal), then where it looked.
    expect(checklist).toMatch(
      new RegExp(
        `Checking Azure: {3}signed in as [0-9a-f-]{36} \\(object id [0-9a-f-]{36}\\), subscription ${lab.sandbox.config.azure!.subscriptionId}, resource group ${lab.scenario.azure.resourceGroup}\n`,
      ),
    );
    for (const c of ofExercises(checks, 1, 2)) expect(c.status, c.id).toBe('skipped');
    expect(checklist).toContain('27 of 34 points; Exercise 7 next');
  });

  it('with nothing reachable, nothing is graded: exit 3 (could not be graded), not 1 (below the pass mark)', async () => {
    const { code, checks } = await selfCheck({});
    expect(Object.values(checks).filter((c) => c.status !== 'skipped')).toEqual([]);
    expect(code).toBe(3);
  });

  it('with all three, every check but the disruptive one is graded', async () => {
    const { checks } = await selfCheck({ kubeconfig: true, azure: true, local: vmHome() });
    const skipped = Object.values(checks)
      .filter((c) => c.status === 'skipped')
      .map((c) => c.id);
    expect(skipped).toEqual(['ex6.selfheal']);
  });
});
