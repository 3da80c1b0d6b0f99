/**
 * The VM probe for `--local`: the student runs the grader on their own VM, so the same fixed
 * commands run here in bash (cwd and HOME = the lab user's home) and files are read from that home.
 * bash is non-login on purpose: the student's shell already gave this process their PATH, whereas a
 * login shell would let /etc/profile replace it.
 */
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { ProbeError, VM_COMMANDS, type CommandResult, type FileRead, type VmCommandName, type VmProbe } from '../types.js';
import { CappedOutput, readCapped } from './capture.js';
import { homeRelativePath } from './paths.js';

export interface LocalVmOptions {
  /** The lab user's home folder. */
  home: string;
  /** Bound on each command. */
  timeoutMs: number;
  /** Cap on each of stdout and stderr. */
  maxOutputBytes: number;
  /** Environment for the commands (default: this process's); HOME is always `home`. */
  env?: NodeJS.ProcessEnv;
}

export function localVm(opts: LocalVmOptions): VmProbe {
  const { home, timeoutMs, maxOutputBytes } = opts;
  const description = `local ${home}`;
  const vmError = (message: string) => new ProbeError('vm', message, { transport: 'local' });

  return {
    description,

    async connect() {
      const s = await stat(home).catch(() => undefined);
      if (!s?.isDirectory()) throw vmError(`the home folder ${home} does not exist on this machine`);
      return { transport: 'local' };
    },

    run(name: VmCommandName): Promise<CommandResult> {
      const command = VM_COMMANDS[name];
      if (!command) return Promise.reject(vmError(`unknown VM command ${JSON.stringify(name)}`));
      return new Promise<CommandResult>((resolve, reject) => {
        // detached: the command gets its own process group, so a timeout ends its children too.
        const child = spawn('bash', ['-c', command], {
          cwd: home,
          env: { ...(opts.env ?? process.env), HOME: home },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        const stdout = new CappedOutput(maxOutputBytes);
        const stderr = new CappedOutput(maxOutputBytes);
        let killed = false;
        const timer = setTimeout(() => {
          killed = true;
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }, timeoutMs);
        child.stdout.on('data', (d: Buffer) => stdout.push(d));
        child.stderr.on('data', (d: Buffer) => stderr.push(d));
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(vmError(`could not run \`${command}\` with bash: ${err.message}`));
        });
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ stdout: stdout.text(), stderr: stderr.text(), code: killed ? null : code, truncated: stdout.truncated || stderr.truncated });
        });
      });
    },

    async readFile(relativePath: string, maxBytes: number): Promise<FileRead> {
      const path = join(home, homeRelativePath(relativePath));
      let file;
      try {
        file = await open(path, 'r');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return { path: relativePath, exists: false, size: 0, content: Buffer.alloc(0), truncated: false };
        throw vmError(`cannot read ~/${relativePath}: ${code ?? errorMessage(err)}`);
      }
      try {
        const s = await file.stat();
        if (s.isDirectory()) throw vmError(`~/${relativePath} is a folder, not a file`);
        const { content, truncated } = await readCapped(s.size, maxBytes, async (buffer, offset, length) => (await file.read(buffer, offset, length, offset)).bytesRead);
        return { path: relativePath, exists: true, size: s.size, content, truncated };
      } finally {
        await file.close();
      }
    },

    async stat(relativePaths: string[]) {
      const kinds = await Promise.all(
        relativePaths.map(async (p) => {
          const s = await stat(join(home, homeRelativePath(p))).catch((err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
            throw vmError(`cannot look at ~/${p}: ${err.code ?? err.message}`);
          });
          return !s ? 'missing' : s.isDirectory() ? 'dir' : 'file';
        }),
      );
      return Object.fromEntries(relativePaths.map((p, i) => [p, kinds[i]])) as Record<string, 'file' | 'dir' | 'missing'>;
    },

    async close() {},
  };
}
