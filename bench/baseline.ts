/**
 * Runs bench/baseline.sh, the instructor's bash script, on some students of the running simulated lab,
 * one after the other as such a script would, and compares its verdicts with lab-grade's.
 * Statuses are compared as pass / skipped / not passed (fail, blocked and error alike: a script does
 * not tell "your fault" from "could not find out").
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { packagePath } from '../core/paths.js';
import type { Status } from '../core/model.js';
import type { StudentMeasure } from './measure.js';

const run = promisify(execFile);
const SCRIPT = packagePath('bench', 'baseline.sh');

export interface BaselineRun {
  users: string[];
  wallMs: number;
  /** user → check id → the script's status */
  verdicts: Map<string, Map<string, string>>;
}

export interface BaselineResult extends BaselineRun {
  agree: number;
  disagreements: string[];
  /** Checks the script does not do. */
  notScripted: string[];
}

interface SandboxYaml {
  roster: Array<{ user: string; resourceGroup: string }>;
  azure: { subscription: string; endpoint: string };
  vm: { host: string };
  network: { connectTo: Record<string, string> };
}

export async function runBaseline(configFile: string, users: string[]): Promise<BaselineRun> {
  const dir = dirname(configFile);
  const doc = parse(readFileSync(configFile, 'utf8')) as SandboxYaml;
  // curl's own config format: one connect-to per public address, as DNS would resolve them.
  const curlrc = join(dir, 'connect-to.curlrc');
  writeFileSync(
    curlrc,
    Object.entries(doc.network.connectTo)
      .map(([from, to]) => `connect-to = "${from}:${to}"\n`)
      .join(''),
  );
  const verdicts = new Map<string, Map<string, string>>();
  const t0 = performance.now();
  for (const user of users) {
    const vmHost = doc.vm.host.replaceAll('{user}', user);
    const sshTo = doc.network.connectTo[`${vmHost}:22`] ?? '127.0.0.1:22';
    const env = {
      ...process.env,
      LAB_DIR: dir,
      ARM: doc.azure.endpoint.replace(/\/+$/, ''),
      SUB: doc.azure.subscription,
      RG: doc.roster.find((r) => r.user === user)?.resourceGroup ?? `${user}-rg`,
      VM_HOST: vmHost,
      SSH_PORT: sshTo.split(':')[1],
      CURLRC: curlrc,
    };
    const { stdout } = await run('bash', [SCRIPT, user], { env, maxBuffer: 1024 * 1024 }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    verdicts.set(
      user,
      new Map(
        stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' ') as [string, string]),
      ),
    );
  }
  return { users, wallMs: performance.now() - t0, verdicts };
}

const kind = (s: string) => (s === 'pass' ? 'pass' : s === 'skipped' ? 'skipped' : 'not passed');

export function compareBaseline(b: BaselineRun, graded: StudentMeasure[], checkIds: readonly string[]): BaselineResult {
  const scripted = new Set([...b.verdicts.values()].flatMap((v) => [...v.keys()]));
  const notScripted = checkIds.filter((id) => !scripted.has(id));
  let agree = 0;
  const disagreements: string[] = [];
  for (const user of b.users) {
    const mine = new Map(graded.find((s) => s.user === user)?.checks.map((c) => [c.id, c.status as Status]) ?? []);
    for (const id of checkIds.filter((i) => scripted.has(i))) {
      const theirs = b.verdicts.get(user)?.get(id) ?? '(none)';
      const ours = mine.get(id) ?? '(none)';
      if (kind(theirs) === kind(ours)) agree++;
      else disagreements.push(`${user} ${id}: baseline ${theirs}, lab-grade ${ours}`);
    }
  }
  return { ...b, agree, disagreements, notScripted };
}
