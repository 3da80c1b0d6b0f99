/**
 * Runs one SSH exec request of a simulated VM in a real `bash -c`, as sshd would: cwd and HOME are
 * the lab user's home, PATH starts with the stand-in `docker`. The environment is built from
 * scratch (nothing of the grader's own environment, secrets included, reaches the VM).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerChannel } from 'ssh2';
import { vmSpawner } from './spawner.js';

const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * The VM's PATH: the stub folder, then the usual system folders except those holding a real
 * `docker` (this machine may have one), so that a VM without Docker really has none.
 */
function vmPath(stubBin: string): string {
  return [stubBin, ...SYSTEM_PATH.filter((d) => !existsSync(join(d, 'docker')))].join(':');
}

export function vmEnvironment(user: string, home: string, stubBin: string): Record<string, string> {
  return { HOME: home, USER: user, LOGNAME: user, SHELL: '/bin/bash', PATH: vmPath(stubBin), LANG: 'C.UTF-8' };
}

/** Runs `command` for an exec channel; the child's process group dies with the channel. */
export function runExec(channel: ServerChannel, command: string, opts: { home: string; env: Record<string, string>; onSpawn?(kill: (signal: NodeJS.Signals) => void): void }): void {
  // Started by a small helper process (./spawner.ts), as `bash -c` under its base name: sshd runs the
  // shell so, and errors read "bash: line 1: …".
  const child = vmSpawner().run(command, { cwd: opts.home, env: opts.env });
  const kill = (signal: NodeJS.Signals) => child.kill(signal);
  opts.onSpawn?.(kill);
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  child.once('error', (err: Error) => {
    channel.stderr.write(`bash: ${err.message}\n`);
    channel.exit(127);
    channel.end();
  });
  child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
    if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
    else channel.exit(code ?? 1);
    channel.end();
  });
  channel.once('close', () => kill('SIGKILL'));
}
