/**
 * Reason codes the engine itself gives (the checks' own codes live beside each check, LG-101 and up):
 * why a check could not be graded or did not run. Stable: reports carry them and tests assert them.
 */
import { reasons, type Reason } from './check.js';
import type { ProbeKind } from './model.js';

export const ENGINE_REASONS = reasons({
  crashed: ['LG-001', 'the check could not finish (a grader bug)'],
  timeout: ['LG-002', 'the check took longer than its time bound'],
  deadline: ['LG-003', "the student's deadline was reached"],
  notOpened: ['LG-004', "the student's environment could not be opened"],
  unreachable: ['LG-005', 'nothing of the student could be reached in the pre-flight'],
  vm: ['LG-011', 'the VM could not be read'],
  azure: ['LG-012', 'Azure could not be read'],
  registry: ['LG-013', 'the registry could not be read'],
  kube: ['LG-014', 'the Kubernetes API could not be read'],
  http: ['LG-015', 'the app could not be read'],
  graderRight: ['LG-016', "the grader's own identity lacks a right it needs: the instructor grants it"],
  unavailable: ['LG-021', 'no access to this part of the environment in this mode'],
  disruptive: ['LG-022', 'changes the environment: needs --allow-disruptive'],
});

/** The reason of a probe that could not find out. */
export const probeReason = (probe: ProbeKind): Reason => ENGINE_REASONS[probe];
