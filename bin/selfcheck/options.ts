/**
 * The self-check's command-line options, and when a run is a self-check: no class config named, no
 * --user, and no lab-grade.yaml in the folder — a student's `npx lab-grade` in Cloud Shell or on the VM.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError } from '../../core/errors.js';

export interface SelfCheckArgs {
  watch: boolean;
  intervalSeconds: number;
  local?: boolean;
  kubeconfig?: string;
  context?: string;
  subscription?: string;
  resourceGroup?: string;
  userName?: string;
}

export function selfCheckOptions<T>(y: Argv<T>) {
  return y
    .option('watch', { type: 'boolean', default: false, describe: 'Self-check: check again every --interval seconds or on Enter, showing what changed' })
    .option('interval', { type: 'number', default: 5, describe: 'Self-check --watch: seconds between checks' })
    .option('local', { type: 'boolean', describe: 'Self-check on your VM: grade Exercises 1–2 on this machine (default when ~/greetings exists, outside Cloud Shell)' })
    .option('kubeconfig', { type: 'string', describe: 'Self-check: the kubeconfig to use (default $KUBECONFIG or ~/.kube/config)' })
    .option('context', { type: 'string', describe: 'Self-check: the kubeconfig context (default its current context)' })
    .option('subscription', { type: 'string', describe: 'Self-check: your Azure subscription id (default $AZURE_SUBSCRIPTION_ID, the az CLI default, or your only one)' })
    .option('resource-group', { type: 'string', describe: 'Self-check: your resource group (default: your only one)' })
    .option('user-name', { type: 'string', describe: 'Self-check: your lab user name (default $USER)' });
}

const SELF_CHECK_ONLY = ['watch', 'local', 'kubeconfig', 'context', 'subscription', 'resourceGroup', 'userName'] as const;
const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Whether the default command grades this student only; self-check options with a class config are a usage error. */
export function isSelfCheck(a: Record<string, unknown>, cwd = process.cwd()): boolean {
  const selfCheck = a.config === undefined && ((a.user as string[] | undefined) ?? []).length === 0 && !existsSync(resolve(cwd, 'lab-grade.yaml'));
  if (!selfCheck) {
    const used = SELF_CHECK_ONLY.find((k) => a[k] !== undefined && a[k] !== false);
    if (used) throw new ConfigError(`is for a self-check (no --config, no --user and no lab-grade.yaml in this folder)`, undefined, flag(used));
  }
  return selfCheck;
}

export function selfCheckArgs(a: Record<string, unknown>): SelfCheckArgs {
  const interval = Number(a.interval);
  if (!Number.isFinite(interval) || interval < 1) throw new ConfigError(`expected a number of seconds ≥ 1, got ${JSON.stringify(a.interval)}`, undefined, '--interval');
  const str = (k: string) => (a[k] === undefined ? undefined : String(a[k]));
  return {
    watch: !!a.watch,
    intervalSeconds: interval,
    local: a.local === undefined ? undefined : !!a.local,
    kubeconfig: str('kubeconfig'),
    context: str('context'),
    subscription: str('subscription'),
    resourceGroup: str('resourceGroup'),
    userName: str('userName'),
  };
}
