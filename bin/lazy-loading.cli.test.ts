/**
 * A start pays only for what it uses: the quick commands load none of the client libraries, and a
 * self-check loads the clients of the probes it runs (on the VM: none of Azure's, Kubernetes' or ssh2;
 * with a kubeconfig only: the Kubernetes client, not Azure's). The built CLI runs in a process of its
 * own whose every resolved module is recorded.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSandboxConfig } from '../app/demo.js';
import { CHECK_IDS } from '../checks/index.js';
import { packagePath } from '../core/paths.js';
import type { RunResult } from '../core/model.js';
import { startSandbox, type Sandbox } from '../sandbox/lab.js';
import { loadScenarios } from '../sandbox/scenario.js';
import { runCli } from '../test/support/cli.js';
import { loadLog } from '../test/support/loaded-packages.js';
import { signOut } from '../test/support/selfcheck-sandbox.js';

const KUBERNETES = '@kubernetes/client-node';
const SSH = 'ssh2';
const azurePackages = (loaded: Set<string>) => [...loaded].filter((p) => p.startsWith('@azure/'));

const root = mkdtempSync(join(tmpdir(), 'lab-grade-lazy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The packages one run of the built CLI loaded, with its result. */
async function loadedBy(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const log = loadLog();
  const result = await runCli(args, { nodeArgs: log.nodeArgs, cwd: opts.cwd ?? root, env: { ...opts.env, ...log.env }, timeoutMs: 60_000 });
  return { ...result, loaded: log.packages() };
}

describe('start-up loads no client library', () => {
  for (const args of [['--help'], ['--version'], ['checks']]) {
    it(`lab-grade ${args.join(' ')}`, async () => {
      const run = await loadedBy(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.loaded).toContain('yargs'); // the recording sees packages
      expect(run.loaded).not.toContain(KUBERNETES);
      expect(run.loaded).not.toContain(SSH);
      expect(azurePackages(run.loaded)).toEqual([]);
    });
  }
});

describe('a self-check loads the clients of the probes it runs', () => {
  let sandbox: Sandbox;
  let out: string;
  beforeAll(async () => {
    sandbox = await startSandbox(loadScenarios([packagePath('fixtures', 'scenarios', '01-perfect.yaml')], CHECK_IDS));
    out = join(root, 'sandbox');
    writeSandboxConfig(sandbox, out);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('on the VM (no az, no kubeconfig): none of Azure, Kubernetes or ssh2', async () => {
    const home = mkdtempSync(join(root, 'vm-'));
    mkdirSync(join(home, 'greetings'));
    // PATH without az: the VM of the lab, where nobody signs in to Azure.
    const run = await loadedBy(['--local', '--reporter', 'json'], { cwd: home, env: { HOME: home, USER: 'labuser01', PATH: dirname(process.execPath), LAB_GRADE_HOME: join(home, '.lab-grade') } });
    expect(run.code, run.stderr).toBe(1); // graded: nothing of the lab is done in this empty home
    const graded = (JSON.parse(run.stdout) as RunResult).students[0].checks.filter((c) => c.id.startsWith('ex1.'));
    expect(graded.length).toBeGreaterThan(0);
    expect(run.loaded).not.toContain(KUBERNETES);
    expect(run.loaded).not.toContain(SSH);
    expect(azurePackages(run.loaded)).toEqual([]);
  });

  it('with a kubeconfig and no Azure login: the Kubernetes client, not Azure’s, not ssh2', async () => {
    // The student has not signed in: no login in the sandbox folder.
    signOut(out);
    const home = mkdtempSync(join(root, 'shell-'));
    const run = await loadedBy(['--sandbox', out, '--user-name', 'labuser01', '--reporter', 'json'], { cwd: home, env: { HOME: home, USER: 'someone', LAB_GRADE_HOME: join(home, '.lab-grade') } });
    const checks = new Map((JSON.parse(run.stdout) as RunResult).students[0].checks.map((c) => [c.id, c.status]));
    expect(checks.get('ex5.kube.reachable'), run.stderr).toBe('pass');
    expect(run.loaded).toContain(KUBERNETES);
    expect(run.loaded).not.toContain(SSH);
    expect(azurePackages(run.loaded)).toEqual([]);
  });
});
