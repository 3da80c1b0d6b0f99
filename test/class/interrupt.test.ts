/**
 * A class run stopped for real, as a user stops it: `lab-grade demo` in a child process with a CSV
 * gradebook written over a good one from an earlier run.
 * - Ctrl-C (SIGINT) and SIGTERM: the old gradebook is unchanged, no temporary file is left, stderr has the
 *   exact command that resumes the run, and that command (run by a shell as printed) finishes the class.
 * - kill -9: the old gradebook is intact; the next run removes the dead run's temporary file.
 * - The reader of stdout going away (`| head -1`): the run finishes with its own exit code and its file
 *   reports, without an EPIPE stack trace.
 * - A journal that is a device: refused at once, not read forever.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../core/paths.js';
import { runCli } from '../support/cli.js';
import { writeClass, type GeneratedClass } from '../support/class.js';

const BIN = packagePath('dist', 'bin', 'lab-grade.js');
const OLD_GRADEBOOK = 'user,score\nfrom-an-earlier-run,42\n';
let cls: GeneratedClass;

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** ms from the signal to the exit */
  stopMs: number;
}

const studentLines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{"type":"student"')).length
    : 0;

/** Runs lab-grade in `cwd`; once `after` students are journaled, sends `signal`. */
function runAndStop(args: string[], cwd: string, journal: string, after: number, signal: NodeJS.Signals): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    let sentAt = 0;
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (!sentAt && studentLines(join(cwd, journal)) >= after) {
        sentAt = Date.now();
        child.kill(signal);
      }
    }, 25);
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      clearTimeout(timer);
      if (!sentAt) reject(new Error(`the run ended by itself (${sig ?? code}) before it could be stopped\n${stderr}`));
      else resolve({ code, signal: sig, stderr, stopMs: Date.now() - sentAt });
    });
  });
}

/** Runs a command line as printed, in a shell where `lab-grade` is this package's binary. */
function runPrinted(command: string, cwd: string) {
  const r = spawnSync('bash', ['-c', `lab-grade() { "${process.execPath}" "${BIN}" "$@"; }\n${command}`], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'));
const gradebookRows = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1);

beforeAll(() => {
  // Eight students, a third of a second per answer: a run lasts long enough to be stopped in the middle.
  cls = writeClass(8, { templates: ['01-perfect.yaml', '08-barely-started.yaml'], faults: { latencyMs: 300 } });
});

describe('a class run stopped mid-run', () => {
  it.each([['SIGINT', 130] as const, ['SIGTERM', 143] as const])(
    '%s: the old gradebook is unchanged, nothing is left behind, and the printed command finishes the class',
    async (signal, exitCode) => {
      const work = mkdtempSync(join(tmpdir(), 'lab-grade-stop-'));
      writeFileSync(join(work, 'grades.csv'), OLD_GRADEBOOK);
      const args = ['demo', '--scenarios', cls.dir, '-j', '2', '-r', 'csv=grades.csv', '--journal', 'run.jsonl'];
      const stopped = await runAndStop(args, work, 'run.jsonl', 2, signal);

      expect(stopped.code, stopped.stderr).toBe(exitCode);
      expect(stopped.stopMs).toBeLessThan(5_000);
      expect(readFileSync(join(work, 'grades.csv'), 'utf8')).toBe(OLD_GRADEBOOK);
      expect(leftovers(work)).toEqual([]);
      const printed = /lab-grade: stopped; resume with `([^`]+)`/.exec(stopped.stderr)?.[1];
      expect(printed).toBe(`lab-grade demo --scenarios ${cls.dir} -j 2 -r csv=grades.csv --resume run.jsonl`);
      const graded = studentLines(join(work, 'run.jsonl'));
      expect(graded).toBeGreaterThanOrEqual(2);
      expect(graded).toBeLessThan(8);

      const finished = runPrinted(printed!, work);
      expect(finished.code, finished.stderr).toBe(1); // half the class is below the pass mark
      expect(
        gradebookRows(join(work, 'grades.csv'))
          .map((r) => r.split(',')[0].replace(/"/g, ''))
          .sort(),
      ).toEqual([...cls.users].sort());
      expect(studentLines(join(work, 'run.jsonl'))).toBe(8); // nobody graded twice
      expect(leftovers(work)).toEqual([]);
    },
    120_000,
  );

  it("kill -9: the old gradebook is intact, and the next run clears the dead run's temporary file", async () => {
    const work = mkdtempSync(join(tmpdir(), 'lab-grade-kill-'));
    writeFileSync(join(work, 'grades.csv'), OLD_GRADEBOOK);
    const args = ['demo', '--scenarios', cls.dir, '-j', '2', '-r', 'csv=grades.csv', '--journal', 'run.jsonl'];
    const killed = await runAndStop(args, work, 'run.jsonl', 2, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(readFileSync(join(work, 'grades.csv'), 'utf8')).toBe(OLD_GRADEBOOK);
    expect(leftovers(work).sort()).toEqual([expect.stringMatching(/^\.grades\.csv\.\d+@.+\.tmp$/), 'run.jsonl.lock']);

    const resumed = await runCli(['demo', '--scenarios', cls.dir, '-j', '2', '-r', 'csv=grades.csv', '--resume', 'run.jsonl'], { cwd: work, timeoutMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stderr).toMatch(/journal run\.jsonl was locked by lab-grade pid \d+ on host .+; that process is gone: lock taken over/);
    expect(gradebookRows(join(work, 'grades.csv'))).toHaveLength(8);
    expect(leftovers(work)).toEqual([]);
  }, 120_000);
});

describe('the reader of the output goes away', () => {
  it('`lab-grade demo | head -1`: the grading exit code, no stack trace, the file reports complete', async () => {
    const work = mkdtempSync(join(tmpdir(), 'lab-grade-pipe-'));
    const two = writeClass(2, { templates: ['01-perfect.yaml', '10-no-vm-cluster-creating.yaml'] });
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" demo --scenarios "${two.dir}" -r console -r csv=grades.csv -r json=grades.json | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 90_000,
    });
    expect(r.stdout.split('\n')).toHaveLength(2); // one line, then head quit
    expect(r.stderr).toContain('exit=3'); // the student without a VM is incomplete
    expect(r.stderr).not.toMatch(/EPIPE|Error:|\n\s+at /);
    expect(gradebookRows(join(work, 'grades.csv'))).toHaveLength(2);
    expect((JSON.parse(readFileSync(join(work, 'grades.json'), 'utf8')) as { students: unknown[] }).students).toHaveLength(2);
  }, 120_000);

  it('a reader that is gone before anything is written (`| true`), stderr included: the same', () => {
    const work = mkdtempSync(join(tmpdir(), 'lab-grade-pipe-'));
    const two = writeClass(2, { templates: ['01-perfect.yaml', '10-no-vm-cluster-creating.yaml'] });
    const r = spawnSync('bash', ['-c', `("${process.execPath}" "${BIN}" demo --scenarios "${two.dir}" -r console -r csv=grades.csv 2>&1; echo "exit=$?" >> status) | true; cat status`], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 90_000,
    });
    expect(r.stdout.trim()).toBe('exit=3');
    expect(gradebookRows(join(work, 'grades.csv'))).toHaveLength(2);
  }, 120_000);
});

describe('a journal that is not a file', () => {
  it.each(['/dev/zero', '/proc/self/status'])(
    'demo --journal %s is refused at once (exit 2), not read forever',
    async (journal) => {
      const t0 = Date.now();
      const r = await runCli(['demo', '--scenarios', cls.dir, '--journal', journal], { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^lab-grade: ${journal}: the journal (must be a regular file|has more content than its size)`, 'm'));
      expect(Date.now() - t0).toBeLessThan(30_000);
    },
    60_000,
  );
});
