/**
 * The Azure login `selfcheck.json` gives a self-check against the simulated lab: the directory's token
 * service and the client signed in to it, which yield a token for whichever audience is asked (as after
 * `az login`); a folder written before holds one fixed ARM token (`tokenFile`), and still signs in.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult, RunResult } from '../../core/model.js';
import { packagePath } from '../../core/paths.js';
import { AKS_SERVER_APP_ID, AUDIENCES } from '../../sandbox/entra/tokens.js';
import { holdClosedPort } from '../../sandbox/listen.js';
import { collectedNotices } from '../../test/support/notices.js';
import { sandboxRequest, useSelfCheckLab } from '../../test/support/selfcheck-sandbox.js';
import { SELFCHECK_FILE, sandboxSettings, type SandboxLink } from './sandbox-link.js';
import { selfCheck } from './selfcheck.js';

const lab = useSelfCheckLab(packagePath('fixtures', 'scenarios', '01-perfect.yaml'));

/** A copy of the lab's folder whose selfcheck.json is changed by `edit`. */
function folderWith(edit: (link: SandboxLink) => SandboxLink): string {
  const dir = mkdtempSync(join(lab.root, 'folder-'));
  cpSync(lab.out, dir, { recursive: true });
  const file = join(dir, SELFCHECK_FILE);
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')) as SandboxLink)));
  return dir;
}

/** An older folder: one fixed ARM token instead of the directory's login. */
const olderFolder = () => folderWith(({ login: _login, ...link }) => ({ ...link, tokenFile: 'azure-token' }));

describe("selfcheck.json's Azure login", () => {
  it('asks the simulated directory for a token of each audience, signed by it: ARM, the AKS server application', async () => {
    const credential = await sandboxSettings(lab.out, lab.scenario.user).login!();
    for (const audience of [AUDIENCES.arm[3], AKS_SERVER_APP_ID]) {
      const token = await credential!.getToken(`${audience}/.default`);
      expect(lab.sandbox.entra.signer.verify(token!.token)).toMatchObject({ aud: audience, appid: lab.sandbox.entra.clientId, tid: lab.sandbox.entra.tenantId });
    }
  });

  it("an older folder's single token (tokenFile) still signs the student in: Exercises 3-7 as a full grading has them", async () => {
    const home = mkdtempSync(join(lab.root, 'home-'));
    const json = join(home, 'result.json');
    await selfCheck(sandboxRequest(lab, { sandbox: olderFolder(), reports: [{ format: 'json', file: json }] }), {
      stdout: { write: () => undefined, color: false, isTTY: false },
      notices: collectedNotices(),
      home,
      env: { USER: lab.scenario.user, LAB_GRADE_HOME: join(home, '.lab-grade') },
    });
    const checks: CheckResult[] = (JSON.parse(readFileSync(json, 'utf8')) as RunResult).students[0].checks.filter((c) => /^ex[3-7]\./.test(c.id));
    const expected = Object.fromEntries(Object.entries(lab.scenario.expect).filter(([id]) => /^ex[3-7]\./.test(id)));
    expect(Object.fromEntries(checks.map((c) => [c.id, c.status]))).toEqual(expected);
  }, 60_000);

  it('a lab no longer running: its directory refuses, and the sign-in says so (not "run az login")', async () => {
    const closed = await holdClosedPort();
    try {
      const dir = folderWith((link) => ({ ...link, login: { ...link.login!, authorityHost: `https://127.0.0.1:${closed.port}` } }));
      await expect(sandboxSettings(dir, lab.scenario.user).login!()).rejects.toMatchObject({
        name: 'ConfigError',
        key: '--sandbox',
        message: expect.stringContaining('is `lab-grade sandbox` still running?') as string,
      });
    } finally {
      closed.release();
    }
  });

  it('both a login and a token file: refused, naming the file and the key', () => {
    const dir = folderWith((link) => ({ ...link, tokenFile: 'azure-token' }));
    expect(() => sandboxSettings(dir, lab.scenario.user)).toThrow(expect.objectContaining({ name: 'ConfigError', file: join(dir, SELFCHECK_FILE), key: 'tokenFile' }));
  });
});
