/**
 * `node lab-grade.mjs` as a student runs it (the built binary, no lab-grade.yaml in the folder) against
 * the simulated lab (`--sandbox DIR`, as `lab-grade sandbox` writes it, here for a student who has not
 * signed in to Azure): each self-check is recorded in the history, a partial one (`--only`) as partial,
 * the next one shows what changed since the first, and `lab-grade history` shows them.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import type { HistoryEntry } from '../core/history.js';
import { packagePath } from '../core/paths.js';
import { writeSandboxConfig } from '../app/demo.js';
import { startSandbox, type Sandbox } from '../sandbox/lab.js';
import { loadScenarios } from '../sandbox/scenario.js';
import { runCli } from '../test/support/cli.js';
import { signOut } from '../test/support/selfcheck-sandbox.js';

const root = mkdtempSync(join(tmpdir(), 'lab-grade-selfcheck-cli-'));
let sandbox: Sandbox;
let kubeconfig: string;
let env: NodeJS.ProcessEnv;
let lab: string[];

beforeAll(async () => {
  const scenarios = loadScenarios([packagePath('fixtures', 'scenarios', '01-perfect.yaml')], CHECK_IDS);
  sandbox = await startSandbox(scenarios);
  const out = join(root, 'sandbox');
  writeSandboxConfig(sandbox, out);
  signOut(out);
  kubeconfig = join(out, 'kubeconfigs', 'labuser01.yaml');
  lab = ['--sandbox', out, '--user-name', 'labuser01'];
  env = { HOME: mkdtempSync(join(root, 'home-')), USER: 'someone', LAB_GRADE_HOME: join(root, 'lab-grade-home') };
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('node lab-grade.mjs without a class config', () => {
  it('records each self-check, a partial one as partial; the next one says what changed; history shows them', async () => {
    const first = await runCli(lab, { cwd: root, env });
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('Your progress in the AKS lab — labuser01');
    expect(first.stdout).toContain(`Checking Cluster: context aks01 in ${kubeconfig}`);
    expect(first.stdout).toContain('Exercises 3, 4: run `az login`, then `node lab-grade.mjs` again');
    expect(first.stdout).toContain('15 of 34 points; Exercise 7 next');
    expect(first.code).toBe(1); // below the pass mark: Azure and the VM were not checked here

    const second = await runCli([...lab, '--only', 'ex5'], { cwd: root, env });
    expect(second.stdout).toMatch(/Nothing changed since \d\d:\d\d:\d\d\./);
    expect(second.stdout).toContain("4 of 4 points of the checks selected (--only ex5): not the lab's total");
    expect(second.code).toBe(0); // every selected check passed: no pass-mark verdict on a selection

    const third = await runCli(lab, { cwd: root, env });
    // Compared with the last whole check, not with the partial one.
    expect(third.stdout).toMatch(/Nothing changed since \d\d:\d\d:\d\d\./);

    const lines = readFileSync(join(root, 'lab-grade-home', 'history.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(3);
    const [a, b] = lines.map((l) => JSON.parse(l) as HistoryEntry);
    expect(a).toMatchObject({ user: 'labuser01', lab: 'aks-greetings', score: 15, maxScore: 34, exercises: { '1': 'not checked', '5': 'done', '7': 'next' } });
    expect(a.only).toBeUndefined();
    expect(b.only).toEqual(['ex5']);
    expect(Object.keys(b.checks)).toEqual(['ex5.kube.reachable', 'ex5.pull.authorized', 'ex5.pod.running']);

    const table = await runCli(['history'], { cwd: root, env });
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^Time +Points +1 2 3 4 5 6 7$/);
    // Exercise 7 is the next one: the arrow the checklist shows, not a failure.
    expect(rows[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}15\/34 +– – – – ✓ ✓ →$/);
    expect(rows[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}partial +✓$/);
    expect(rows.at(-1)).toContain('partial: an --only run');

    const json = await runCli(['history', '--reporter', 'json'], { cwd: root, env });
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const parsed = JSON.parse(json.stdout) as { file: string; entries: HistoryEntry[] };
    expect(parsed.file).toBe(join(root, 'lab-grade-home', 'history.jsonl'));
    expect(parsed.entries.map((e) => [e.score, e.only ?? null])).toEqual([
      [15, null],
      [4, ['ex5']],
      [15, null],
    ]);
  });

  it('names itself in the commands it prints as it was started: `lab-grade` on the PATH, `node lab-grade.mjs` in the folder', async () => {
    const built = packagePath('dist', 'bin', 'lab-grade.js');
    const bin = mkdtempSync(join(root, 'bin-'));
    // As npm installs the command: a link named lab-grade on the PATH; as students have it: the file beside them.
    symlinkSync(built, join(bin, 'lab-grade'));
    const folder = mkdtempSync(join(root, 'student-'));
    symlinkSync(built, join(folder, 'lab-grade.mjs'));
    const detailsLine = (stdout: string) => stdout.replace(/\s+/g, ' ').match(/Every check with its details: `([^`]*)`/)?.[1];
    const installed = await runCli(lab, { cwd: root, env, script: join(bin, 'lab-grade') });
    expect(detailsLine(installed.stdout)).toBe(`lab-grade ${lab.join(' ')} --reporter console`);
    const downloaded = await runCli(lab, { cwd: folder, env, script: join(folder, 'lab-grade.mjs') });
    expect(detailsLine(downloaded.stdout)).toBe(`node lab-grade.mjs ${lab.join(' ')} --reporter console`);
  });

  it('--sandbox without a student of the simulated lab names them (exit 2)', async () => {
    const r = await runCli(['--sandbox', lab[1], '--user-name', 'nobody'], { cwd: root, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--user-name: "nobody" is not a student of the simulated lab; its students: labuser01');
    const missing = await runCli(['--sandbox', join(root, 'nowhere'), '--user-name', 'labuser01'], { cwd: root, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--sandbox: no selfcheck.json in ${join(root, 'nowhere')}`);
  });

  it('self-check options with --user (a class run) are a usage error', async () => {
    const r = await runCli(['--user', 'labuser01', '--watch'], { cwd: root, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--watch: is for a self-check');
  });

  it('--watch takes single snapshots: --wait is refused', async () => {
    const r = await runCli([...lab, '--watch', '--wait', '30'], { cwd: root, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--wait: --watch takes one snapshot every --interval seconds');
  });
});
