/**
 * `--watch` in a real terminal: `lab-grade sandbox` runs a student who never granted the cluster
 * Reader on the registry (pods in ImagePullBackOff) and prints the one command that checks as that
 * student; that command with `--watch --interval 1` runs in a tmux pane. Granting the role in the
 * scenario file (the sandbox reloads it, the pods start) must redraw the checklist with
 * `ex5.pod.running: blocked → pass` (or `fail → pass` when a run fell between); Ctrl-C must end the watch with exit code 0.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../core/paths.js';
import { startSandboxProcess, type SandboxProcess } from '../../test/support/sandbox-process.js';

const root = mkdtempSync(join(tmpdir(), 'lab-grade-watch-'));
const scenarioDir = join(root, 'scenarios');
const scenarioFile = join(scenarioDir, 'labuser05.yaml');
const out = join(root, 'sandbox');
const socket = `lab-grade-test-${process.pid}`;
const session = 'watch';
let sandboxProcess: SandboxProcess | undefined;
/** What the sandbox printed to type for a self-check. */
let selfCheckLine = '';

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-t', session);

/** Polls until `probe` answers, or says what the pane shows instead (or that the sandbox exited). */
async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end || (sandboxProcess && sandboxProcess.child.exitCode !== null)) throw new Error(`gave up waiting for ${what}; the pane shows:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  mkdirSync(scenarioDir);
  copyFileSync(packagePath('fixtures', 'scenarios', '05-no-role-assignment.yaml'), scenarioFile);
  sandboxProcess = await startSandboxProcess([scenarioDir], out, 20_000);
  selfCheckLine = /^Self-check: (lab-grade [^\n]*?)(?: {2}|$)/m.exec(sandboxProcess.output())?.[1] ?? '';
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  await sandboxProcess?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('--watch in a terminal', () => {
  it('redraws the checklist as the pods start, says what changed, and stops on Ctrl-C with exit 0', async () => {
    // The sandbox's own line, as printed: lab-grade --sandbox <its folder> --user-name labuser05.
    expect(selfCheckLine).toBe(`lab-grade --sandbox ${out} --user-name labuser05`);
    const home = mkdtempSync(join(root, 'home-'));
    const script = join(root, 'watch.sh');
    // tmux does not always report the exit status of a pane's process group after Ctrl-C, so a small
    // parent records how the watch ended; it lets the terminal's SIGINT go to the watch alone.
    const recorder = join(root, 'record-exit.mjs');
    const exitFile = join(root, 'watch-exit.json');
    writeFileSync(
      recorder,
      [
        `import { spawn } from 'node:child_process';`,
        `import { writeFileSync } from 'node:fs';`,
        `const [file, command, ...args] = process.argv.slice(2);`,
        `process.on('SIGINT', () => {});`,
        `spawn(command, args, { stdio: 'inherit' }).on('exit', (code, signal) => { writeFileSync(file, JSON.stringify({ code, signal })); process.exit(0); });`,
      ].join('\n'),
    );
    const env = { HOME: home, USER: 'someone', NO_COLOR: '', LAB_GRADE_HOME: join(home, '.lab-grade') };
    const args = selfCheckLine.split(' ').slice(1);
    // The pane's shell gets its environment from this script, not from whichever tmux server exists.
    writeFileSync(
      script,
      [
        `cd '${home}'`,
        `exec env ${Object.entries(env)
          .map(([k, v]) => `${k}='${v}'`)
          .join(
            ' ',
          )} '${process.execPath}' '${recorder}' '${exitFile}' '${process.execPath}' '${packagePath('dist', 'bin', 'lab-grade.js')}' ${args.map((a) => `'${a}'`).join(' ')} --watch --interval 1`,
      ].join('\n'),
    );
    tmux('new-session', '-d', '-s', session, '-x', '220', '-y', '60', `sh '${script}'`, ';', 'set-option', '-t', session, 'remain-on-exit', 'on');

    await until('the first checklist', () => /→ Exercise 5 +Deploy a pod with kubectl +0\/4 +next/.test(screen()));
    expect(screen()).toMatch(/Checking Azure: +signed in as [0-9a-f-]+ \(object id [0-9a-f-]+\), subscription [0-9a-f-]+, resource group labuser05-rg/);

    // Grant the cluster Reader on the registry, as Exercise 5 asks; the sandbox reloads the file.
    const text = readFileSync(scenarioFile, 'utf8');
    writeFileSync(scenarioFile, text.replace('\nkubernetes:', '\n  roleAssignments:\n    - role: Reader\n      assignee: aks05\n      scope: labuser05acr\nkubernetes:'));

    // The change is against the run just before: blocked while the pull was refused, or fail when that
    // run already saw the role but the pod was still in its pull back-off (a loaded machine sees both).
    await until('the change line', () => /ex5\.pod\.running: (blocked|fail) → pass/.test(screen()));
    const after = screen();
    expect(after).toMatch(/✓ Exercise 5 +Deploy a pod with kubectl +4\/4 +done/);
    // Redrawn in place: one checklist on the screen, not one per run.
    expect(after.match(/Your progress in the AKS lab/g)).toHaveLength(1);

    tmux('send-keys', '-t', session, 'C-c');
    await until('the watch to exit', () => tmux('display-message', '-p', '-t', session, '#{pane_dead}').trim() === '1');
    expect(JSON.parse(readFileSync(exitFile, 'utf8'))).toEqual({ code: 0, signal: null });
    expect(screen()).toContain('Stopped watching.');
  }, 45_000);
});
