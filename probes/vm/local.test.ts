import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProbeError } from '../types.js';
import { localVm } from './local.js';

const root = mkdtempSync(join(tmpdir(), 'lab-grade-localvm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A home with a file, and a PATH whose `docker` is the given script body. */
function setup(dockerScript: string) {
  const dir = mkdtempSync(join(root, 'case-'));
  const home = join(dir, 'home');
  mkdirSync(join(home, 'greetings'), { recursive: true });
  writeFileSync(join(home, 'greetings', 'docker-compose.yaml'), 'services: {}\n'.repeat(100));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'docker'), `#!/bin/bash\n${dockerScript}\n`, { mode: 0o755 });
  return { home, env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` } };
}

describe('localVm', () => {
  it('runs the fixed command in bash with HOME and cwd at the home folder', async () => {
    const { home, env } = setup('echo "$HOME $PWD $*"; echo warn >&2; exit 4');
    const r = await localVm({ home, timeoutMs: 5_000, maxOutputBytes: 1024, env }).run('dockerVersion');
    expect(r).toEqual({ stdout: `${home} ${home} --version\n`, stderr: 'warn\n', code: 4, truncated: false });
  });

  it('caps output and kills a command (and its children) at the timeout', async () => {
    const loud = setup('yes docker | head -c 100000');
    expect(await localVm({ home: loud.home, timeoutMs: 5_000, maxOutputBytes: 64, env: loud.env }).run('dockerImages')).toMatchObject({ truncated: true, code: 0 });
    const slow = setup('sleep 30 & wait');
    const t0 = Date.now();
    const r = await localVm({ home: slow.home, timeoutMs: 300, maxOutputBytes: 64, env: slow.env }).run('dockerInfo');
    expect(r.code).toBeNull();
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('reads files capped, stats paths, and refuses paths outside the home', async () => {
    const { home, env } = setup('true');
    const vm = localVm({ home, timeoutMs: 1_000, maxOutputBytes: 64, env });
    expect(await vm.readFile('greetings/docker-compose.yaml', 26)).toMatchObject({ exists: true, size: 1300, truncated: true });
    expect((await vm.readFile('greetings/docker-compose.yaml', 26)).content.toString()).toBe('services: {}\nservices: {}\n');
    expect(await vm.readFile('greetings/compose.yaml', 26)).toMatchObject({ exists: false });
    expect(await vm.stat(['greetings', 'greetings/docker-compose.yaml', 'nope'])).toEqual({ greetings: 'dir', 'greetings/docker-compose.yaml': 'file', nope: 'missing' });
    await expect(vm.readFile('../etc/passwd', 10)).rejects.toBeInstanceOf(ProbeError);
    await expect(vm.stat(['/etc'])).rejects.toThrow(/relative to the home/);
  });
});
