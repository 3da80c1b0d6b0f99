import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Secret } from '../../core/secret.js';
import type { VmTarget } from '../../core/target.js';
import { listenLoopback } from '../../sandbox/listen.js';
import { parseScenario } from '../../sandbox/scenario.js';
import { startVm, type SimulatedVm } from '../../sandbox/vm/server.js';
import { until } from '../../test/support/until.js';
import { NetworkPolicy } from '../net.js';
import { ProbeError, type VmProbe } from '../types.js';
import { sshVm, type SshVmOptions } from './ssh.js';

const PASSWORD = 'Lab-Pass-4711!';
const scratch = mkdtempSync(join(tmpdir(), 'lab-grade-ssh-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function scenario(vm: Record<string, unknown> | null, faults: Record<string, unknown> = {}) {
  return parseScenario({ user: 'labuser07', ...(vm ? { vm } : {}), faults }, 'inline.yaml');
}

const correctVm = {
  docker: 'Docker version 24.0.7, build afdd53b',
  dockerUsable: true,
  images: ['myapp', 'myapi', 'labuser07acr.azurecr.io/myapp:v1.0'],
  home: {
    'greetings/docker-compose.yaml': "version: '3'\nservices: {}\n",
    'greetings/myapp/Dockerfile': 'FROM tomcat:8.5-jre8-alpine\n',
    'notes.txt': 'x'.repeat(5000),
  },
};

const started: SimulatedVm[] = [];
const probes: VmProbe[] = [];
afterEach(async () => {
  await Promise.all(probes.splice(0).map((p) => p.close()));
  await Promise.all(started.splice(0).map((v) => v.close()));
});

async function vmWith(vm: Record<string, unknown> | null, faults: Record<string, unknown> = {}, more: { authorizedKey?: string } = {}) {
  const sim = await startVm({ scenario: scenario(vm, faults), password: PASSWORD, ...more });
  started.push(sim);
  return sim;
}

function probeFor(sim: SimulatedVm, opts: Omit<Partial<SshVmOptions>, 'target'> & { target?: Partial<VmTarget> } = {}) {
  const target: VmTarget = { host: '127.0.0.1', port: sim.port, username: 'labuser07', password: new Secret(PASSWORD, 'vm password'), ...opts.target };
  const probe = sshVm({ policy: new NetworkPolicy({ loopbackOnly: true }), timeoutMs: 2_000, maxOutputBytes: 64 * 1024, ...opts, target });
  probes.push(probe);
  return probe;
}

/** A loopback relay to the VM whose connections the test can drop, as a VM that vanishes drops them. */
async function relayTo(sim: SimulatedVm) {
  const sockets = new Set<Socket>();
  const keep = (s: Socket) => (sockets.add(s), s.on('error', () => {}).once('close', () => sockets.delete(s)));
  const relay = createServer((inbound) => {
    const outbound = connect(sim.port, '127.0.0.1');
    keep(inbound).pipe(keep(outbound)).pipe(inbound);
  });
  const port = await listenLoopback(relay);
  const dropAll = () => sockets.forEach((s) => s.destroy());
  return {
    port,
    dropAll,
    close: () =>
      new Promise<void>((resolve) => {
        relay.close(() => resolve());
        dropAll();
      }),
  };
}

async function rejection(p: Promise<unknown>): Promise<ProbeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProbeError);
  return err as ProbeError;
}

describe('sshVm against the simulated VM', () => {
  it('logs in once and runs the fixed commands, capturing stdout, stderr and exit code', async () => {
    const sim = await vmWith(correctVm);
    const policy = new NetworkPolicy({ loopbackOnly: true });
    const dial = vi.spyOn(policy, 'socket');
    const probe = probeFor(sim, { policy });
    const seen: string[] = [];
    const tofu = probeFor(sim, { hostKeys: { onFirstUse: (host, fp) => seen.push(`${host} ${fp}`) } });

    expect(await probe.connect()).toEqual({ transport: 'ssh', hostKey: sim.hostKey.fingerprint });
    const [version, info, images] = await Promise.all([probe.run('dockerVersion'), probe.run('dockerInfo'), probe.run('dockerImages')]);
    expect(version).toEqual({ stdout: 'Docker version 24.0.7, build afdd53b\n', stderr: '', code: 0, truncated: false });
    expect(info).toMatchObject({ stdout: '24.0.7\n', code: 0 });
    expect(images.stdout.trim().split('\n')).toEqual(['myapp:latest', 'myapi:latest', 'labuser07acr.azurecr.io/myapp:v1.0']);
    expect(dial).toHaveBeenCalledTimes(1);

    await tofu.connect();
    expect(seen).toEqual([`127.0.0.1 ${sim.hostKey.fingerprint}`]);
  });

  it('shows docker as bash and the daemon show it: not installed (127); permission denied exits 0 from `docker info --format` on docker 24', async () => {
    const none = await vmWith({ ...correctVm, docker: null });
    const r = await probeFor(none).run('dockerVersion');
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('bash: line 1: docker: command not found\n');

    const denied = await vmWith({ ...correctVm, dockerUsable: false });
    const info = await probeFor(denied).run('dockerInfo');
    // CLIs 23 to 28.0 exit 0 here (an empty template, the error on stderr): the check decides from the answer.
    expect(info.code).toBe(0);
    expect(info.stdout.trim()).toBe('');
    expect(info.stderr).toContain('permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock');
  });

  it('reads files over SFTP relative to the home, capped, and stats paths', async () => {
    const sim = await vmWith(correctVm);
    const probe = probeFor(sim);
    const compose = await probe.readFile('greetings/docker-compose.yaml', 1024);
    expect(compose).toMatchObject({ exists: true, truncated: false, size: 26 });
    expect(compose.content.toString()).toBe("version: '3'\nservices: {}\n");

    const capped = await probe.readFile('notes.txt', 100);
    expect(capped).toMatchObject({ exists: true, size: 5000, truncated: true });
    expect(capped.content.length).toBe(100);

    expect(await probe.readFile('greetings/compose.yaml', 100)).toMatchObject({ exists: false, size: 0 });
    expect(await probe.stat(['greetings', 'greetings/myapp/Dockerfile', 'greetings/myapi/Dockerfile'])).toEqual({
      greetings: 'dir',
      'greetings/myapp/Dockerfile': 'file',
      'greetings/myapi/Dockerfile': 'missing',
    });
  });

  it('refuses absolute paths and ".." before anything is sent', async () => {
    const sim = await vmWith(correctVm);
    const probe = probeFor(sim);
    expect((await rejection(probe.readFile('/etc/passwd', 100))).message).toMatch(/relative to the home/);
    expect((await rejection(probe.readFile('greetings/../../etc/passwd', 100))).message).toMatch(/"\.\." is not allowed/);
    expect((await rejection(probe.stat(['~/greetings']))).message).toMatch(/relative to the home/);
  });

  it('caps command output and marks it truncated', async () => {
    const sim = await vmWith(correctVm);
    const r = await probeFor(sim, { maxOutputBytes: 10 }).run('dockerImages');
    expect(r).toMatchObject({ stdout: 'myapp:late', truncated: true, code: 0 });
  });

  it('kills a command that outlives the per-command timeout (exit code null)', async () => {
    const sim = await vmWith(correctVm, { latencyMs: 10_000 });
    const t0 = Date.now();
    const r = await probeFor(sim, { timeoutMs: 600 }).run('dockerVersion');
    expect(r.code).toBeNull();
    // Well before the command's own 10 s.
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('logs in with a key file', async () => {
    const keys = utils.generateKeyPairSync('ed25519');
    const keyFile = join(scratch, 'id_ed25519');
    writeFileSync(keyFile, keys.private, { mode: 0o600 });
    const sim = await vmWith(correctVm, {}, { authorizedKey: keys.public });
    const probe = probeFor(sim, { target: { keyFile, password: undefined } });
    expect((await probe.run('dockerVersion')).code).toBe(0);
  });

  describe('faults end in a ProbeError within the timeout', () => {
    it.each([
      ['refuse', /connection refused/],
      ['hang', /no SSH answer within 1\.2 s/],
      ['bad-password', /the VM refused the login for labuser07: check vm\.password \/ vm\.keyFile/],
    ])('%s', async (fault, message) => {
      const sim = await vmWith(correctVm, { vm: fault });
      const t0 = Date.now();
      const err = await rejection(probeFor(sim, { timeoutMs: 1_200 }).run('dockerVersion'));
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(PASSWORD);
      expect(err.probe).toBe('vm');
    });

    it('a VM the scenario leaves out refuses connections', async () => {
      const sim = await vmWith(null);
      expect((await rejection(probeFor(sim).connect())).message).toMatch(/connection refused/);
    });
  });

  it('a VM that vanishes mid-command ends that command in a ProbeError, and the next call logs in again', async () => {
    const sim = await vmWith(correctVm, { latencyMs: 10_000 });
    const relay = await relayTo(sim);
    try {
      const probe = probeFor(sim, { target: { port: relay.port }, timeoutMs: 20_000 });
      await probe.connect();
      const lost = rejection(probe.run('dockerVersion'));
      await until('the VM to receive the command', () => sim.traffic().execs === 1);
      relay.dropAll();
      const err = await lost;
      expect([err.probe, err.detail]).toEqual(['vm', { transport: 'ssh', command: 'docker --version' }]);
      expect(await probe.connect()).toEqual({ transport: 'ssh', hostKey: sim.hostKey.fingerprint });
      expect(sim.traffic().sshConnections).toBe(2);
    } finally {
      await relay.close();
    }
  });

  describe('host key pinning', () => {
    it('accepts the pinned key and refuses another one, naming both ends', async () => {
      const sim = await vmWith(correctVm);
      const good = join(scratch, 'known_hosts.good');
      writeFileSync(good, `# class VMs\n[127.0.0.1]:${sim.port} ${sim.hostKey.type} ${sim.hostKey.base64}\n`);
      expect(await probeFor(sim, { target: { knownHosts: good } }).connect()).toEqual({ transport: 'ssh', hostKey: sim.hostKey.fingerprint });

      const other = utils.parseKey(utils.generateKeyPairSync('ed25519').public);
      if (other instanceof Error || Array.isArray(other)) throw new Error('test key');
      const bad = join(scratch, 'known_hosts.bad');
      writeFileSync(bad, `[127.0.0.1]:${sim.port} ssh-ed25519 ${other.getPublicSSH().toString('base64')}\n`);
      const err = await rejection(probeFor(sim, { hostKeys: { knownHostsFile: bad } }).connect());
      expect(err.message).toContain(`the host key ${sim.hostKey.fingerprint} does not match the one pinned in ${bad}`);
      expect(err.detail).toMatchObject({ hostKey: sim.hostKey.fingerprint });
    });

    it('refuses a host the known_hosts file does not list', async () => {
      const sim = await vmWith(correctVm);
      const file = join(scratch, 'known_hosts.other');
      writeFileSync(file, `otherhost ${sim.hostKey.type} ${sim.hostKey.base64}\n`);
      expect((await rejection(probeFor(sim, { hostKeys: { knownHostsFile: file } }).connect())).message).toMatch(/is not listed for \[127\.0\.0\.1\]:\d+/);
    });
  });
});
