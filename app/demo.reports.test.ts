/**
 * What the reports of a real run tell an instructor, through the built command line against the
 * simulated lab: the command printed to grade an incomplete student again runs as printed (with and
 * without a journal), a partial run (`--only`) draws no pass-mark verdict in any report nor in a merge
 * of its results and exits by its selected checks, and the HTML report of a 40-student class stays small.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../checks/index.js';
import type { RunResult } from '../core/model.js';
import { loadProfile } from '../core/profile.js';
import { renderHtml } from '../reporters/html.js';
import type { JsonDocument } from '../reporters/json.js';
import { bufferOutput, runInfoFor } from '../reporters/replay.js';
import { BUILT_IN_CLASS_DIR } from '../test/support/class.js';
import { runCli } from '../test/support/cli.js';
import { runDemo } from './demo.js';
import { NO_NOTICES } from './io.js';
import { reasonCatalogue } from './reasons.js';
import { rerunNote } from './resume-command.js';

const scenario = (name: string) => ['--scenarios', join(BUILT_IN_CLASS_DIR, name)];
const PERFECT = scenario('01-perfect.yaml');
const NO_VM = scenario('10-no-vm-cluster-creating.yaml');
const NO_PORTS = scenario('04-no-port-mapping.yaml');
const dir = mkdtempSync(join(tmpdir(), 'lab-grade-demo-reports-'));

/** The argument list of a printed `lab-grade …` command (our commands quote nothing these tests use). */
const argsOf = (command: string) => command.replace(/^lab-grade /, '').split(' ');

describe('re-run hints run as printed', () => {
  it("without a journal: the same command for the incomplete students by name, which leaves the class's report files alone", async () => {
    const page = join(dir, 'nj.html');
    const args = ['demo', ...PERFECT, ...NO_VM, '--no-journal', '-r', 'console', '-r', `html=${page}`];
    const first = await runCli(args, { timeoutMs: 90_000 });
    expect(first.code, first.stderr).toBe(3);
    const command = /^ {2}grade them again: (lab-grade .*)$/m.exec(first.stdout)?.[1];
    expect(command).toBe(`lab-grade demo ${PERFECT.join(' ')} ${NO_VM.join(' ')} --no-journal -r console --user labuser10`);
    expect(first.stderr).not.toMatch(/JOURNAL|…/);
    expect(first.stderr).toContain(`once they are reachable: ${command}`);
    // Beside the command, each says that it leaves the class's report file alone.
    const note = rerunNote(args, undefined)!;
    expect(note).toContain(page);
    expect(first.stdout).toContain(note);
    expect(first.stderr).toContain(note);
    expect(readFileSync(page, 'utf8')).toContain(note);
    const students = (text: string) => [...text.matchAll(/id="student-(labuser\d\d)"/g)].map((m) => m[1]);
    expect(students(readFileSync(page, 'utf8'))).toEqual(['labuser01', 'labuser10']);
    // The HTML's "Needs a re-run" gives the same command.
    expect(readFileSync(page, 'utf8')).toContain(`<pre class="command"><code>${command}</code></pre>`);

    const again = await runCli(argsOf(command!), { timeoutMs: 90_000 });
    expect(again.code, again.stderr).toBe(3); // still no VM: still incomplete
    expect([...again.stdout.matchAll(/^(labuser\d\d)$/gm)].map((m) => m[1])).toEqual(['labuser10']);
    expect(students(readFileSync(page, 'utf8'))).toEqual(['labuser01', 'labuser10']);
  }, 200_000);

  it('with a journal: --rerun-incomplete on it', async () => {
    const journal = join(dir, 'journal.jsonl');
    const first = await runCli(['demo', ...PERFECT, ...NO_VM, '--journal', journal, '-q'], { timeoutMs: 90_000 });
    const command = /^ {2}grade them again: (lab-grade .*)$/m.exec(first.stdout)?.[1];
    expect(command).toBe(`lab-grade demo ${PERFECT.join(' ')} ${NO_VM.join(' ')} -q --rerun-incomplete ${journal}`);
    const again = await runCli(argsOf(command!), { timeoutMs: 90_000 });
    expect(again.code, again.stderr).toBe(3);
    // Only the incomplete student is graded again; the journal's graded one is reported as it was.
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.includes('"user":"labuser10"'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('"user":"labuser01"'))).toHaveLength(1);
  }, 200_000);
});

describe('a partial run (--only)', () => {
  it('draws no pass-mark verdict and exits 1 only when a selected required check fails', async () => {
    // 10 of 12 points of the selection would be "83 % PASSED"; a selected required check fails: exit 1.
    const failing = await runCli(['demo', ...NO_PORTS, '--only', 'ex2', '--only', 'ex4', '--no-journal'], { timeoutMs: 90_000 });
    expect(failing.code, failing.stderr).toBe(1);
    expect(failing.stdout).toContain('only ex2 ex4 (a partial run: no pass-mark verdict)');
    expect(failing.stdout).toMatch(/labuser04 {2}10\/12 points of the selected checks {2}PARTIAL \(only ex2 ex4\): 1 failing, no pass-mark verdict/);
    expect(failing.stdout).not.toMatch(/PASSED|pass mark 70%|83/);

    // Exercise 7 holds only bonus points: a bonus not earned is no failure, and 0/0 is no "100 % PASSED".
    const bonus = await runCli(['demo', ...PERFECT, '--only', 'ex7', '--no-journal'], { timeoutMs: 90_000 });
    expect(bonus.code, bonus.stderr).toBe(0);
    expect(bonus.stdout).toMatch(/labuser01 {2}0\/0 points of the selected checks {2}PARTIAL \(only ex7\): no failure, no pass-mark verdict/);
    expect(bonus.stdout).not.toContain('100');
  }, 200_000);

  it('writes no verdict into CSV or JSON, and merge of its JSON stays partial', async () => {
    // labuser04's 10 of 12 points of ex2 and ex4 would be passed=true; the selection is no verdict.
    const [csv, json] = [join(dir, 'partial.csv'), join(dir, 'partial.json')];
    const run = await runCli(['demo', ...NO_PORTS, '--only', 'ex2', '--only', 'ex4', '--no-journal', '-q', '-r', `csv=${csv}`, '-r', `json=${json}`], { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(1);
    const [header, row] = readFileSync(csv, 'utf8')
      .split('\r\n')
      .map((l) => l.split(','));
    expect(row.slice(0, header.indexOf('passed') + 1)).toEqual(['labuser04', 'graded', '10', '12', '83.3', '0', 'partial']);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as JsonDocument;
    expect(doc.only).toEqual(['ex2', 'ex4']);
    expect(doc.students[0]).toMatchObject({ user: 'labuser04', score: 10, maxScore: 12, passed: null });

    const merged = await runCli(['merge', json, '-r', 'console'], { timeoutMs: 60_000 });
    expect(merged.code, merged.stderr).toBe(1);
    expect(merged.stdout).toMatch(/labuser04 {2}10\/12 points of the selected checks {2}PARTIAL \(only ex2 ex4\): 1 failing, no pass-mark verdict/);
    expect(merged.stdout).not.toMatch(/PASSED|pass mark 70%/);
  }, 200_000);

  it('exits 3 when a selected check could not be graded', async () => {
    const r = await runCli(['demo', ...NO_VM, '--only', 'ex1', '--no-journal'], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain('INCOMPLETE');
  }, 120_000);
});

describe('the HTML report of a class', () => {
  it('stays under 400 KB for 40 students of the built-in class', async () => {
    const out = bufferOutput();
    const { run } = await runDemo({ concurrency: 16, reports: [{ format: 'json' }] }, [], { stdout: out, notices: NO_NOTICES });
    const students = Array.from({ length: 40 }, (_, i) => ({ ...structuredClone(run.students[i % run.students.length]), user: `student${String(i + 1).padStart(2, '0')}` }));
    const forty: RunResult = { ...run, students };
    const page = renderHtml(forty, { info: runInfoFor(forty, { title: 'AKS lab', passMark: 70, reasons: reasonCatalogue(loadProfile().expect) }) });
    expect(page).toContain('id="student-student40"');
    expect(Buffer.byteLength(page)).toBeLessThan(400 * 1024);
  }, 120_000);
});

describe('a profile that switches checks off', () => {
  it('neither runs, reports nor scores them', async () => {
    const file = join(dir, 'variant.yaml');
    writeFileSync(file, 'extends: builtin\nchecks:\n  ex6.image.provenance: { enabled: false }\n  ex7.tiller: { enabled: false }\n');
    const out = bufferOutput();
    const { run } = await runDemo({ profile: loadProfile(file, ALL_CHECKS), reports: [{ format: 'console' }] }, [PERFECT[1]], { stdout: out, notices: NO_NOTICES });
    const ids = run.students[0].checks.map((c) => c.id);
    expect(ids).toHaveLength(ALL_CHECKS.length - 2);
    expect(ids).not.toContain('ex6.image.provenance');
    expect(ids).not.toContain('ex7.tiller');
    expect(run.students[0]).toMatchObject({ score: 33, maxScore: 33, percent: 100 });
    expect(out.text()).not.toMatch(/ex6\.image\.provenance|ex7\.tiller/);
  }, 120_000);
});
