/**
 * Exercise 1's Docker checks on a stand-in VM: each answer of `docker --version` and `docker info` the
 * lab meets, and the reason code, found and expected it gives. Only this module is imported, so a broken
 * docker.ts fails these tests instead of stopping them from loading.
 */
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { standInVm } from '../../test/support/lab-vm.js';
import { dockerInstalled, dockerUsable } from './docker.js';

const version = (answer: Partial<CommandResult>) => runWith(dockerInstalled, { vm: standInVm({ commands: { dockerVersion: answer } }) });
const info = (answer: Partial<CommandResult>) => runWith(dockerUsable, { vm: standInVm({ commands: { dockerInfo: answer } }) });

// Docker CLI 29's words (28 and older say "the Docker daemon socket").
const DENIED = 'permission denied while trying to connect to the docker API at unix:///var/run/docker.sock';
// A daemon that is not running, in the words of CLIs up to 28 and of 29.
const DAEMON_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
const DAEMON_DOWN_29 =
  'failed to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory';

describe('ex1.docker.installed', () => {
  it('passes on a Docker version line, which it reports as found', async () => {
    expect(await version({ stdout: 'Docker version 24.0.7, build afdd53b\n' })).toMatchObject({ status: 'pass', found: 'Docker version 24.0.7, build afdd53b' });
  });

  it('a shell without docker (exit 127) fails with LG-111, quoting the answer', async () => {
    expect(await version({ code: 127, stderr: 'bash: line 1: docker: command not found\n' })).toMatchObject({
      status: 'fail',
      code: 'LG-111',
      outcome: 'needs-fix',
      found: 'bash: line 1: docker: command not found',
      expected: 'Docker version …',
    });
  });

  it('a docker that answers without a Docker version fails with LG-112, quoting the answer', async () => {
    // podman-docker installs a `docker` that is podman.
    expect(await version({ stdout: 'podman version 4.3.1\n' })).toMatchObject({ status: 'fail', code: 'LG-112', outcome: 'needs-fix', found: 'podman version 4.3.1', expected: 'Docker version …' });
  });

  it('a docker that exits with an error other than "not found" fails with LG-112', async () => {
    expect(await version({ code: 139, stderr: 'Segmentation fault (core dumped)' })).toMatchObject({ status: 'fail', code: 'LG-112', found: 'Segmentation fault (core dumped)' });
  });
});

describe('ex1.docker.usable', () => {
  it('passes when the daemon names its server version, found being that version', async () => {
    expect(await info({ stdout: '24.0.7\n' })).toMatchObject({ status: 'pass', found: '24.0.7' });
  });

  it.each([
    ['with exit code 1', 1],
    ['with exit code 0, as CLIs 23 to 28.0 do', 0],
  ])('a user outside the docker group fails with LG-121 %s', async (_how, code) => {
    expect(await info({ code, stderr: DENIED })).toMatchObject({ status: 'fail', code: 'LG-121', outcome: 'needs-fix', found: DENIED });
  });

  it.each([
    ['with exit code 1', 1, ''],
    // CLIs 23 to 28.0 print the error, render the template without server data and exit 0.
    ['with exit code 0 and an empty template, as CLIs 23 to 28.0 do', 0, '\n'],
  ])('a daemon that is not running fails with LG-122 %s, which waiting can change', async (_how, code, stdout) => {
    expect(await info({ code, stdout, stderr: DAEMON_DOWN })).toMatchObject({ status: 'fail', code: 'LG-122', outcome: 'not-ready', found: DAEMON_DOWN });
  });

  it('a daemon that is not running fails with LG-122 in the words of CLI 29 too', async () => {
    expect(await info({ code: 1, stdout: '\n', stderr: DAEMON_DOWN_29 })).toMatchObject({ status: 'fail', code: 'LG-122', found: DAEMON_DOWN_29 });
  });

  it('another failure of `docker info` fails with LG-123, quoting it', async () => {
    const answer = 'error during connect: Get "http://docker.example:2375/v1.24/info": dial tcp: lookup docker.example: no such host';
    expect(await info({ code: 1, stderr: answer })).toMatchObject({ status: 'fail', code: 'LG-123', found: answer });
  });

  it('a `docker info` that succeeds without a server version fails with LG-124', async () => {
    expect(await info({ code: 0, stdout: '\n' })).toMatchObject({ status: 'fail', code: 'LG-124', found: 'nothing' });
    expect(await info({ code: 0, stderr: 'WARNING: No swap limit support' })).toMatchObject({ status: 'fail', code: 'LG-124', found: 'WARNING: No swap limit support' });
  });
});
