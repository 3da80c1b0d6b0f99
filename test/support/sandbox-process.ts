/**
 * Test kit: `lab-grade sandbox --scenarios … --out DIR` as a person starts it (the built CLI in a process
 * of its own), resolved once it says it serves; `stop()` is its Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { packagePath } from '../../core/paths.js';

export interface SandboxProcess {
  child: ChildProcess;
  /** what it printed so far (stdout and stderr) */
  output(): string;
  /** Ctrl-C, resolved with its exit code */
  stop(): Promise<number | null>;
}

export async function startSandboxProcess(scenarios: readonly string[], out: string, timeoutMs = 60_000): Promise<SandboxProcess> {
  const args = [packagePath('dist', 'bin', 'lab-grade.js'), 'sandbox', ...scenarios.flatMap((s) => ['--scenarios', s]), '--out', out];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  child.stdout.on('data', (d) => (said += d));
  child.stderr.on('data', (d) => (said += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulated lab did not start within ${timeoutMs} ms: ${said}`)), timeoutMs);
    void exited.then((code) => reject(new Error(`the simulated lab exited (${code}): ${said}`)));
    child.stdout.on('data', () => said.includes('Ctrl-C stops everything') && (clearTimeout(timer), resolve()));
  });
  return {
    child,
    output: () => said,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}
