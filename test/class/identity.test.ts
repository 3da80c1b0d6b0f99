/**
 * The grader not logged in to Azure: a class run stops before any student is contacted, any journal
 * written or any report replaced, with the one line that fixes it; a single student (no pre-flight)
 * is still graded as far as it can be.
 */
import type { TokenCredential } from '@azure/core-auth';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../checks/index.js';
import { ConfigError } from '../../core/errors.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import { writeClass, type GeneratedClass } from '../support/class.js';
import { classRun, gradeConfig } from '../support/grading.js';

/** What DefaultAzureCredential rejects with when no source has a login (its message, shortened). */
const notLoggedIn: TokenCredential = {
  getToken: () => Promise.reject(new Error("DefaultAzureCredential failed to retrieve a token from the included credentials. AzureCliCredential: Please run 'az login' to set up an account")),
};

let cls: GeneratedClass;
let sandbox: Sandbox;
let dir = '';
/** Every student's requests so far, all services together: equal before and after means nobody was contacted. */
const contacts = () => cls.users.map((u) => sandbox.traffic(u)).map((t) => t.arm + t.registry + t.kube + t.http + t.ssh.connections);

beforeAll(async () => {
  cls = writeClass(3, { templates: ['01-perfect.yaml', '08-barely-started.yaml'] });
  dir = mkdtempSync(join(tmpdir(), 'lab-grade-identity-'));
  sandbox = await startSandbox(loadScenarios([cls.dir], CHECK_IDS));
}, 60_000);
afterAll(() => sandbox?.stop());

describe('the Azure identity cannot get a token', () => {
  it('a class run stops at once with how to log in: nobody contacted, no journal, the old gradebook in place', async () => {
    const gradebook = join(dir, 'grades.json');
    writeFileSync(gradebook, '{"from":"an earlier run"}\n');
    const journal = join(dir, 'journal.jsonl');
    const before = contacts();
    const run = gradeConfig(sandbox.config, {
      classRun: classRun({ journal: { file: journal, auto: false } }),
      reports: [{ format: 'json', file: gradebook }],
      runtime: { credential: notLoggedIn },
    });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(
      /^the Azure identity could not get a token \(DefaultAzureCredential failed to retrieve a token .*\): run `az login` \(or set AZURE_CLIENT_ID\/AZURE_TENANT_ID\/AZURE_CLIENT_SECRET\), then run again$/,
    );
    expect(contacts()).toEqual(before);
    expect(readFileSync(gradebook, 'utf8')).toBe('{"from":"an earlier run"}\n');
    expect(existsSync(journal)).toBe(false);
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it('one student, without a pre-flight, is graded as far as the VM goes and ends incomplete', async () => {
    const outcome = await gradeConfig(sandbox.config, { users: [cls.users[0]], classRun: classRun({ journal: { auto: false } }), runtime: { credential: notLoggedIn } });
    expect(outcome.exitCode).toBe(3);
    const checks = new Map(outcome.run.students[0].checks.map((c) => [c.id, c.status]));
    expect(checks.get('ex1.docker.usable')).toBe('pass');
    expect(checks.get('ex3.cluster.exists')).toBe('error');
  });
});
