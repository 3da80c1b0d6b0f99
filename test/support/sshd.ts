/**
 * Starts Debian's real OpenSSH sshd on loopback for differential tests of the SSH probe, configured
 * entirely on the command line: a temp ed25519 host key, key login as root through an absolute
 * authorized_keys path, and internal-sftp starting in a temp folder so SFTP reads never touch root's
 * real home. sshd cannot listen on port 0 ("Badly formatted port number"), so a free port is picked
 * first; another process may take it before sshd binds, so sshd is started again on another port when
 * its bind fails. stop() sends SIGTERM and removes the files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { reservePort } from '../../sandbox/listen.js';

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
  stop(): Promise<void>;
}

function listening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`sshd ${why}:\n${log.split('\n').slice(-15).join('\n')}`));
    };
    const timer = setTimeout(() => fail('did not start listening within 10 s'), 10_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        child.removeAllListeners('close');
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume(); // keep draining: sshd logs every login
        resolve();
      }
    });
    // 'close', not 'exit': by then all of stderr (the reason it stopped) has been read.
    child.once('close', (code) => fail(`exited with code ${code}`));
    child.once('error', (err) => fail(`could not be started: ${err.message}`));
  });
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

  const start = async (port: number) => {
    const options = [
      'ListenAddress=127.0.0.1',
      `Port=${port}`,
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
    const child = spawn(SSHD, ['-D', '-e', '-f', '/dev/null', ...options.flatMap((o) => ['-o', o])], { stdio: ['ignore', 'ignore', 'pipe'] });
    await listening(child, port);
    return child;
  };
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt++) {
    port = await reservePort();
    try {
      child = await start(port);
    } catch (err) {
      // "Bind to port N on 127.0.0.1 failed: Address already in use."
      if (attempt < 5 && /Address already in use/.test((err as Error).message)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  return {
    port,
    username: 'root',
    keyFile: join(dir, 'id_ed25519'),
    hostPublicKey: host.public.split(' ').slice(0, 2).join(' '),
    sftpHome,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
