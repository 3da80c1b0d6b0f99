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
import { IdentityError, loginHint } from '../../app/grading.js';
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
    // A class config that leaves the identity to the machine (its login, or the variables of a service principal).
    const config = { ...sandbox.config, azure: { ...sandbox.config.azure!, credential: 'default' as const } };
    const run = gradeConfig(config, {
      classRun: classRun({ journal: { file: journal, auto: false } }),
      reports: [{ format: 'json', file: gradebook }],
      runtime: { credential: notLoggedIn },
    });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(
      /^the Azure identity could not get a token: run `az login` \(or set AZURE_CLIENT_ID\/AZURE_TENANT_ID\/AZURE_CLIENT_SECRET\), then run again \(DefaultAzureCredential failed to retrieve a token .*\)$/,
    );
    expect(contacts()).toEqual(before);
    expect(readFileSync(gradebook, 'utf8')).toBe('{"from":"an earlier run"}\n');
    expect(existsSync(journal)).toBe(false);
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it('a chain of credentials failing with a line per credential stops the run with one bounded line, how to log in first', async () => {
    // What ChainedTokenCredential (DefaultAzureCredential's base) rejects with: a line per credential tried.
    const sources = ['EnvironmentCredential', 'WorkloadIdentityCredential', 'ManagedIdentityCredential', 'AzureCliCredential', 'AzurePowerShellCredential', 'AzureDeveloperCliCredential'];
    const chained: TokenCredential = {
      getToken: () =>
        Promise.reject(
          new Error(
            ['ChainedTokenCredential authentication failed.', ...sources.map((s) => `CredentialUnavailableError: ${s} is unavailable. ${'Install it, or sign in with it. '.repeat(4)}`)].join('\n'),
          ),
        ),
    };
    const config = { ...sandbox.config, azure: { ...sandbox.config.azure!, credential: 'default' as const } };
    const error = await gradeConfig(config, { classRun: classRun({ journal: { auto: false } }), runtime: { credential: chained } }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error).toBeInstanceOf(ConfigError);
    // The CLI writes `lab-grade: <message>` on stderr: one line, the fix before the cause.
    const message = error!.message;
    expect(message.split('\n')).toHaveLength(1);
    expect(
      message.startsWith(
        `the Azure identity could not get a token: ${loginHint(config)}, then run again (ChainedTokenCredential authentication failed. CredentialUnavailableError: EnvironmentCredential is unavailable.`,
      ),
    ).toBe(true);
    expect(message.endsWith('…)')).toBe(true);
    expect((error as IdentityError).problem.length).toBeLessThanOrEqual(400);
  });

  it('a class config naming a service principal or a token: the hint names those keys of that file, not az login', async () => {
    const file = join(dir, 'class.yaml');
    const badSecret: TokenCredential = {
      getToken: () => Promise.reject(new Error('ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided.')),
    };
    const spConfig = { ...sandbox.config, file };
    await expect(gradeConfig(spConfig, { classRun: classRun({ journal: { auto: false } }), runtime: { credential: badSecret } })).rejects.toThrow(
      `: check azure.tenant, azure.clientId and azure.clientSecret in ${file} (a secret that expired or was reset is refused too), then run again`,
    );
    const tokenConfig = { ...sandbox.config, file, azure: { ...sandbox.config.azure!, credential: 'token' as const } };
    await expect(gradeConfig(tokenConfig, { classRun: classRun({ journal: { auto: false } }), runtime: { credential: badSecret } })).rejects.toThrow(
      `: replace azure.token in ${file}: ARM tokens expire after about an hour (az account get-access-token prints a new one), then run again`,
    );
  });

  it('one student, without a pre-flight, is graded as far as the VM goes and ends incomplete', async () => {
    const outcome = await gradeConfig(sandbox.config, { users: [cls.users[0]], classRun: classRun({ journal: { auto: false } }), runtime: { credential: notLoggedIn } });
    expect(outcome.exitCode).toBe(3);
    const checks = new Map(outcome.run.students[0].checks.map((c) => [c.id, c.status]));
    expect(checks.get('ex1.docker.usable')).toBe('pass');
    expect(checks.get('ex3.cluster.exists')).toBe('error');
  });
});
