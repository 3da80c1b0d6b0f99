/** Differential test: the SSH probe against Debian's real OpenSSH sshd, not only against our stand-in. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type RealSshd } from '../../test/support/sshd.js';
import { NetworkPolicy } from '../net.js';
import { VM_COMMANDS } from '../types.js';
import { fingerprintOf } from './host-keys.js';
import { sshVm } from './ssh.js';

let sshd: RealSshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

describe('sshVm against a real OpenSSH sshd', () => {
  it('pins the host key, runs the fixed commands as a shell would, and reads and stats over SFTP', async () => {
    mkdirSync(join(sshd.sftpHome, 'greetings', 'myapp'), { recursive: true });
    const compose = "version: '3'\nservices:\n  app:\n    build: myapp/.\n";
    writeFileSync(join(sshd.sftpHome, 'greetings', 'docker-compose.yaml'), compose);
    const knownHosts = join(sshd.sftpHome, '..', 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);

    const probe = sshVm({
      target: { host: '127.0.0.1', port: sshd.port, username: sshd.username, keyFile: sshd.keyFile, knownHosts },
      policy: new NetworkPolicy({ loopbackOnly: true }),
      timeoutMs: 10_000,
      maxOutputBytes: 64 * 1024,
    });
    try {
      const expectedFingerprint = fingerprintOf(Buffer.from(sshd.hostPublicKey.split(' ')[1], 'base64'));
      expect(await probe.connect()).toEqual({ transport: 'ssh', hostKey: expectedFingerprint });

      // The same fixed command run here through bash must give the same exit code and output.
      for (const name of ['dockerVersion', 'dockerInfo'] as const) {
        const local = spawnSync('bash', ['-c', VM_COMMANDS[name]], { encoding: 'utf8', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' } });
        const remote = await probe.run(name);
        expect(remote.code).toBe(local.status);
        expect(remote.stdout).toBe(local.stdout);
        expect(remote.stderr.split('\n')[0]).toBe(local.stderr.split('\n')[0]);
      }

      const file = await probe.readFile('greetings/docker-compose.yaml', 12);
      expect(file).toMatchObject({ exists: true, size: compose.length, truncated: true });
      expect(file.content.toString()).toBe("version: '3'");
      expect(await probe.readFile('greetings/compose.yaml', 100)).toMatchObject({ exists: false });
      expect(await probe.stat(['greetings', 'greetings/docker-compose.yaml', 'greetings/myapi'])).toEqual({
        greetings: 'dir',
        'greetings/docker-compose.yaml': 'file',
        'greetings/myapi': 'missing',
      });
    } finally {
      await probe.close();
    }
  });
});
