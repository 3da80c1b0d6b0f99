/** `lab-grade checks` lists the lab profile in force: the class config's, one given with --profile, or the built-in one. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../checks/index.js';
import { runCli } from '../test/support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-checks-'));
writeFileSync(join(dir, 'variant.yaml'), 'extends: builtin\npassMark: 60\nchecks:\n  ex7.tiller: { enabled: false }\n  ex6.app.e2e: { points: 5 }\n');
writeFileSync(join(dir, 'class.yaml'), 'roster: [labuser01]\nprofile: variant.yaml\nvm:\n  host: "{user}.example"\n  password: { env: NOT_SET_ANYWHERE }\n');

interface Listed {
  profile: { file: string | null; builtIn: boolean; lab: string; passMark: number; bonusCap: number | null };
  totals: { required: number; bonus: number };
  checks: Array<{ id: string; exercise: number; title: string; points: number; bonus: number; enabled: boolean; reasons: Array<{ code: string; summary: string }> }>;
}

describe('lab-grade checks', () => {
  it("lists the class config's profile with -c (reading nothing else of the config)", async () => {
    const r = await runCli(['checks', '-c', join(dir, 'class.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`Lab profile: ${join(dir, 'variant.yaml')}, the profile of ${join(dir, 'class.yaml')}`);
    expect(r.stdout).toMatch(/^ex6\.app\.e2e +5 {2}The app works through the external IP$/m);
    expect(r.stdout).toMatch(/^ex7\.tiller +off {2}Helm 2: tiller runs as cluster-admin$/m);
    expect(r.stdout).toContain('28 checks (1 switched off): 36 required points, up to 5 bonus; pass mark 60 %');
  });

  it('uses ./lab-grade.yaml when there is one, and --profile over it', async () => {
    writeFileSync(join(dir, 'lab-grade.yaml'), 'roster: [labuser01]\nprofile: variant.yaml\n');
    const here = await runCli(['checks'], { cwd: dir });
    expect(here.stdout.split('\n')[0]).toBe(`Lab profile: ${join(dir, 'variant.yaml')}, the profile of lab-grade.yaml`);
    const given = await runCli(['checks', '--profile', join(dir, 'variant.yaml')]);
    expect(given.stdout.split('\n')[0]).toBe(`Lab profile: ${join(dir, 'variant.yaml')}, given with --profile`);
  });

  it('-r json: every check with exercise, title, points, bonus, on or off, and its reason codes with summaries', async () => {
    const r = await runCli(['checks', '-r', 'json', '--profile', join(dir, 'variant.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Listed;
    expect(doc.profile).toMatchObject({ file: join(dir, 'variant.yaml'), builtIn: false, lab: 'aks-greetings', passMark: 60, bonusCap: 5 });
    expect(doc.totals).toEqual({ required: 36, bonus: 5 });
    expect(doc.checks.map((c) => c.id).sort()).toEqual(ALL_CHECKS.map((c) => c.id).sort());
    expect(doc.checks.find((c) => c.id === 'ex7.tiller')).toMatchObject({ enabled: false, points: 0 });
    expect(doc.checks.find((c) => c.id === 'ex7.helm.release')).toMatchObject({ exercise: 7, points: 0, bonus: 2, enabled: true });
    expect(doc.checks.find((c) => c.id === 'ex6.myapp.deployment')!.reasons).toContainEqual({ code: 'LG-605', summary: 'Deployment myapp has replicas unavailable' });
    const builtIn = JSON.parse((await runCli(['checks', '-r', 'json'])).stdout) as Listed;
    expect(builtIn.profile).toMatchObject({ file: null, builtIn: true, passMark: 70 });
  });
});
