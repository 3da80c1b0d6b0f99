/**
 * `npm run bundle` writes one file that needs nothing but Node. Copied alone into an empty folder
 * with no node_modules above it, it answers --help, --version and `checks` as the normal build does,
 * grades the built-in simulated class as the scenarios' expect: blocks say (and as the normal build's
 * demo does), runs the simulated lab, grades a class through it, runs a workshop (live, merge, the
 * dashboard) and checks a student's own progress. It is also the `lab-grade` command the package installs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import type { RunResult } from '../core/model.js';
import { packagePath } from '../core/paths.js';
import { loadBuiltInClass } from '../sandbox/scenario.js';
import { BUNDLE_FILE } from './bundle.js';
import { buildBundleWithNpm } from '../test/support/bundle.js';
import { verdictDifferences, verdictsOf } from '../test/support/class.js';
import { runCli, type CliResult } from '../test/support/cli.js';
import { until } from '../test/support/until.js';

// The one file alone in its folder; what the runs write goes to the folder above (their working folder).
const folder = mkdtempSync(join(tmpdir(), 'lab-grade-one-file-'));
const scriptFolder = join(folder, 'download');
const script = join(scriptFolder, 'lab-grade.mjs');
const expected = new Map(loadBuiltInClass(CHECK_IDS).map((s) => [s.user, s.expect]));
const version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;

// Nothing from this machine's Node set-up may help the one file find a module.
const bare = { NODE_PATH: undefined, NODE_OPTIONS: undefined };
const oneFile = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> =>
  runCli(args, { script, cwd: opts.cwd ?? folder, env: { ...bare, ...opts.env }, timeoutMs: 120_000 });
const normalBuild = (args: string[]): Promise<CliResult> => runCli(args, { cwd: folder, timeoutMs: 120_000 });

/** Each student's check statuses that differ from the scenario's expect: block. */
function unexpected(run: RunResult, skippedHere: (id: string) => boolean = () => false): string[] {
  return run.students.flatMap((s) => s.checks.filter((c) => c.status !== (skippedHere(c.id) ? 'skipped' : expected.get(s.user)![c.id])).map((c) => `${s.user} ${c.id}: ${c.status} (${c.message})`));
}

/** `lab-grade sandbox --out OUT` run by the one file, resolved once it is serving. */
async function startLab(out: string): Promise<{ lab: ChildProcess; output: () => string }> {
  let said = '';
  const lab = spawn(process.execPath, [script, 'sandbox', '--out', out], { cwd: folder, env: { ...process.env, ...bare }, stdio: ['ignore', 'pipe', 'pipe'] });
  lab.stdout!.on('data', (d) => (said += d));
  lab.stderr!.on('data', (d) => (said += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulated lab did not start: ${said}`)), 60_000);
    lab.once('exit', (code) => reject(new Error(`the simulated lab exited (${code}): ${said}`)));
    lab.stdout!.on('data', () => said.includes('Ctrl-C stops everything') && (clearTimeout(timer), resolve()));
  });
  return { lab, output: () => said };
}

beforeAll(() => {
  mkdirSync(scriptFolder);
  copyFileSync(buildBundleWithNpm(), script);
}, 200_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the one-file bundle, alone in an empty folder', () => {
  it('is the `lab-grade` command the package installs, built by `npm ci`', () => {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(packagePath(pkg.bin['lab-grade'])).toBe(BUNDLE_FILE);
    // `npm ci` runs `prepare`, which runs `build`: the compiled tree, then this file.
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.build).toContain('bundle/run.ts');
    expect(readFileSync(BUNDLE_FILE, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(BUNDLE_FILE).mode & 0o111).toBe(0o111);
  });

  it('runs as `npx --offline lab-grade` in the package folder at once, as the README says', () => {
    // The first npx in a folder installs it as a linked package and runs its `prepare`, which would
    // rebuild dist/ under the other test files' feet; the command it then runs is the same.
    const env = { ...process.env, npm_config_ignore_scripts: 'true' };
    const r = spawnSync('npx', ['--offline', 'lab-grade', '--version'], { cwd: packagePath(), encoding: 'utf8', timeout: 60_000, env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('is one file of at most 5 MB, with no node_modules or package.json in any folder above it', () => {
    expect(statSync(script).size).toBeLessThanOrEqual(5 * 1024 * 1024);
    // The notices of the packages inside travel with it.
    const text = readFileSync(script, 'utf8');
    const notices = text.slice(text.lastIndexOf('lab-grade includes these packages; their licences follow.'));
    expect(notices).toContain('ssh2@1.17.0 (MIT)');
    expect(notices).toContain('@kubernetes/client-node@2.0.1 (Apache-2.0)');
    expect(notices).toMatch(/---- yargs@18\.2\.0 ----\nMIT License\s+Copyright 2010 James Halliday/);
    expect(readdirSync(scriptFolder)).toEqual(['lab-grade.mjs']);
    for (let dir = scriptFolder; ; dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false);
      expect(existsSync(join(dir, 'package.json')), `${dir}/package.json`).toBe(false);
      if (dirname(dir) === dir) break;
    }
  });

  it('answers --help, --version and checks exactly as the normal build does', async () => {
    for (const args of [['--help'], ['--version'], ['checks']]) {
      const [bundled, normal] = [await oneFile(args), await normalBuild(args)];
      expect(bundled, args.join(' ')).toEqual(normal);
      expect(bundled.code).toBe(0);
    }
    expect((await oneFile(['--version'])).stdout).toBe(`${version}\n`);
    expect((await oneFile(['checks'])).stdout).toContain('29 checks: 34 required points, up to 5 bonus; pass mark 70 %');
  }, 120_000);

  it('demo grades the built-in class as its expect: blocks say, as the normal build does', async () => {
    const bundled = await oneFile(['demo', '--reporter', 'json=bundled.json']);
    expect(bundled.code, bundled.stderr).toBe(3); // labuser10 has no VM: incomplete
    const normalReport = join(folder, 'normal', 'normal.json');
    mkdirSync(dirname(normalReport));
    const normal = await normalBuild(['demo', '--reporter', `json=${normalReport}`]);
    expect(normal.code, normal.stderr).toBe(3);

    const run = JSON.parse(readFileSync(join(folder, 'bundled.json'), 'utf8')) as RunResult;
    expect(run.grader.version).toBe(version);
    expect(run.students.map((s) => s.user)).toEqual([...expected.keys()]);
    expect(unexpected(run)).toEqual([]);
    expect(verdictDifferences(verdictsOf(run.students), verdictsOf((JSON.parse(readFileSync(normalReport, 'utf8')) as RunResult).students))).toEqual([]);
  }, 240_000);
});

describe('the one-file bundle runs the simulated lab', () => {
  const out = join(folder, 'lab');
  let lab: ChildProcess | undefined;

  beforeAll(async () => {
    lab = (await startLab(out)).lab;
  }, 90_000);
  afterAll(() => {
    lab?.kill('SIGKILL');
  });

  it('grades students of the class config it writes', async () => {
    const graded = await oneFile(['--config', join(out, 'lab-grade.yaml'), '--user', 'labuser01', '--user', 'labuser05', '--reporter', 'json', '--no-journal']);
    expect(graded.code, graded.stderr).toBe(1); // labuser05 is below the pass mark
    const run = JSON.parse(graded.stdout) as RunResult;
    expect(run.students.map((s) => s.user)).toEqual(['labuser01', 'labuser05']);
    expect(unexpected(run)).toEqual([]);
  }, 120_000);

  it("checks a student's own progress: Azure and the cluster from here, the VM's exercises not", async () => {
    const student = mkdtempSync(join(folder, 'student-'));
    const env = { HOME: student, USER: 'someone', LAB_GRADE_HOME: join(student, '.lab-grade') };
    // The command `lab-grade sandbox` prints for a self-check, run by the one file.
    const checked = await oneFile(['--sandbox', out, '--user-name', 'labuser01', '--reporter', 'json'], { cwd: student, env });
    expect(checked.code, checked.stderr).toBe(0);
    const run = JSON.parse(checked.stdout) as RunResult;
    expect(run.students.map((s) => [s.user, s.score, s.maxScore])).toEqual([['labuser01', 27, 34]]);
    expect(unexpected(run, (id) => /^ex[12]\./.test(id))).toEqual([]);
    expect(existsSync(join(student, '.lab-grade', 'history.jsonl'))).toBe(true);
  }, 120_000);

  it('runs a workshop: a live round into its ledger, the gradebook merged from it, the dashboard served by --follow', async () => {
    const ledger = join(folder, 'workshop.jsonl');
    const round = await oneFile(['live', '-c', join(out, 'lab-grade.yaml'), '--rounds', '1', '--port', '0', '--ledger', ledger]);
    expect(round.code, round.stderr).toBe(3); // labuser10 has no VM: incomplete
    expect(round.stderr).toContain('Round 1: 11 students graded');
    const graded = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; round?: number; student?: { user: string } })
      .filter((l) => l.type === 'student');
    expect(graded.map((l) => [l.round, l.student!.user])).toEqual(expect.arrayContaining([...expected.keys()].map((user) => [1, user])));
    expect(graded).toHaveLength(expected.size);

    const merged = await oneFile(['merge', ledger, '--credit', 'earned', '-r', 'csv=grades.csv']);
    expect(merged.code, merged.stderr).toBe(3);
    const rows = readFileSync(join(folder, 'grades.csv'), 'utf8').trim().split('\n');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual([...expected.keys()]);

    const follower = spawn(process.execPath, [script, 'live', '--follow', ledger, '--port', '0'], { cwd: folder, env: { ...process.env, ...bare }, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    follower.stderr!.on('data', (d) => (said += d));
    const exited = new Promise<number | null>((resolve) => follower.once('exit', (code) => resolve(code)));
    try {
      const url = await until("the dashboard's address on stderr", () => /^Dashboard: (http:\S+)$/m.exec(said)?.[1], 30_000);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('data-page="class"');
      const snapshot = (await (await fetch(new URL('api/class', url))).json()) as { graded: number; incomplete: number };
      expect([snapshot.graded, snapshot.incomplete]).toEqual([expected.size, 1]);
    } finally {
      follower.kill('SIGINT');
    }
    expect(await exited).toBe(130);
  }, 120_000);

  it('stops on Ctrl-C', async () => {
    // A lab of its own: the other tests keep theirs, whatever order they run in.
    const { lab: own, output } = await startLab(join(folder, 'lab-stopped'));
    const exited = new Promise<number | null>((resolve) => own.once('exit', (code) => resolve(code)));
    own.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output()).toContain('stopped');
  }, 90_000);
});
