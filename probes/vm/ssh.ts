/**
 * The student's VM over SSH (ssh2): one connection per student, opened on first use and shared by
 * every check; the TCP socket is dialled through the NetworkPolicy (connectTo, address guard) and
 * handed to ssh2. Only the fixed VM_COMMANDS are executed; files are read over SFTP (no shell, so
 * no path ever reaches a command line). Host keys are pinned by a known_hosts file, or trusted on
 * first use and reported.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Client, type ClientChannel, type SFTPWrapper, type Stats } from 'ssh2';
import type { VmTarget } from '../../core/target.js';
import { errorMessage } from '../../core/errors.js';
import { formatMs } from '../../core/timeout.js';
import { refusedByPolicy, type NetworkPolicy } from '../net.js';
import { ProbeError, sshDescription, VM_COMMANDS, type CommandResult, type FileRead, type VmCommandName, type VmProbe } from '../types.js';
import { CappedOutput, readCapped } from './capture.js';
import { fingerprintOf, knownHostsName, parseKnownHosts, verifyHostKey, type HostKeyVerdict } from './host-keys.js';
import { homeRelativePath } from './paths.js';

export interface HostKeyPolicy {
  /** OpenSSH known_hosts file: the host's key must be listed there (default: target.knownHosts). */
  knownHostsFile?: string;
  /** Without a known_hosts file: called with the key seen on first use (trust on first use). */
  onFirstUse?(host: string, fingerprint: string): void;
}

export interface SshVmOptions {
  target: VmTarget;
  policy: NetworkPolicy;
  /** Bounds the TCP connect, the SSH handshake + login, each command and each SFTP call. */
  timeoutMs: number;
  /** Cap on each of stdout and stderr of a command. */
  maxOutputBytes: number;
  hostKeys?: HostKeyPolicy;
}

interface Connection {
  client: Client;
  fingerprint: string;
  sftp?: Promise<SFTPWrapper>;
  /** The server or the network ended it: the next call logs in again. */
  closed: boolean;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02) the probe tells apart. */
const SFTP_NO_SUCH_FILE = 2;
const SFTP_EOF = 1;

export function sshVm(opts: SshVmOptions): VmProbe {
  const { target, policy, timeoutMs, maxOutputBytes } = opts;
  const description = sshDescription(target);
  const knownHostsFile = opts.hostKeys?.knownHostsFile ?? target.knownHosts;
  const vmError = (message: string, detail: Record<string, unknown> = {}) => new ProbeError('vm', message, { transport: 'ssh', ...detail });
  let current: Promise<Connection> | undefined;

  const readPrivateKey = (): Buffer | undefined => {
    if (!target.keyFile) return undefined;
    try {
      return readFileSync(target.keyFile);
    } catch (err) {
      throw vmError(`cannot read vm.keyFile ${target.keyFile}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
  };

  const loadPins = () => {
    if (!knownHostsFile) return undefined;
    try {
      return parseKnownHosts(readFileSync(knownHostsFile, 'utf8'));
    } catch (err) {
      throw vmError(`cannot read the known_hosts file ${knownHostsFile}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
  };

  async function dial(): Promise<Socket> {
    try {
      return await policy.socket(target.host, target.port, timeoutMs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (refusedByPolicy(err)) throw vmError(`${description}: ${errorMessage(err)}`, { refused: true });
      if (code === 'ECONNREFUSED') throw vmError(`${description}: connection refused (is the VM running and is SSH open on port ${target.port}?)`, { code });
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw vmError(`${description}: the host name ${target.host} does not resolve`, { code });
      if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') throw vmError(`${description}: the host is unreachable`, { code });
      throw vmError(`${description}: ${errorMessage(err)}`, code ? { code } : {});
    }
  }

  async function open(): Promise<Connection> {
    const privateKey = readPrivateKey();
    const pins = loadPins();
    const pinName = knownHostsName(target.host, target.port);
    const sock = await dial();
    const client = new Client();
    let seen: { fingerprint: string; verdict: HostKeyVerdict | 'first-use' } | undefined;

    return new Promise<Connection>((resolve, reject) => {
      const conn: Connection = { client, fingerprint: 'unknown', closed: false };
      client.once('ready', () => {
        conn.fingerprint = seen?.fingerprint ?? 'unknown';
        if (seen?.verdict === 'first-use') opts.hostKeys?.onFirstUse?.(target.host, seen.fingerprint);
        resolve(conn);
      });
      client.on('error', (err: Error & { level?: string }) => {
        conn.closed = true;
        client.end();
        sock.destroy();
        reject(loginError(err, seen)); // no effect once logged in: the next call sees `closed`
      });
      client.on('close', () => (conn.closed = true));
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
        finish(prompts.map(() => target.password?.reveal() ?? ''));
      });
      client.connect({
        sock,
        username: target.username,
        ...(privateKey ? { privateKey } : {}),
        ...(target.password ? { password: target.password.reveal(), tryKeyboard: true } : {}),
        readyTimeout: timeoutMs,
        keepaliveInterval: 0,
        hostVerifier: (key: Buffer) => {
          const fingerprint = fingerprintOf(key);
          seen = { fingerprint, verdict: pins ? verifyHostKey(pins, pinName, key) : 'first-use' };
          return seen.verdict === 'match' || seen.verdict === 'first-use';
        },
      });
    });
  }

  function loginError(err: Error & { level?: string }, seen?: { fingerprint: string; verdict: string }): ProbeError {
    const hostKey = seen ? { hostKey: seen.fingerprint } : {};
    if (seen?.verdict === 'mismatch' || seen?.verdict === 'revoked') {
      return vmError(
        `${description}: the host key ${seen.fingerprint} does not match the one pinned in ${knownHostsFile}: refusing to log in (the VM was re-created, or the connection is intercepted)`,
        hostKey,
      );
    }
    if (seen?.verdict === 'unknown') {
      return vmError(`${description}: the host key ${seen.fingerprint} is not listed for ${knownHostsName(target.host, target.port)} in ${knownHostsFile}: refusing to log in`, hostKey);
    }
    if (err.level === 'client-authentication') {
      return vmError(`the VM refused the login for ${target.username}: check vm.password / vm.keyFile`, hostKey);
    }
    if (err.level === 'client-timeout') {
      return vmError(`${description}: no SSH answer within ${formatMs(timeoutMs)} (the port accepts connections but the SSH handshake did not complete)`, { ...hostKey, timeoutMs });
    }
    return vmError(`${description}: ${errorMessage(err)}`, hostKey);
  }

  const connection = (): Promise<Connection> => {
    if (!current) {
      const attempt = open();
      current = attempt;
      // A failed login is not kept: a later call (a --wait poll) tries again.
      attempt.catch(() => {
        if (current === attempt) current = undefined;
      });
    }
    const shared = current;
    return shared.then((c) => {
      if (!c.closed) return c;
      if (current === shared) current = undefined;
      return connection();
    });
  };

  const sftpOf = async (): Promise<SFTPWrapper> => {
    const c = await connection();
    c.sftp ??= new Promise<SFTPWrapper>((resolve, reject) => c.client.sftp((err, sftp) => (err ? reject(vmError(`${description}: SFTP is not available: ${err.message}`)) : resolve(sftp))));
    c.sftp.catch(() => (c.sftp = undefined));
    return c.sftp;
  };

  /** Bounds one SFTP call: the server may stop answering mid-session. */
  const bounded = <T>(what: string, start: (done: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(vmError(`${description}: ${what} timed out after ${formatMs(timeoutMs)}`)), timeoutMs);
      start((err, value) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      });
    });

  const sftpCode = (err: unknown): number | undefined => (err as { code?: unknown }).code as number | undefined;

  return {
    description,

    async connect() {
      const c = await connection();
      return { transport: 'ssh', hostKey: c.fingerprint };
    },

    async run(name: VmCommandName): Promise<CommandResult> {
      const command = VM_COMMANDS[name];
      if (!command) throw vmError(`unknown VM command ${JSON.stringify(name)}`);
      const { client } = await connection();
      return new Promise<CommandResult>((resolve, reject) => {
        client.exec(command, (err, stream: ClientChannel) => {
          if (err) return reject(vmError(`${description}: could not run \`${command}\`: ${err.message}`));
          const stdout = new CappedOutput(maxOutputBytes);
          const stderr = new CappedOutput(maxOutputBytes);
          let code: number | null = null;
          let exited = false;
          let killed = false;
          const timer = setTimeout(() => {
            killed = true;
            stream.signal('KILL');
            stream.close();
          }, timeoutMs);
          stream.on('data', (d: Buffer) => stdout.push(d));
          stream.stderr.on('data', (d: Buffer) => stderr.push(d));
          stream.on('exit', (exitCode: number | null, signal?: string) => {
            exited = true;
            code = signal ? null : exitCode;
          });
          stream.on('close', () => {
            clearTimeout(timer);
            // An sshd always reports how a command ended: without that, the connection went mid-command.
            if (!exited && !killed) return reject(vmError(`${description}: the connection closed before \`${command}\` finished`, { command }));
            resolve({ stdout: stdout.text(), stderr: stderr.text(), code: killed ? null : code, truncated: stdout.truncated || stderr.truncated });
          });
        });
      });
    },

    async readFile(relativePath: string, maxBytes: number): Promise<FileRead> {
      const path = homeRelativePath(relativePath);
      const sftp = await sftpOf();
      const missing: FileRead = { path: relativePath, exists: false, size: 0, content: Buffer.alloc(0), truncated: false };
      let handle: Buffer;
      try {
        handle = await bounded<Buffer>(`opening ${path}`, (done) => sftp.open(path, 'r', done));
      } catch (err) {
        if (sftpCode(err) === SFTP_NO_SUCH_FILE) return missing;
        if (err instanceof ProbeError) throw err;
        throw vmError(`${description}: cannot read ~/${path}: ${errorMessage(err)}`);
      }
      try {
        const attrs = await bounded<Stats>(`stat of ${path}`, (done) => sftp.fstat(handle, done));
        if (attrs.isDirectory()) throw vmError(`${description}: ~/${path} is a folder, not a file`);
        const { content, truncated } = await readCapped(attrs.size, maxBytes, (buffer, offset, length) =>
          bounded<number>(`reading ${path}`, (done) =>
            sftp.read(handle, buffer, offset, length, offset, (err, bytesRead) => done(err && sftpCode(err) !== SFTP_EOF ? err : null, err ? 0 : bytesRead)),
          ),
        );
        return { path: relativePath, exists: true, size: attrs.size, content, truncated };
      } catch (err) {
        if (err instanceof ProbeError) throw err;
        throw vmError(`${description}: cannot read ~/${path}: ${errorMessage(err)}`);
      } finally {
        sftp.close(handle, () => {});
      }
    },

    async stat(relativePaths: string[]) {
      const paths = relativePaths.map(homeRelativePath);
      const sftp = await sftpOf();
      const kinds = await Promise.all(
        paths.map((p) =>
          bounded<Stats>(`stat of ${p}`, (done) => sftp.stat(p, done)).then(
            (s) => (s.isDirectory() ? 'dir' : 'file') as 'dir' | 'file',
            (err) => {
              if (sftpCode(err) === SFTP_NO_SUCH_FILE) return 'missing' as const;
              if (err instanceof ProbeError) throw err;
              throw vmError(`${description}: cannot look at ~/${p}: ${errorMessage(err)}`);
            },
          ),
        ),
      );
      return Object.fromEntries(relativePaths.map((p, i) => [p, kinds[i]]));
    },

    async close() {
      const pending = current;
      current = undefined;
      const c = await pending?.catch(() => undefined);
      c?.client.end();
    },
  };
}
