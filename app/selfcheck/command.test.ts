/** The command a self-check prints to run it again: the student's own, with the options that said where to look. */
import { describe, expect, it } from 'vitest';
import { selfCheckCommand } from './selfcheck.js';

describe('selfCheckCommand', () => {
  it('is the bare command when nothing was given', () => {
    expect(selfCheckCommand({ allowExecCredentials: false })).toBe('node lab-grade.mjs');
  });

  it('keeps every option that says where, quoted for the shell, and drops the rest', () => {
    expect(
      selfCheckCommand({
        sandbox: '/tmp/my lab',
        userName: 'labuser05',
        subscription: 'sub-1',
        resourceGroup: 'rg1',
        kubeconfig: '/home/me/.kube/other config',
        context: 'aks05',
        local: false,
        allowExecCredentials: true,
      }),
    ).toBe(
      "node lab-grade.mjs --sandbox '/tmp/my lab' --user-name labuser05 --subscription sub-1 --resource-group rg1 --kubeconfig '/home/me/.kube/other config' --context aks05 --no-local --allow-exec-credentials",
    );
    expect(selfCheckCommand({ local: true, allowExecCredentials: false })).toBe('node lab-grade.mjs --local');
  });

  it('starts with the command as the student started it', () => {
    expect(selfCheckCommand({ program: 'lab-grade', sandbox: '/tmp/lab', userName: 'labuser05', allowExecCredentials: false })).toBe('lab-grade --sandbox /tmp/lab --user-name labuser05');
  });
});
