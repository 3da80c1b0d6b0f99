/** The helper process that starts the simulated VMs' commands: output, exit, signals, and its own small size. */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { vmSpawner, type SpawnedCommand } from './spawner.js';

const ENV = { PATH: '/usr/bin:/bin', HOME: '/tmp' };

async function finish(command: SpawnedCommand): Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }> {
  let stdout = '';
  let stderr = '';
  command.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  command.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code, signal] = (await once(command, 'close')) as [number | null, NodeJS.Signals | null];
  return { stdout, stderr, code, signal };
}

describe('the VM command helper', () => {
  it("runs bash -c in the given folder and environment, passing on stdout, stderr and the exit code, every byte before 'close'", async () => {
    const big = 300_000;
    const run = vmSpawner().run(`echo "$0 in $PWD, HOME=$HOME, SECRET=\${SECRET:-none}"; echo oops >&2; head -c ${big} /dev/zero | tr '\\0' x; exit 3`, { cwd: '/tmp', env: ENV });
    const r = await finish(run);
    expect(r.code).toBe(3);
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('oops\n');
    const [first, rest] = [r.stdout.slice(0, r.stdout.indexOf('\n') + 1), r.stdout.slice(r.stdout.indexOf('\n') + 1)];
    // argv0 as sshd runs the shell; nothing of this process's environment
    expect(first).toBe('bash in /tmp, HOME=/tmp, SECRET=none\n');
    expect(rest).toBe('x'.repeat(big));
  });

  it('kills the whole process group of a command, its background children too', async () => {
    const run = vmSpawner().run('sleep 30 & echo started; wait', { cwd: '/tmp', env: ENV });
    const done = finish(run);
    await once(run.stdout, 'data');
    run.kill('SIGTERM');
    expect(await done).toMatchObject({ code: null, signal: 'SIGTERM', stdout: 'started\n' });
  });

  it('runs commands side by side, each with its own output', async () => {
    const runs = Array.from({ length: 8 }, (_, i) => finish(vmSpawner().run(`sleep 0.0${8 - i}; echo ${i}`, { cwd: '/tmp', env: ENV })));
    expect((await Promise.all(runs)).map((r) => r.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n', '5\n', '6\n', '7\n']);
  });

  it('a folder that does not exist is an error of that command only', async () => {
    const run = vmSpawner().run('true', { cwd: '/nonexistent/lab-grade', env: ENV });
    // read, as the SSH channel reads them: the error is said once they are drained
    run.stdout.resume();
    run.stderr.resume();
    const [err] = (await once(run, 'error')) as [Error];
    expect(err.message).toMatch(/ENOENT/);
    expect((await finish(vmSpawner().run('echo fine', { cwd: '/tmp', env: ENV }))).stdout).toBe('fine\n');
  });

  it('a helper killed under way ends its commands in an error, and the next command gets a new helper', async () => {
    const first = vmSpawner();
    const run = first.run('sleep 30', { cwd: '/tmp', env: ENV });
    run.stdout.resume();
    run.stderr.resume();
    const failed = once(run, 'error');
    first.helper.kill('SIGKILL');
    const [err] = (await failed) as [Error];
    expect(err.message).toBe('the helper that starts the VM commands has stopped');
    expect(vmSpawner()).not.toBe(first);
    expect((await finish(vmSpawner().run('echo again', { cwd: '/tmp', env: ENV }))).stdout).toBe('again\n');
  });
});
