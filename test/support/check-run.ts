/**
 * Running one check's `run` on stand-in probes, without the engine or the catalogue: a check's own test
 * imports only its module, so a mutant that breaks another check's module cannot stop it from loading.
 * The context is the engine's (a fact the check did not declare in `uses` is refused, as the engine
 * refuses it); the VM stand-in answers from a table of files and command answers.
 */
import type { CheckContext, CheckDef, Facts, ProbesFor, Verdict } from '../../core/check.js';
import type { ProbeKind } from '../../core/model.js';
import { loadProfile, type LabProfile } from '../../core/profile.js';
import type { Target } from '../../core/target.js';
import type { CommandResult, Probes, VmCommandName, VmProbe } from '../../probes/types.js';

/** The student the stand-in runs grade. */
export const STUDENT: Target = { user: 'labuser07', resourceGroup: 'labuser07-rg' };

export interface StandInRun {
  /** The facts earlier checks provided. */
  facts?: Partial<Facts>;
  profile?: LabProfile;
  target?: Target;
  options?: Partial<CheckContext['options']>;
  signal?: AbortSignal;
}

let labProfile: LabProfile | undefined;

/** Runs `check` for labuser07 on `probes`, as the engine would call it (no deadline, no polling). */
export function runWith<N extends ProbeKind>(check: CheckDef<N>, probes: Probes, run: StandInRun = {}): Promise<Verdict> {
  return check.run({
    target: run.target ?? STUDENT,
    profile: run.profile ?? (labProfile ??= loadProfile()),
    probes: probes as ProbesFor<N>,
    fact: (name) => {
      if (!check.uses?.includes(name)) throw new Error(`check ${check.id} reads fact ${name} without declaring it in \`uses\``);
      return run.facts?.[name] as never;
    },
    options: { allowDisruptive: false, waitMs: 0, nonce: 'n', ...run.options },
    signal: run.signal ?? new AbortController().signal,
  });
}

export interface VmStandIn {
  /** The lab user's home: relative path -> file content; a path ending in `/` is an empty folder. */
  home?: Record<string, string>;
  /** What the grader's commands answer (default: exit 0, nothing printed). */
  commands?: Partial<Record<VmCommandName, Partial<CommandResult>>>;
}

/** A VM that answers from `home` and `commands`; a folder exists when a file lies under it. */
export function standInVm({ home = {}, commands = {} }: VmStandIn = {}): VmProbe {
  const kind = (path: string) => (path in home ? 'file' : Object.keys(home).some((f) => f.startsWith(`${path}/`)) ? 'dir' : 'missing');
  return {
    description: 'ssh labuser07@stand-in:22',
    connect: async () => ({ transport: 'ssh', hostKey: 'SHA256:stand-in' }),
    run: async (name) => ({ stdout: '', stderr: '', code: 0, truncated: false, ...commands[name] }),
    readFile: async (path, maxBytes) => {
      const content = Buffer.from(home[path] ?? '');
      return { path, exists: path in home, size: content.length, content: content.subarray(0, maxBytes), truncated: content.length > maxBytes };
    },
    stat: async (paths) => Object.fromEntries(paths.map((p) => [p, kind(p)])),
    close: async () => {},
  };
}
