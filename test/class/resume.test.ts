/**
 * The real CLI killed with SIGKILL mid-run, then `--resume`: the same final report as an uninterrupted
 * run, and no graded student graded twice. Also what a class run prints on stderr: the pre-flight
 * table, one progress line per student without a TTY, and nothing at all with --quiet.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../core/paths.js';
import type { JsonDocument } from '../../reporters/json.js';
import { runCli } from '../support/cli.js';
import { verdictDifferences, verdictsOf, writeClass } from '../support/class.js';

const LATENCY = { latencyMs: 300 };
let dir = '';

/** The journal's complete lines (one may be half written while the run appends it). */
const journalLines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .slice(0, -1)
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: string; student?: { user: string; status: string } })
    : [];
const studentLines = (file: string) =>
  journalLines(file)
    .filter((l) => l.type === 'student')
    .map((l) => l.student!);

/** Starts `lab-grade demo`, SIGKILLs it once `killAfter` students are journaled. */
function runUntilKilled(args: string[], journal: string, killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [packagePath('dist', 'bin', 'lab-grade.js'), ...args], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const poll = setInterval(() => {
      const done = studentLines(journal).length;
      if (done >= killAfter) child.kill('SIGKILL');
    }, 50);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the run ended by itself (${signal ?? _code}) before it could be killed`));
      else resolve(studentLines(journal).length);
    });
  });
}

/** Waits until a process other than this one holds the journal's lock. */
async function lockedByAnotherProcess(journal: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const holder = JSON.parse(readFileSync(`${journal}.lock`, 'utf8')) as { pid: number; token: string };
      if (holder.pid !== process.pid && existsSync(`/proc/${holder.pid}`)) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nobody took ${journal}.lock`);
}

describe('a class run killed and resumed', () => {
  beforeAll(() => {
    // Ten students who pass quickly, and two without a VM (the pre-flight cannot reach them).
    const fast = writeClass(10, { templates: ['01-perfect.yaml'], faults: LATENCY });
    writeClass(2, { dir: fast.dir, templates: ['10-no-vm-cluster-creating.yaml'], faults: LATENCY });
    dir = fast.dir;
  });

  it('SIGKILL after some students, then --resume: the uninterrupted report, nobody graded twice', async () => {
    const journal = join(dir, 'journal.jsonl');
    const common = ['demo', '--scenarios', dir, '--concurrency', '4'];
    const journaledAtKill = await runUntilKilled([...common, '--journal', journal, '-r', `json=${join(dir, 'killed.json')}`], journal, 6);
    expect(journaledAtKill).toBeGreaterThanOrEqual(6);
    expect(journaledAtKill).toBeLessThan(12);
    expect(existsSync(join(dir, 'killed.json'))).toBe(false); // put in place only at the end: killed before it

    // Two resumes of one journal: the second, started while the first holds it, is refused and grades nobody.
    const first = runCli([...common, '--resume', journal, '-r', `json=${join(dir, 'resumed.json')}`]);
    await lockedByAnotherProcess(journal);
    const second = await runCli([...common, '--resume', journal, '-r', `json=${join(dir, 'second.json')}`]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^lab-grade: journal ${journal} is in use by lab-grade pid \\d+ on host \\S+ since \\d\\d:\\d\\d; wait for it to finish$`, 'm'));
    expect(existsSync(join(dir, 'second.json'))).toBe(false);
    const resumed = await first;
    expect(resumed.code).toBe(3); // the two without a VM stay incomplete
    expect(resumed.stderr).toMatch(/was locked by lab-grade pid \d+ on host \S+ since .*; that process is gone: lock taken over/);
    const whole = await runCli([...common, '--quiet', '--no-journal', '-r', `json=${join(dir, 'whole.json')}`]);
    expect(whole.code).toBe(3);
    expect(whole.stderr).toBe(''); // --quiet: no progress, no pre-flight table

    const doc = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as JsonDocument;
    const [r, w] = [doc('resumed.json'), doc('whole.json')];
    const users = w.students.map((s) => s.user);
    expect(r.students.map((s) => s.user)).toEqual(users); // everyone, in roster order
    expect(verdictDifferences(verdictsOf(r.students), verdictsOf(w.students))).toEqual([]);

    // One journal line per graded student; only incomplete ones were graded again.
    const lines = studentLines(journal);
    for (const user of users) {
      const mine = lines.filter((l) => l.user === user);
      if (mine.at(-1)!.status === 'graded')
        expect(
          mine.map((l) => l.status),
          user,
        ).toEqual(['graded']);
    }
    expect(new Set(lines.map((l) => l.user))).toEqual(new Set(users));
    expect(journalLines(journal).filter((l) => l.type === 'header')).toHaveLength(1);

    // Without a TTY: the pre-flight table names who is unreachable, then one line per student.
    const unreachable = r.students.filter((s) => s.status === 'incomplete').map((s) => s.user);
    expect(unreachable).toHaveLength(2);
    for (const u of unreachable) expect(resumed.stderr).toMatch(new RegExp(`^  ${u} +ok +FAIL +partly +SSH port ${u}-lab\\.`, 'm'));
    const progress = resumed.stderr.split('\n').filter((l) => /^\[\d+\/12\] /.test(l));
    expect(progress).toHaveLength(12);
    expect(new Set(progress.map((l) => l.split(' ')[1]))).toEqual(new Set(users));
  }, 180_000);
});
