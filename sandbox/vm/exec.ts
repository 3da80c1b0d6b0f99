/**
 * Runs one SSH exec request of a simulated VM in a real `bash -c`, as sshd would: cwd and HOME are
 * the lab user's home, PATH starts with the stand-in `docker`. The environment is built from
 * scratch (nothing of the grader's own environment, secrets included, reaches the VM).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerChannel } from 'ssh2';

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
  // argv0 "bash": sshd runs the shell under its base name, so errors read "bash: line 1: …".
  const child = spawn('/bin/bash', ['-c', command], { argv0: 'bash', cwd: opts.home, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const kill = (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
  };
  opts.onSpawn?.(kill);
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  child.once('error', (err) => {
    channel.stderr.write(`bash: ${err.message}\n`);
    channel.exit(127);
    channel.end();
  });
  child.once('close', (code, signal) => {
    if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
    else channel.exit(code ?? 1);
    channel.end();
  });
  channel.once('close', () => kill('SIGKILL'));
}
