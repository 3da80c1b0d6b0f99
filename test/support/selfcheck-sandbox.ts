/**
 * Test kit: the simulated lab of one scenario file, written out as `lab-grade sandbox` writes it (the
 * folder `--sandbox DIR` reads), for a test file's self-checks; started before its tests, stopped after.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { writeSandboxConfig } from '../../app/demo.js';
import { SELFCHECK_FILE, type SandboxLink } from '../../app/selfcheck/sandbox-link.js';
import type { SelfCheckRequest } from '../../app/selfcheck/selfcheck.js';
import { CHECK_IDS } from '../../checks/index.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios, type Scenario } from '../../sandbox/scenario.js';

export interface SelfCheckLab {
  /** a scratch folder for homes and reports, removed after the tests */
  root: string;
  sandbox: Sandbox;
  scenario: Scenario;
  /** the folder `--sandbox` takes */
  out: string;
}

/** Registers the hooks; the fields are set once the file's beforeAll has run. */
export function useSelfCheckLab(scenarioFile: string): SelfCheckLab {
  const lab = { root: mkdtempSync(join(tmpdir(), 'lab-grade-selfcheck-')) } as SelfCheckLab;
  beforeAll(async () => {
    [lab.scenario] = loadScenarios([scenarioFile], CHECK_IDS);
    lab.sandbox = await startSandbox([lab.scenario]);
    lab.out = join(lab.root, 'sandbox');
    writeSandboxConfig(lab.sandbox, lab.out);
  });
  afterAll(async () => {
    await lab.sandbox?.stop();
    rmSync(lab.root, { recursive: true, force: true });
  });
  return lab;
}

/** A self-check as one of the lab's students (`--sandbox DIR --user-name USER`), every option at its default but those given. */
export function sandboxRequest(lab: SelfCheckLab, over: Partial<SelfCheckRequest> = {}): SelfCheckRequest {
  return {
    only: [],
    waitSeconds: 0,
    reports: [],
    allowDisruptive: false,
    allowExecCredentials: false,
    watch: false,
    intervalSeconds: 5,
    sandbox: lab.out,
    userName: lab.scenario.user,
    ...over,
  };
}

/** A student who has not signed in to Azure: the folder `--sandbox` takes without its login (and never the real az CLI in a test). */
export function signOut(out: string): void {
  const file = join(out, SELFCHECK_FILE);
  const { login: _login, tokenFile: _tokenFile, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as SandboxLink;
  writeFileSync(file, JSON.stringify(rest));
}
