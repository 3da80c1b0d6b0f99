/**
 * Mistakes on the command line, as a user makes them: each is a usage error (exit 2) that says what
 * was probably meant, and nothing is graded.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-usage-'));
const config = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('did you mean', () => {
  it('a mistyped command', async () => {
    const r = await runCli(['histroy'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('lab-grade: Unknown argument: histroy (did you mean the command "history"?)\n');
  });

  it('a mistyped option', async () => {
    const r = await runCli(['--usr', 'labuser01', '-c', config('a.yaml', 'roster: [labuser01]\n')], { cwd: dir });
    expect(r.code).toBe(2);
    // Named as it was typed (yargs says "usr").
    expect(r.stderr).toBe('lab-grade: Unknown argument: --usr (did you mean "--user"?)\n');
  });

  it('merge without files says what it needs', async () => {
    const r = await runCli(['merge', '-r', 'console'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('lab-grade: merge: name the files to merge: JSON reports (-r json=FILE), journals or ledgers (lab-grade merge results/shard-*.json -r console)\n');
  });

  it('a mistyped reporter', async () => {
    const r = await runCli(['-c', config('b.yaml', 'roster: [labuser01]\n'), '-r', 'jsno'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--reporter: unknown reporter "jsno" (did you mean "json"?); available: console, json');
  });

  it('a mistyped key of the class config', async () => {
    const file = config('c.yaml', 'roster: [labuser01]\ntimeout: { vm: 5 }\n');
    const r = await runCli(['-c', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: timeout: unknown key (did you mean "timeouts"?)`);
  });
});

describe('reports', () => {
  it('two reports on stdout are refused before anything is graded', async () => {
    const r = await runCli(['-c', config('d.yaml', 'roster: [labuser01]\n'), '-r', 'console', '-r', 'json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('lab-grade: --reporter: console and json would both write to stdout, one after the other; give all but one a file (NAME=FILE)\n');
    expect(r.stdout).toBe('');
  });
});
