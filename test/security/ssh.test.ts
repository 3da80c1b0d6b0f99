/**
 * The student's VM over SSH when it fights back (faults.vm of the simulated lab): a refused port, a
 * port that never speaks SSH, a refused password. Each is an `error` with a clear message within the
 * deadline, through the probe and through the engine. Command output is capped. A host whose key does
 * not match the pinned one is refused before the password is offered.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { checksOf } from '../support/profile.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { Secret } from '../../core/secret.js';
import { NetworkPolicy } from '../../probes/net.js';
import { ProbeError } from '../../probes/types.js';
import { sshVm } from '../../probes/vm/ssh.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import { startVm, type SimulatedVm } from '../../sandbox/vm/server.js';
import { BUILT_IN, rejection, timed, variant, watchConnections } from './support.js';

const PASSWORD = 'Vm-Hostile-Pass-2024!';
const TIMEOUT_MS = 1_500;
const base = loadScenarios([join(BUILT_IN, 'vm', 'correct.yaml')])[0];
const profile = loadProfile();
const sims: SimulatedVm[] = [];
const watch = watchConnections();
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  watch.stop();
  expect(watch.outsideLoopback()).toEqual([]);
});

const host = (user: string) => `${user}.westeurope.cloudapp.azure.com`;

async function vmWith(user: string, over: Partial<typeof base> = {}, faults: Partial<typeof base.faults> = {}) {
  const sim = await startVm({ scenario: { ...variant(base, user, faults), ...over }, password: PASSWORD });
  sims.push(sim);
  const policy = new NetworkPolicy({ loopbackOnly: true, connectTo: { [`${host(user)}:22`]: `127.0.0.1:${sim.port}` } });
  return { sim, policy };
}

function probe(user: string, policy: NetworkPolicy, extra: { knownHosts?: string; maxOutputBytes?: number } = {}) {
  return sshVm({
    target: { host: host(user), port: 22, username: user, password: new Secret(PASSWORD, 'vm password'), ...(extra.knownHosts ? { knownHosts: extra.knownHosts } : {}) },
    policy,
    timeoutMs: TIMEOUT_MS,
    maxOutputBytes: extra.maxOutputBytes ?? 64 * 1024,
  });
}

const CASES = [
  ['refuse', /connection refused \(is the VM running and is SSH open on port 22\?\)/],
  ['hang', /no SSH answer within 1\.5 s \(the port accepts connections but the SSH handshake did not complete\)/],
  ['bad-password', /the VM refused the login for vm-fault-bad-password: check vm\.password \/ vm\.keyFile/],
] as const;

describe('faults.vm', () => {
  it.each(CASES)('%s: the probe fails with a clear message within the deadline', async (fault, message) => {
    const user = `vm-fault-${fault}`;
    const { policy } = await vmWith(user, {}, { vm: fault });
    const vm = probe(user, policy);
    const { value: err, ms } = await timed(TIMEOUT_MS + 2_000, () => rejection(() => vm.connect()));
    await vm.close();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(PASSWORD);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1_000);
  });

  it.each(CASES)('%s: graded `error` (never fail) by the engine, the rest blocked, within the deadline', async (fault) => {
    const user = `vm-engine-${fault}`;
    const { policy } = await vmWith(user, {}, { vm: fault });
    const vm = probe(user, policy);
    const { value, ms } = await timed(10_000, () =>
      gradeStudent({ user, resourceGroup: 'rg', vm: { host: host(user), port: 22, username: user } }, checksOf(1), { probes: { vm } }, profile, { probeTimeoutMs: { vm: TIMEOUT_MS } }),
    );
    await vm.close();
    const by = Object.fromEntries(value.result.checks.map((c) => [c.id, c]));
    expect(by['ex1.vm.reachable'].status).toBe('error');
    expect(by['ex1.docker.installed'].status).toBe('blocked');
    expect(value.result.status).toBe('incomplete');
    expect(ms).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(JSON.stringify(value.result)).not.toContain(PASSWORD);
  });
});

describe('output and host keys', () => {
  it('command output is capped (20 000 images listed, 4 KiB kept)', async () => {
    const images = Array.from({ length: 20_000 }, (_, i) => `image-${i}-${'x'.repeat(40)}`);
    const user = 'vm-many-images';
    const { policy } = await vmWith(user, { vm: { ...base.vm!, images } });
    const vm = probe(user, policy, { maxOutputBytes: 4096 });
    const r = await vm.run('dockerImages');
    await vm.close();
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(4096);
    expect(r.code).toBe(0);
  });

  it('a pinned host presenting another key is refused before any password is offered', async () => {
    // An impostor on the VM's address: it records every authentication attempt.
    const attempts: string[] = [];
    const impostorKey = utils.generateKeyPairSync('ed25519');
    const impostor = new Server({ hostKeys: [impostorKey.private] }, (client) => {
      client.on('authentication', (ctx) => {
        attempts.push(`${ctx.method}${ctx.method === 'password' ? ` ${ctx.password}` : ''}`);
        ctx.reject();
      });
      client.on('error', () => {});
    });
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', () => r()));
    const port = (impostor.address() as { port: number }).port;
    const user = 'vm-pinned';
    const { sim } = await vmWith(user);
    const dir = mkdtempSync(join(tmpdir(), 'lab-grade-known-hosts-'));
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${host(user)} ${sim.hostKey.type} ${sim.hostKey.base64}\n`);

    // The genuine VM passes with its pin...
    const genuine = probe(user, new NetworkPolicy({ loopbackOnly: true, connectTo: { [`${host(user)}:22`]: `127.0.0.1:${sim.port}` } }), { knownHosts });
    expect(await genuine.connect()).toEqual({ transport: 'ssh', hostKey: sim.hostKey.fingerprint });
    await genuine.close();
    // ...the impostor on the same name does not, and never sees the password.
    const vm = probe(user, new NetworkPolicy({ loopbackOnly: true, connectTo: { [`${host(user)}:22`]: `127.0.0.1:${port}` } }), { knownHosts });
    const err = await rejection(() => vm.connect());
    await vm.close();
    impostor.close();
    expect(err.message).toMatch(new RegExp(`the host key SHA256:\\S+ does not match the one pinned in .*known_hosts: refusing to log in`));
    expect(attempts).toEqual([]);
  });
});
