/**
 * Starts Debian's real OpenSSH sshd on loopback for differential tests of the SSH probe, configured
 * entirely on the command line: a temp ed25519 host key, key login as root through an absolute
 * authorized_keys path, and internal-sftp starting in a temp folder so SFTP reads never touch root's
 * real home. sshd cannot listen on port 0 ("Badly formatted port number"), so it runs as inetd would
 * run it: this process listens on port 0 and hands each connection to an `sshd -i` of its own (the
 * socket as its stdin and stdout). No port is picked first and bound later. stop() closes the listener,
 * ends every sshd and removes the files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';

const SSHD = '/usr/sbin/sshd';

export interface RealSshd {
  port: number;
  /** The user to log in as (root: no test account is created). */
  username: string;
  /** Private key file that may log in. */
  keyFile: string;
  /** The host's public key, `type base64`, for a known_hosts line. */
  hostPublicKey: string;
  /** Folder SFTP starts in: relative paths are read from here. */
  sftpHome: string;
  /** What the sshd processes wrote on stderr (their logs), for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

export async function startSshd(): Promise<RealSshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install it with \`apt-get install -y --no-install-recommends openssh-server\``);
  if (process.getuid?.() !== 0) throw new Error('the real-sshd test logs in as root and must run as root');
  mkdirSync('/run/sshd', { recursive: true }); // sshd refuses to start without its privilege separation folder
  chmodSync('/run/sshd', 0o755);

  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-sshd-'));
  const sftpHome = join(dir, 'sftp-home');
  mkdirSync(sftpHome);
  const host = utils.generateKeyPairSync('ed25519');
  const client = utils.generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'host_ed25519'), host.private, { mode: 0o600 });
  writeFileSync(join(dir, 'id_ed25519'), client.private, { mode: 0o600 });
  writeFileSync(join(dir, 'authorized_keys'), client.public + '\n', { mode: 0o600 });

  const options = [
    `HostKey=${join(dir, 'host_ed25519')}`,
    'PidFile=none',
    'UsePAM=no',
    'PermitRootLogin=prohibit-password',
    'PasswordAuthentication=no',
    'KbdInteractiveAuthentication=no',
    `AuthorizedKeysFile=${join(dir, 'authorized_keys')}`,
    'StrictModes=no',
    `Subsystem=sftp internal-sftp -d ${sftpHome}`,
  ];
  const children = new Set<ChildProcess>();
  let log = '';
  // pauseOnConnect: this process never reads the client's bytes; sshd gets them all.
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    const child = spawn(SSHD, ['-i', '-e', '-f', '/dev/null', ...options.flatMap((o) => ['-o', o])], { stdio: [socket, socket, 'pipe'] });
    children.add(child);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (log += chunk));
    child.once('exit', () => children.delete(child));
    // sshd has its own copy of the socket; this process's copy is closed (not shut down).
    child.once('spawn', () => socket.destroy());
    child.once('error', (err) => {
      log += `sshd could not be started: ${err.message}\n`;
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    username: 'root',
    keyFile: join(dir, 'id_ed25519'),
    hostPublicKey: host.public.split(' ').slice(0, 2).join(' '),
    sftpHome,
    log: () => log,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(
        [...children].map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          return exited;
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
