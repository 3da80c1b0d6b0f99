/**
 * Report files and what cannot be written: a report on a full file system (a 8 KiB tmpfs mounted in a
 * mount namespace of the test's own, `unshare -rm`, so nothing outside the test sees it) is named,
 * the others are written and the run exits 4, leaving the old report and no temporary file; two reports
 * (or a report and the journal) on one file are a usage error before anything is graded.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../core/paths.js';
import { runCli } from '../support/cli.js';
import { writeClass } from '../support/class.js';

const BIN = packagePath('dist', 'bin', 'lab-grade.js');

describe('a report that cannot be written', () => {
  it('on a full file system: named, the other reports written, exit 4, the old report intact and no temporary file left', () => {
    const work = mkdtempSync(join(tmpdir(), 'lab-grade-full-'));
    const full = join(work, 'full');
    mkdirSync(full);
    const cls = writeClass(2, { templates: ['01-perfect.yaml', '08-barely-started.yaml'] });
    const script = [
      'mount -t tmpfs -o size=8k tmpfs "$FULL" || exit 97',
      'printf old > "$FULL/grades.json"',
      '"$NODE" "$BIN" demo --scenarios "$CLASS" -r json="$FULL/grades.json" -r csv="$WORK/grades.csv"',
      'echo "exit=$?"',
      'echo "json=$(cat "$FULL/grades.json")"',
      'echo "files=$(ls -A "$FULL" | tr "\\n" " ")"',
    ].join('\n');
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', script], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FULL: full, NODE: process.execPath, BIN, CLASS: cls.dir, WORK: work },
      timeout: 90_000,
    });
    expect(r.error, 'unshare(1) must be able to make a mount namespace here').toBeUndefined();
    expect(r.stdout, r.stderr).toContain('exit=4');
    expect(r.stderr).toMatch(new RegExp(`lab-grade: warning: the report ${full}/grades.json was not written: ENOSPC`));
    expect(r.stdout).toContain('json=old');
    expect(r.stdout).toContain('files=grades.json \n');
    const rows = readFileSync(join(work, 'grades.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(3); // the header and both students
  }, 120_000);
});

describe('two reports on one file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-same-file-'));
  const config = join(dir, 'class.yaml');
  writeFileSync(config, 'roster: [a1, a2]\n');
  mkdirSync(join(dir, 'out'));
  symlinkSync(join(dir, 'out'), join(dir, 'link'));
  symlinkSync('out/g.json', join(dir, 'g-link.json'));

  writeFileSync(join(dir, 'students.csv'), 'user\na1\n');
  writeFileSync(join(dir, 'csv-roster.yaml'), 'roster: students.csv\n');

  it.each([
    ['the same path', ['-r', 'json=out/g.json', '-r', 'csv=out/g.json'], 'json and csv both write to out/g.json'],
    ['two spellings', ['-r', 'json=out/g.json', '-r', 'csv=./out/../out/g.json'], 'json and csv both write to ./out/../out/g.json (out/g.json)'],
    ['a folder through a symbolic link', ['-r', 'json=out/g.json', '-r', 'csv=link/g.json'], 'json and csv both write to link/g.json (out/g.json)'],
    ['a symbolic link to the other', ['-r', 'json=out/g.json', '-r', 'csv=g-link.json'], 'json and csv both write to g-link.json (out/g.json)'],
    ['the journal', ['-r', 'json=run.jsonl', '--journal', 'run.jsonl'], 'json would replace the journal run.jsonl when the run ends; give the report another file'],
    ['the class config', ['-r', 'json=./class.yaml'], 'json would replace the class config ./class.yaml when the run ends; give the report another file'],
    ['its roster CSV', ['-c', 'csv-roster.yaml', '-r', 'csv=students.csv'], 'csv would replace the roster students.csv when the run ends; give the report another file'],
  ])('%s is a usage error (exit 2) before anything is graded', async (_what, args, message) => {
    const r = await runCli(args.includes('-c') ? args : ['-c', config, ...args], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`lab-grade: --reporter: ${message}\n`);
    expect(readFileSync(join(dir, 'students.csv'), 'utf8')).toBe('user\na1\n');
    expect(readFileSync(config, 'utf8')).toBe('roster: [a1, a2]\n');
  });
});

describe("a report's place", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-report-place-'));
  const config = join(dir, 'class.yaml');
  writeFileSync(config, 'roster: [a1, a2]\n');
  mkdirSync(join(dir, 'a-folder'));
  spawnSync('mkfifo', [join(dir, 'a-pipe')]);

  it.each([
    ['a folder', 'a-folder', 'a-folder: the csv report must be a regular file (or a new one); this is a folder'],
    ['a named pipe (its reader would get nothing: the pipe itself would be replaced)', 'a-pipe', 'a-pipe: the csv report must be a regular file (or a new one); this is a named pipe'],
    ['/dev/stdout', '/dev/stdout', '/dev/stdout: the csv report cannot replace a special file (in /dev, /proc or /sys); for standard output give the reporter without a file (-r csv)'],
  ])('%s is a usage error (exit 2) before anything is graded', async (_what, file, message) => {
    const r = await runCli(['-c', config, '-r', `csv=${file}`], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`lab-grade: ${message}\n`);
  });

  it('a report named through a symbolic link is written to its target; the link stays a link', async () => {
    const cls = writeClass(1, { templates: ['01-perfect.yaml'] });
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'grades.csv'), 'old');
    symlinkSync('real/grades.csv', join(dir, 'grades.csv'));
    const r = await runCli(['demo', '--scenarios', cls.dir, '-r', 'csv=grades.csv'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'grades.csv')).isSymbolicLink()).toBe(true);
    expect(
      readFileSync(join(dir, 'real', 'grades.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2); // the header and the student
    expect(readdirSync(join(dir, 'real'))).toEqual(['grades.csv']);
  }, 120_000);
});
