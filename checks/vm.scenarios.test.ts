/**
 * Exercises 1–2 end to end: each scenario of fixtures/scenarios/vm/ becomes a simulated VM (SSH
 * stand-in with a real bash and SFTP, and its port 80), the real SSH and HTTP probes reach it through the NetworkPolicy under a public-looking host name, and the engine grades it.
 * The verdicts must be the scenario's `expect:` block.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeStudent } from '../core/engine.js';
import { loadProfile } from '../core/profile.js';
import { Secret } from '../core/secret.js';
import type { Target } from '../core/target.js';
import { NetworkPolicy } from '../probes/net.js';
import { httpProbe } from '../probes/http/index.js';
import { sshVm } from '../probes/vm/ssh.js';
import { loadScenarios, type Scenario } from '../sandbox/scenario.js';
import { startVm, type SimulatedVm } from '../sandbox/vm/server.js';
import { checksOf } from '../test/support/profile.js';
import { CHECK_IDS } from './index.js';
import { mismatches } from '../test/support/expectations.js';

const SCENARIOS = fileURLToPath(new URL('../fixtures/scenarios/vm/', import.meta.url));
const PASSWORD = 'Vm-Pass-2024!';
const profile = loadProfile();
const scenarios = loadScenarios([SCENARIOS], CHECK_IDS);

const sims = new Map<string, SimulatedVm>();
beforeAll(async () => {
  for (const s of scenarios) sims.set(s.user, await startVm({ scenario: s, password: PASSWORD }));
});
afterAll(async () => {
  await Promise.all([...sims.values()].map((v) => v.close()));
});

async function grade(s: Scenario) {
  const sim = sims.get(s.user)!;
  const host = `${s.user}.westeurope.cloudapp.azure.com`;
  const policy = new NetworkPolicy({ loopbackOnly: true, connectTo: { [`${host}:22`]: `127.0.0.1:${sim.port}`, [`${host}:80`]: `127.0.0.1:${sim.httpPort}` } });
  const target: Target = { user: s.user, resourceGroup: s.azure.resourceGroup, vm: { host, port: 22, username: s.user, password: new Secret(PASSWORD, 'vm password') } };
  const vm = sshVm({ target: target.vm!, policy, timeoutMs: 1_500, maxOutputBytes: 64 * 1024 });
  const http = httpProbe({ policy, timeouts: { connect: 1_000, headers: 2_000, body: 2_000 }, maxBodyBytes: 64 * 1024, retry: { budgetMs: 0, baseDelayMs: 50 } });
  try {
    const { result, stats } = await gradeStudent(target, checksOf(1, 2), { probes: { vm, http } }, profile, {});
    return { result, stats, by: Object.fromEntries(result.checks.map((c) => [c.id, c])), host };
  } finally {
    await Promise.all([vm.close(), http.close()]);
  }
}

describe('Exercises 1–2 through the engine, per scenario', () => {
  it('has the scenarios the issue names', () => {
    expect(scenarios.map((s) => s.user).sort()).toEqual(
      [
        'vm-bad-password',
        'vm-compose-8080',
        'vm-compose-broken-yaml',
        'vm-compose-long-syntax',
        'vm-compose-no-ports',
        'vm-correct',
        'vm-docker-permission',
        'vm-hang',
        'vm-no-docker',
        'vm-repo-missing',
        'vm-unreachable',
      ].sort(),
    );
  });

  it.each(scenarios.map((s) => [s.user, s] as const))('%s gets the verdicts its scenario expects', async (_user, s) => {
    const { result } = await grade(s);
    expect(result.checks.map((c) => c.id).sort()).toEqual(Object.keys(s.expect).sort());
    expect(mismatches(s, result.checks)).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  const scenario = (user: string) => scenarios.find((s) => s.user === user)!;

  it('a correct VM: evidence shows the transport, host key, versions, file positions and the page', async () => {
    const { by, host, stats } = await grade(scenario('vm-correct'));
    // One look at the repo and one read of the compose file serve all of Exercise 2's checks.
    expect(stats.calls).toMatchObject({ 'vm.connect': 1, 'vm.stat': 1, 'vm.readFile': 1, 'vm.run': 3 });
    expect(by['ex1.vm.reachable'].evidence).toEqual({ transport: 'ssh', hostKey: sims.get('vm-correct')!.hostKey.fingerprint });
    expect(by['ex1.docker.installed'].message).toBe('Docker is installed: Docker version 24.0.7, build afdd53b');
    expect(by['ex1.docker.usable'].message).toBe('the Docker daemon 24.0.7 answers for vm-correct');
    expect(by['ex2.compose.ports']).toMatchObject({ message: 'service app publishes 80:8080 (docker-compose.yaml line 7, column 9)', evidence: { line: 7, col: 9, written: '80:8080' } });
    expect(by['ex2.images.built'].evidence).toMatchObject({ images: ['myapp:latest', 'labuser07acr.azurecr.io/myapp:v1.0', 'myapi:latest'] });
    expect(by['ex2.app.served']).toMatchObject({ status: 'pass', points: 1, bonus: true, evidence: { url: `http://${host}/`, status: 200 } });
  });

  it('8080:8080 fails saying what it found, where, and what step 4 wants', async () => {
    const { by } = await grade(scenario('vm-compose-8080'));
    expect(by['ex2.compose.ports'].message).toBe('app publishes 8080:8080 (docker-compose.yaml line 7, column 9); Exercise 2 step 4 wants 80:8080');
    expect(by['ex2.compose.ports'].hint).toMatch(/^Exercise 2 step 4: under `app:` add/);
    expect(by['ex2.app.served'].message).toMatch(/only while `docker-compose up` runs/);
  });

  it('no ports, broken YAML, no repo, no docker, no permission: each says what and how to fix', async () => {
    const noPorts = (await grade(scenario('vm-compose-no-ports'))).by['ex2.compose.ports'];
    expect(noPorts.message).toBe('service app publishes no ports (docker-compose.yaml line 4, column 5); Exercise 2 step 4 wants 80:8080');

    const broken = (await grade(scenario('vm-compose-broken-yaml'))).by;
    expect(broken['ex2.compose.valid'].message).toMatch(/^docker-compose\.yaml line \d+, column \d+: /);
    expect(broken['ex2.compose.ports']).toMatchObject({ status: 'blocked', blockedBy: 'ex2.compose.valid' });

    const repo = (await grade(scenario('vm-repo-missing'))).by['ex2.repo.cloned'];
    expect(repo.message).toBe('~/greetings does not exist on the VM');
    expect(repo.hint).toContain('git clone https://github.com/cadullms/greetings');

    const docker = (await grade(scenario('vm-no-docker'))).by['ex1.docker.installed'];
    expect(docker.message).toMatch(/Docker is not installed on the VM: `docker --version` answers "bash: line 1: docker: command not found"/);

    const permission = (await grade(scenario('vm-docker-permission'))).by['ex1.docker.usable'];
    expect(permission.message).toContain('permission denied while trying to connect to the Docker daemon socket');
    expect(permission.hint).toContain('sudo usermod -aG docker $USER');
  });

  it('long syntax in compose.yaml passes and names the file Compose uses', async () => {
    const { by } = await grade(scenario('vm-compose-long-syntax'));
    expect(by['ex2.repo.cloned'].message).toBe("~/greetings holds the app's Dockerfiles and compose.yaml");
    expect(by['ex2.compose.ports'].message).toBe('service app publishes 80:8080 (compose.yaml line 7, column 9)');
  });

  it('an unreachable VM is the grader’s error, never the student’s fail, and the student is incomplete', async () => {
    for (const user of ['vm-unreachable', 'vm-bad-password', 'vm-hang']) {
      const { result, by } = await grade(scenario(user));
      expect(result.status).toBe('incomplete');
      expect(by['ex1.docker.installed'].blockedBy).toBe('ex1.vm.reachable');
      if (user === 'vm-bad-password') expect(by['ex1.vm.reachable'].message).toBe('the VM refused the login for vm-bad-password: check vm.password / vm.keyFile');
    }
  });
});
