/**
 * `npx lab-grade` as a student runs it (the built binary, no lab-grade.yaml in the folder) against
 * the simulated lab's cluster: each self-check is recorded in the history, the second shows what
 * changed since the first, and `lab-grade history` shows both.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import type { HistoryEntry } from '../core/history.js';
import { packagePath } from '../core/paths.js';
import { startSandbox, type Sandbox } from '../sandbox/lab.js';
import { loadScenarios } from '../sandbox/scenario.js';
import { runCli } from '../test/support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'lab-grade-selfcheck-cli-'));
let sandbox: Sandbox;
let kubeconfig: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const scenarios = loadScenarios([packagePath('fixtures', 'scenarios', '01-perfect.yaml')], CHECK_IDS);
  sandbox = await startSandbox(scenarios);
  kubeconfig = join(root, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, sandbox.kubeconfig('labuser01'), { mode: 0o600 });
  env = {
    HOME: mkdtempSync(join(root, 'home-')),
    USER: 'labuser01',
    KUBECONFIG: kubeconfig,
    LAB_GRADE_HOME: join(root, 'lab-grade-home'),
    // Not signed in to Azure (never the real az CLI in a test).
    LAB_GRADE_AZURE_TOKEN_FILE: join(root, 'no-token'),
    LAB_GRADE_CONNECT_TO: JSON.stringify(sandbox.config.network.connectTo),
  };
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('npx lab-grade without a class config', () => {
  it('records each self-check; the next one says what changed; history shows them', async () => {
    const first = await runCli([], { cwd: root, env });
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('Your progress in the AKS lab — labuser01');
    expect(first.stdout).toContain(`Checking Cluster: context aks01 in ${kubeconfig}`);
    expect(first.stdout).toContain('15 of 34 points; Exercise 7 next');
    expect(first.code).toBe(1); // below the pass mark: Azure and the VM were not checked here

    const second = await runCli(['--only', 'ex5'], { cwd: root, env });
    expect(second.stdout).toMatch(/Nothing changed since \d\d:\d\d:\d\d\./);

    const lines = readFileSync(join(root, 'lab-grade-home', 'history.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    const [a, b] = lines.map((l) => JSON.parse(l) as HistoryEntry);
    expect(a).toMatchObject({ user: 'labuser01', lab: 'aks-greetings', score: 15, maxScore: 34, exercises: { '1': 'not checked', '5': 'done', '7': 'next' } });
    expect(Object.keys(b.checks)).toEqual(['ex5.kube.reachable', 'ex5.pull.authorized', 'ex5.pod.running']);

    const table = await runCli(['history'], { cwd: root, env });
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^Time +Points +1 2 3 4 5 6 7$/);
    expect(rows[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}15\/34 +– – – – ✓ ✓ ✗$/);
    expect(rows[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}4\/4 +✓$/);

    const json = await runCli(['history', '--reporter', 'json'], { cwd: root, env });
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const parsed = JSON.parse(json.stdout) as { file: string; entries: HistoryEntry[] };
    expect(parsed.file).toBe(join(root, 'lab-grade-home', 'history.jsonl'));
    expect(parsed.entries.map((e) => e.score)).toEqual([15, 4]);
  });

  it('self-check options with --user (a class run) are a usage error', async () => {
    const r = await runCli(['--user', 'labuser01', '--watch'], { cwd: root, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--watch: is for a self-check');
  });

  it('--watch takes single snapshots: --wait is refused', async () => {
    const r = await runCli(['--watch', '--wait', '30'], { cwd: root, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--wait: --watch takes one snapshot every --interval seconds');
  });
});
