import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type SFTPWrapper } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario.js';
import { startVm, type SimulatedVm } from './server.js';

const PASSWORD = 'Lab-Pass-4711!';
const scenario = (vm: Record<string, unknown>) => parseScenario({ user: 'labuser07', vm }, 'inline.yaml');
const baseVm = { docker: 'Docker version 24.0.7, build afdd53b', dockerUsable: true, images: ['myapp'], home: { 'greetings/README.md': 'hello\n' } };

const started: SimulatedVm[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await Promise.all(started.splice(0).map((v) => v.close()));
});

async function vm(extra: Record<string, unknown> = {}) {
  const sim = await startVm({ scenario: scenario({ ...baseVm, ...extra }), password: PASSWORD });
  started.push(sim);
  return sim;
}

function login(sim: SimulatedVm): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    clients.push(c);
    c.once('ready', () => resolve(c)).once('error', reject);
    c.connect({ host: '127.0.0.1', port: sim.port, username: 'labuser07', password: PASSWORD });
  });
}

const exec = (c: Client, command: string) =>
  new Promise<{ out: string; err: string; code: number | null }>((resolve, reject) => {
    c.exec(command, (e, stream) => {
      if (e) return reject(e);
      let out = '';
      let err = '';
      let code: number | null = null;
      stream.on('data', (d: Buffer) => (out += d));
      stream.stderr.on('data', (d: Buffer) => (err += d));
      stream.on('exit', (c2: number | null) => (code = c2));
      stream.on('close', () => resolve({ out, err, code }));
    });
  });

const sftpOf = (c: Client) => new Promise<SFTPWrapper>((resolve, reject) => c.sftp((e, s) => (e ? reject(e) : resolve(s))));
const sftpError = (sftp: SFTPWrapper, path: string) =>
  new Promise<{ code?: number; message: string } | undefined>((resolve) => sftp.readFile(path, (e) => resolve(e as { code?: number; message: string } | undefined)));

describe('the simulated VM', () => {
  it('runs commands in a real bash with HOME and cwd at the home folder, and a clean environment', async () => {
    const sim = await vm();
    process.env.LAB_GRADE_TEST_SECRET = 'must-not-leak';
    const c = await login(sim);
    const r = await exec(c, 'echo "$HOME|$PWD|$USER"; echo "${LAB_GRADE_TEST_SECRET:-clean}"; cat greetings/README.md; exit 3');
    delete process.env.LAB_GRADE_TEST_SECRET;
    expect(r).toEqual({ out: `${sim.home}|${sim.home}|labuser07\nclean\nhello\n`, err: '', code: 3 });
  });

  it("docker answers the grader's --format templates like the real CLI", async () => {
    const c = await login(await vm({ images: ['myapp', 'labuser07acr.azurecr.io/myapi:v1.0'] }));
    expect(await exec(c, "docker info --format '{{.ServerVersion}}'")).toEqual({ out: '24.0.7\n', err: '', code: 0 });
    expect(await exec(c, "docker image ls --format '{{.Repository}}:{{.Tag}}'")).toEqual({ out: 'myapp:latest\nlabuser07acr.azurecr.io/myapi:v1.0\n', err: '', code: 0 });
    expect(await exec(c, "docker image ls --format='{{.Tag}} {{.Repository}}'")).toMatchObject({ out: 'latest myapp\nv1.0 labuser07acr.azurecr.io/myapi\n', code: 0 });
  });

  it('without access to the daemon, docker info --format exits 0 from CLI 23 to 28.0 and 1 otherwise, with the real permission-denied words', async () => {
    const denied = (request: string) =>
      `permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: ${request}: dial unix /var/run/docker.sock: connect: permission denied\n`;
    const cases: Array<[string, number, string, string, string]> = [
      // CLI version, exit of `docker info --format`, its stdout, the request named for info, for image ls
      ['20.10.24', 1, '', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info"', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/images/json"'],
      ['23.0.0', 0, '\n', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info"', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/images/json"'],
      ['24.0.7', 0, '\n', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info"', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/images/json"'],
      ['27.5.1', 0, '\n', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.47/info"', 'Head "http://%2Fvar%2Frun%2Fdocker.sock/_ping"'],
      ['28.0.4', 0, '\n', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.48/info"', 'Head "http://%2Fvar%2Frun%2Fdocker.sock/_ping"'],
      ['28.1.1', 1, '\n', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.49/info"', 'Head "http://%2Fvar%2Frun%2Fdocker.sock/_ping"'],
      // 28.2.2 as the real CLI answered on a socket it may not open
      ['28.2.2', 1, '\n', 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.50/info"', 'Head "http://%2Fvar%2Frun%2Fdocker.sock/_ping"'],
    ];
    for (const [version, code, out, infoRequest, imagesRequest] of cases) {
      const c = await login(await vm({ docker: `Docker version ${version}, build 0123abc`, dockerUsable: false }));
      expect([version, await exec(c, "docker info --format '{{.ServerVersion}}'")]).toEqual([version, { out, err: denied(infoRequest), code }]);
      expect([version, await exec(c, "docker image ls --format '{{.Repository}}:{{.Tag}}'")]).toEqual([version, { out: '', err: denied(imagesRequest), code: 1 }]);
    }
    const c29 = await login(await vm({ docker: 'Docker version 29.1.0, build 0123abc', dockerUsable: false }));
    expect(await exec(c29, "docker info --format '{{.ServerVersion}}'")).toEqual({
      out: '\n',
      err: 'permission denied while trying to connect to the docker API at unix:///var/run/docker.sock\n',
      code: 1,
    });
    const plain = await exec(c29, 'docker info');
    expect([plain.code, plain.out.startsWith('Client:\n'), plain.err.endsWith('errors pretty printing info\n')]).toEqual([1, true, true]);
  });

  it('with the daemon stopped, docker answers that it is not running, in the docker group or not, with the exit code and words of each version', async () => {
    const DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n';
    const DOWN_29 =
      'failed to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory\n';
    const cases: Array<[string, number, string, string]> = [
      // CLI version, exit of `docker info --format`, its stdout, the error on stderr
      ['20.10.24', 1, '', DOWN],
      ['24.0.7', 0, '\n', DOWN],
      ['28.1.1', 1, '\n', DOWN],
      ['29.1.0', 1, '\n', DOWN_29],
    ];
    for (const [version, code, out, err] of cases) {
      const c = await login(await vm({ docker: `Docker version ${version}, build 0123abc`, dockerUsable: true, dockerDaemon: 'stopped' }));
      expect([version, await exec(c, "docker info --format '{{.ServerVersion}}'")]).toEqual([version, { out, err, code }]);
      expect([version, await exec(c, "docker image ls --format '{{.Repository}}:{{.Tag}}'")]).toEqual([version, { out: '', err, code: 1 }]);
    }
  });

  it('serves the home over SFTP as /home/<user> and refuses anything outside it, symlinks included', async () => {
    const sim = await vm();
    symlinkSync('/etc/hostname', join(sim.home, 'escape'));
    const sftp = await sftpOf(await login(sim));
    const real = await new Promise<string>((resolve, reject) => sftp.realpath('.', (e, p) => (e ? reject(e) : resolve(p))));
    expect(real).toBe('/home/labuser07');
    const content = await new Promise<string>((resolve, reject) => sftp.readFile('/home/labuser07/greetings/README.md', (e, b) => (e ? reject(e) : resolve(b.toString()))));
    expect(content).toBe('hello\n');
    for (const path of ['/etc/passwd', '../../../etc/passwd', 'escape']) expect((await sftpError(sftp, path))?.code).toBe(2);
    const write = await new Promise<Error | undefined>((resolve) => sftp.writeFile('greetings/new.txt', 'x', (e) => resolve(e ?? undefined)));
    expect(write?.message).toMatch(/Permission denied/);
  });

  it('answers on its port 80 only while serving, and reload applies a changed scenario', async () => {
    const sim = await vm({ serving: false });
    await expect(fetch(`http://127.0.0.1:${sim.httpPort}/`)).rejects.toThrow();
    await sim.reload(scenario({ ...baseVm, serving: true, docker: null, home: { 'other.txt': 'x' } }));
    const page = await (await fetch(`http://127.0.0.1:${sim.httpPort}/`)).text();
    expect(page).toContain('<a href="/greeting">here</a>');
    const result = await (await fetch(`http://127.0.0.1:${sim.httpPort}/greeting`, { method: 'POST', body: new URLSearchParams({ content: 'hi there' }) })).text();
    expect(result).toContain('content: hi there');
    expect(existsSync(join(sim.home, 'greetings'))).toBe(false);
    expect(existsSync(join(sim.home, 'other.txt'))).toBe(true);
    expect((await exec(await login(sim), 'docker --version')).code).toBe(127);
  });

  it('close() ends sessions, stops listening and removes its files', async () => {
    const sim = await vm({ serving: true });
    const c = await login(sim);
    const ended = new Promise<void>((resolve) => c.once('end', () => resolve()));
    started.splice(0);
    await sim.close();
    await ended;
    expect(existsSync(sim.home)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${sim.httpPort}/`)).rejects.toThrow();
  });
});
