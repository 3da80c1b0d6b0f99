/**
 * Exercise 1's VM: the lab login, and the helper every VM check runs its fixed commands through. A
 * command the probe had to kill tells nothing about the student: it is the grader's error (LG-011),
 * never a failure.
 */
import { describe, expect, it } from 'vitest';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { selectChecks } from '../../core/selection.js';
import { ProbeError } from '../../probes/types.js';
import { runWith, STUDENT } from '../../test/support/check-run.js';
import { standInVm } from '../../test/support/lab-vm.js';
import { dockerInstalled } from './docker.js';
import { runOnVm, vmReachable } from './vm.js';

describe('ex1.vm.reachable', () => {
  it('passes on login, showing the transport and the host key it was offered', async () => {
    expect(await runWith(vmReachable, { vm: standInVm() })).toEqual({
      status: 'pass',
      message: 'logged in (ssh labuser07@stand-in:22)',
      evidence: { transport: 'ssh', hostKey: 'SHA256:stand-in' },
    });
  });

  it('on the VM itself (no host key) shows the transport only', async () => {
    const local = { ...standInVm(), description: 'local /home/labuser07', connect: async () => ({ transport: 'local' as const }) };
    expect(await runWith(vmReachable, { vm: local })).toEqual({ status: 'pass', message: 'logged in (local /home/labuser07)', evidence: { transport: 'local' } });
  });
});

describe('runOnVm', () => {
  const ctxWith = (vm: ReturnType<typeof standInVm>) => ({ probes: { vm } }) as Parameters<typeof runOnVm>[0];

  it("gives the command's answer with the command, its exit code and first lines as evidence", async () => {
    const vm = standInVm({ commands: { dockerVersion: { code: 1, stdout: '\nfirst\nsecond', stderr: 'oops\n' } } });
    expect(await runOnVm(ctxWith(vm), 'dockerVersion')).toEqual({
      result: { code: 1, stdout: '\nfirst\nsecond', stderr: 'oops\n', truncated: false },
      evidence: { command: 'docker --version', exitCode: 1, stdout: 'first', stderr: 'oops' },
    });
  });

  it('a command the probe killed (no exit code) is a VM ProbeError carrying that evidence', async () => {
    const vm = standInVm({ commands: { dockerInfo: { code: null } } });
    const err = await runOnVm(ctxWith(vm), 'dockerInfo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err).toMatchObject({ probe: 'vm', detail: { command: "docker info --format '{{.ServerVersion}}'", exitCode: null } });
  });

  it('through the engine, a hung `docker --version` is the error LG-011, not a failure of the student', async () => {
    const vm = standInVm({ commands: { dockerVersion: { code: null } } });
    const { result } = await gradeStudent(STUDENT, selectChecks([vmReachable, dockerInstalled]), { probes: { vm } }, loadProfile());
    expect(result.checks.map((c) => [c.id, c.status, c.code])).toEqual([
      ['ex1.vm.reachable', 'pass', undefined],
      ['ex1.docker.installed', 'error', 'LG-011'],
    ]);
  });
});
