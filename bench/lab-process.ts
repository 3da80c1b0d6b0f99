/** The parent's side of bench/sandbox-child.ts: start the simulated lab, ask its counters, stop it. */
import { fork, type ChildProcess } from 'node:child_process';
import { packagePath } from '../core/paths.js';
import type { StudentTraffic } from '../sandbox/lab.js';

export type ParentMessage = { type: 'traffic' } | { type: 'stop' };
export type ChildMessage = { type: 'ready'; configFile: string; users: string[] } | { type: 'traffic'; byUser: Record<string, StudentTraffic>; armTls: number; registryTls: number; cpuMs: number };

export type TrafficReport = Extract<ChildMessage, { type: 'traffic' }>;

export interface LabProcess {
  /** The class config the child wrote (lab-grade.yaml beside its CA, token, password and kubeconfigs). */
  configFile: string;
  users: string[];
  /** Every student's counters, and the lab's CPU time so far. */
  traffic(): Promise<TrafficReport>;
  stop(): Promise<void>;
}

/** The child runs from source, as the benchmark itself does (benchmark code is not part of the package). */
const CHILD = packagePath('bench', 'sandbox-child.ts');

function next<T extends ChildMessage['type']>(child: ChildProcess, type: T): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ChildMessage) => {
      if (m.type !== type) return;
      cleanup();
      resolve(m as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the simulated lab exited (code ${code}) before sending "${type}"`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** `nodeFlags`: more flags for the lab's node (a CPU profile: `--cpu-prof --cpu-prof-dir DIR`). */
export async function startLabProcess(scenarioDir: string, outDir: string, nodeFlags: string[] = []): Promise<LabProcess> {
  const child = fork(CHILD, [scenarioDir, outDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...nodeFlags, '--import', 'tsx'] });
  const ready = await next(child, 'ready');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    configFile: ready.configFile,
    users: ready.users,
    traffic() {
      const answer = next(child, 'traffic');
      child.send({ type: 'traffic' } satisfies ParentMessage);
      return answer;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' } satisfies ParentMessage);
      await exited;
    },
  };
}
