/**
 * Exercise 1's VM: the lab login works, and the helpers every VM check shares to run the grader's
 * fixed commands there and show their answers.
 */
import { defineCheck, pass, type CheckContext } from '../../core/check.js';
import { ProbeError, VM_COMMANDS, type CommandResult, type VmCommandName } from '../../probes/types.js';
import { firstLine } from '../text.js';

export interface VmAnswer {
  result: CommandResult & { code: number };
  evidence: Record<string, unknown>;
}

/**
 * The answer of a fixed VM command, with its evidence. A command the probe had to kill (a hung docker
 * CLI) tells nothing about the student: the grader could not find out.
 */
export async function runOnVm(ctx: CheckContext<'vm'>, name: VmCommandName): Promise<VmAnswer> {
  const result = await ctx.probes.vm.run(name);
  const evidence = {
    command: VM_COMMANDS[name],
    exitCode: result.code,
    ...(result.stdout.trim() ? { stdout: firstLine(result.stdout) } : {}),
    ...(result.stderr.trim() ? { stderr: firstLine(result.stderr) } : {}),
  };
  if (result.code === null) throw new ProbeError('vm', `\`${VM_COMMANDS[name]}\` did not finish in time on the VM`, evidence);
  return { result: { ...result, code: result.code }, evidence };
}

export const vmReachable = defineCheck({
  id: 'ex1.vm.reachable',
  exercise: 1,
  passes: 'SSH login works (or `--local` on the VM) — prerequisite of every VM check',
  title: () => 'The VM accepts the lab login',
  points: { points: 0 },
  needs: ['vm'],
  dependsOn: [],
  reasons: {},
  async run(ctx) {
    const { transport, hostKey } = await ctx.probes.vm.connect();
    return pass(`logged in (${ctx.probes.vm.description})`, { transport, ...(hostKey ? { hostKey } : {}) });
  },
});
