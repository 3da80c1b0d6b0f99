/** Exercise 1: the student's VM (SSH login, Docker installed and usable). */
import { error, fail, pass, type CheckContext, type CheckDef } from '../core/check.js';
import type { Verdict } from '../core/model.js';
import { VM_COMMANDS, type CommandResult, type VmCommandName } from '../probes/types.js';
import { EX1_MESSAGES as M } from './ex1-vm.messages.js';

const EXCERPT_CHARS = 200;

/** The first non-empty line of a command's answer, shortened: enough to show, never a flood. */
export function excerpt(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

/** Runs a fixed VM command; its answer as evidence. A killed command is the grader's `error`. */
export async function runOnVm(ctx: CheckContext, name: VmCommandName): Promise<{ result: CommandResult; evidence: Record<string, unknown>; killed?: Verdict }> {
  const result = await ctx.probes.vm!.run(name);
  const evidence = {
    command: VM_COMMANDS[name],
    exitCode: result.code,
    ...(result.stdout.trim() ? { stdout: excerpt(result.stdout) } : {}),
    ...(result.stderr.trim() ? { stderr: excerpt(result.stderr) } : {}),
  };
  return { result, evidence, ...(result.code === null ? { killed: error(M.killed(VM_COMMANDS[name]), evidence) } : {}) };
}

const NOT_FOUND = /command not found|No such file or directory/i;
const DOCKER_VERSION = /Docker version [^\s,]+(?:, build \S+)?/;
const PERMISSION_DENIED = /permission denied while trying to connect to the Docker daemon/i;
const DAEMON_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running/i;

async function reachable(ctx: CheckContext): Promise<Verdict> {
  const vm = ctx.probes.vm!;
  const { transport, hostKey } = await vm.connect();
  return pass(M.reachable.pass(vm.description), { transport, ...(hostKey ? { hostKey } : {}) });
}

async function dockerInstalled(ctx: CheckContext): Promise<Verdict> {
  const { result, evidence, killed } = await runOnVm(ctx, 'dockerVersion');
  if (killed) return killed;
  const version = DOCKER_VERSION.exec(result.stdout)?.[0];
  if (result.code === 0 && version) return pass(M.installed.pass(version), evidence);
  const answer = excerpt(result.stderr || result.stdout);
  if (result.code === 127 || NOT_FOUND.test(result.stderr)) return fail(M.installed.missing(answer), M.installed.missingHint, evidence, true);
  return fail(M.installed.unexpected(result.code!, answer), M.installed.unexpectedHint, evidence, true);
}

async function dockerUsable(ctx: CheckContext): Promise<Verdict> {
  const { result, evidence, killed } = await runOnVm(ctx, 'dockerInfo');
  if (killed) return killed;
  const user = ctx.target.vm?.username ?? ctx.target.user;
  if (result.code === 0) return pass(M.usable.pass(result.stdout.trim(), user), evidence);
  const answer = excerpt(result.stderr || result.stdout);
  if (PERMISSION_DENIED.test(result.stderr)) return fail(M.usable.permission(user, answer), M.usable.permissionHint, evidence, true);
  // A daemon that is starting answers soon: not final, so --wait polls it.
  if (DAEMON_DOWN.test(result.stderr)) return fail(M.usable.daemonDown(answer), M.usable.daemonDownHint, evidence);
  return fail(M.usable.other(result.code!, answer), M.usable.otherHint, evidence);
}

export const ex1Checks: CheckDef[] = [
  { id: 'ex1.vm.reachable', exercise: 1, title: 'The VM accepts the lab login', needs: ['vm'], dependsOn: [], run: reachable },
  { id: 'ex1.docker.installed', exercise: 1, title: 'Docker is installed on the VM', needs: ['vm'], dependsOn: ['ex1.vm.reachable'], run: dockerInstalled },
  { id: 'ex1.docker.usable', exercise: 1, title: 'The lab user can use Docker', needs: ['vm'], dependsOn: ['ex1.docker.installed'], run: dockerUsable },
];
