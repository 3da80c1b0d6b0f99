/**
 * `--local`: a student runs the grader on their VM. localVm grades Exercises 1–2 from a temp home
 * holding a greetings clone (the upstream compose stub plus the lab's edit), with the simulated
 * VM's stand-in `docker` on PATH, exactly as the SSH path would.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradeStudent } from '../core/engine.js';
import { loadProfile } from '../core/profile.js';
import { localVm } from '../probes/vm/local.js';
import { writeDockerStub } from '../sandbox/vm/docker-stub.js';
import { vmEnvironment } from '../sandbox/vm/exec.js';
import { checksOf } from '../test/support/profile.js';
import { sharedPath } from '../test/support/shared.js';

const root = mkdtempSync(join(tmpdir(), 'lab-grade-local-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function studentHome(composeEdit: (stub: string) => string, docker: { usable: boolean; images: string[] }) {
  const dir = mkdtempSync(join(root, 'case-'));
  const home = join(dir, 'home');
  const repo = join(home, 'greetings');
  mkdirSync(join(repo, 'myapp'), { recursive: true });
  mkdirSync(join(repo, 'myapi'), { recursive: true });
  cpSync(sharedPath('fixtures', 'upstream-greetings', 'docker-compose.db.yaml'), join(repo, 'docker-compose.db.yaml'));
  writeFileSync(join(repo, 'docker-compose.yaml'), composeEdit(readFileSync(sharedPath('fixtures', 'upstream-greetings', 'docker-compose.yaml'), 'utf8')));
  for (const app of ['myapp', 'myapi']) writeFileSync(join(repo, app, 'Dockerfile'), 'FROM tomcat:8.5-jre8-alpine\n');
  writeDockerStub(join(dir, 'bin'), join(dir, 'docker-data'), {
    docker: 'Docker version 24.0.7, build afdd53b',
    dockerUsable: docker.usable,
    dockerDaemon: 'running',
    images: docker.images,
    serving: false,
    home: {},
  });
  return { home, env: vmEnvironment('labuser07', home, join(dir, 'bin')) };
}

const addPorts = (stub: string) => stub.replace('    image: "${REGISTRY}myapp:${TAG-latest}"', '    image: "${REGISTRY}myapp:${TAG-latest}"\n    ports:\n      - "0.0.0.0:80:8080/tcp"');

async function gradeLocal(home: string, env: NodeJS.ProcessEnv) {
  const vm = localVm({ home, timeoutMs: 5_000, maxOutputBytes: 64 * 1024, env });
  const { result } = await gradeStudent({ user: 'labuser07', resourceGroup: 'labuser07-rg', localHome: home }, checksOf(1, 2), { probes: { vm } }, loadProfile(), {});
  return Object.fromEntries(result.checks.map((c) => [c.id, c]));
}

describe('--local: grading Exercises 1–2 on the VM itself', () => {
  it('passes a finished Exercise 2 and skips what needs an HTTP probe', async () => {
    const { home, env } = studentHome(addPorts, { usable: true, images: ['myapp', 'myapi'] });
    const by = await gradeLocal(home, env);
    expect(Object.fromEntries(Object.entries(by).map(([id, c]) => [id, c.status]))).toEqual({
      'ex1.vm.reachable': 'pass',
      'ex1.docker.installed': 'pass',
      'ex1.docker.usable': 'pass',
      'ex2.repo.cloned': 'pass',
      'ex2.compose.valid': 'pass',
      'ex2.compose.ports': 'pass',
      'ex2.images.built': 'pass',
      'ex2.app.served': 'skipped',
    });
    expect(by['ex1.vm.reachable'].evidence).toEqual({ transport: 'local' });
    expect(by['ex2.compose.ports'].message).toBe('service app publishes 0.0.0.0:80:8080 (docker-compose.yaml line 7, column 9)');
  });

  it('fails the stub without ports and a user outside the docker group, as over SSH', async () => {
    const { home, env } = studentHome((s) => s, { usable: false, images: [] });
    const by = await gradeLocal(home, env);
    expect(by['ex2.compose.ports'].status).toBe('fail');
    expect(by['ex1.docker.usable']).toMatchObject({ status: 'fail' });
    expect(by['ex1.docker.usable'].hint).toContain('sudo usermod -aG docker $USER');
    expect(by['ex2.images.built']).toMatchObject({ status: 'blocked', blockedBy: 'ex1.docker.usable' });
  });

  it('a home folder that does not exist is an error, not a fail', async () => {
    const by = await gradeLocal(join(root, 'nobody'), {});
    expect(by['ex1.vm.reachable'].status).toBe('error');
    expect(by['ex1.vm.reachable'].message).toContain('does not exist on this machine');
  });
});
