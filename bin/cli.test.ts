import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/support/cli.js';
import { ALL_CHECKS } from '../checks/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-cli-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('lab-grade CLI', () => {
  it('--help shows commands and examples', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('lab-grade demo');
    expect(r.stdout).toContain('--only');
    expect(r.stdout).toContain('Examples:');
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(version);
  });

  it('checks lists every rubric check with its points', async () => {
    const r = await runCli(['checks']);
    expect(r.code).toBe(0);
    for (const c of ALL_CHECKS) expect(r.stdout).toContain(c.id);
    expect(r.stdout).toMatch(/ex6\.app\.e2e\s+3\s+The app works through the external IP/);
    expect(r.stdout).toMatch(/ex7\.helm\.release\s+\+2 bonus/);
    expect(r.stdout).toContain('34 required points, up to 5 bonus; pass mark 70 %');
  });

  it('a missing config is exit 2 naming the file', async () => {
    const r = await runCli(['--config', join(dir, 'nope.yaml')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'nope.yaml')}: file not found`);
  });

  it('a malformed config is exit 2 with line and column', async () => {
    const f = write('bad.yaml', 'roster:\n  - labuser01\nvm: [unclosed\n');
    const r = await runCli(['--config', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml: invalid YAML at line \d+, column \d+/);
  });

  it('an unknown key is exit 2 naming file and key', async () => {
    const f = write('typo.yaml', 'roster: [labuser01]\nresourcegroup: "{user}-rg"\n');
    const r = await runCli(['--config', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('typo.yaml: resourcegroup: unknown key');
  });

  it('a password written in the config is refused', async () => {
    const f = write('pw.yaml', 'roster: [labuser01]\nvm:\n  host: "{user}.example"\n  password: hunter22\n');
    const r = await runCli(['--config', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pw.yaml: vm.password: must not be written in the config');
    expect(r.stderr).not.toContain('hunter22');
  });

  it('an unknown user is exit 2 listing the roster', async () => {
    const f = write('ok.yaml', 'roster: [labuser01, labuser02]\n');
    const r = await runCli(['--config', f, '--user', 'labuser99']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown user "labuser99"; the roster has: labuser01, labuser02');
  });

  it('an unknown --only id is exit 2', async () => {
    const f = write('ok2.yaml', 'roster: [labuser01]\n');
    const r = await runCli(['--config', f, '--only', 'ex9.nothing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--only: unknown check or exercise "ex9.nothing"');
  });

  it('an unknown reporter is exit 2 listing the reporters', async () => {
    const f = write('ok3.yaml', 'roster: [labuser01]\n');
    const r = await runCli(['--config', f, '--reporter', 'pdf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--reporter: unknown reporter "pdf"; available: console, json, junit, markdown/);
  });

  it('an unwritable output file is exit 2', async () => {
    const f = write('ok4.yaml', 'roster: [labuser01]\n');
    const r = await runCli(['--config', f, '--reporter', `json=${join(dir, 'no', 'such', 'dir', 'out.json')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot write the output file');
  });

  it.each([
    [['-j', 'abc'], '--concurrency: expected a whole number from 1 to 1000, got "abc"'],
    [['--concurrency', '2.5'], '--concurrency: expected a whole number from 1 to 1000, got 2.5'],
    // Node's timers fire at once beyond 2^31 ms (24.8 days): a day is the most any of them takes.
    [['--student-timeout', '3000000'], '--student-timeout: expected a number from 1 to 86400, got 3000000'],
    [['--wait', '2147484'], '--wait: expected a number from 0 to 86400, got 2147484'],
    [['--regrade'], '--regrade: grades again the students of a journal: use it with --resume FILE or --rerun-incomplete FILE'],
  ])('%j is exit 2 naming the flag and the value given', async (args, message) => {
    const r = await runCli(['--config', write('ok6.yaml', 'roster: [a1, a2]\n'), ...args], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`lab-grade: ${message}\n`);
  });

  it('a bad option value is exit 2', async () => {
    const r = await runCli(['--wait', 'soon', '--config', write('ok5.yaml', 'roster: [a1]\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--wait/);
  });
});
