/**
 * A live workshop for tests: the simulated lab in-process with scenario files on disk (rewritten between
 * rounds and reloaded, as `lab-grade sandbox` does on change), its class config written as `lab-grade
 * sandbox` writes it, and `lab-grade live` as a child process whose stderr is read as it comes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { writeSandboxConfig } from '../../app/demo.js';
import { CHECK_IDS } from '../../checks/index.js';
import { packagePath } from '../../core/paths.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import { BUILT_IN_CLASS_DIR } from './class.js';

type Doc = Record<string, unknown> & { kubernetes?: Record<string, unknown>; faults?: Record<string, unknown> };

export interface Workshop {
  dir: string;
  sandbox: Sandbox;
  /** The class config `lab-grade live -c` reads. */
  configFile: string;
  /** Rewrites a student's scenario file and reloads the lab from the files. */
  change(user: string, edit: (doc: Doc) => Doc): void;
  /** Every scenario file back to what it was at the start, reloaded. */
  reset(): void;
  stop(): Promise<void>;
}

/** The lab with these built-in scenarios (file names of fixtures/scenarios). */
export async function startWorkshop(templates: string[]): Promise<Workshop> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-live-'));
  const scenarioDir = join(dir, 'scenarios');
  const original = new Map<string, { file: string; text: string }>();
  for (const name of templates) {
    const text = readFileSync(join(BUILT_IN_CLASS_DIR, name), 'utf8');
    const file = join(scenarioDir, name);
    original.set((parse(text) as Doc).user as string, { file, text });
  }
  mkdirSync(scenarioDir, { recursive: true });
  for (const { file, text } of original.values()) writeFileSync(file, text);
  const sandbox = await startSandbox(loadScenarios([scenarioDir], CHECK_IDS));
  const configFile = writeSandboxConfig(sandbox, join(dir, 'lab'));
  const reload = () => sandbox.reload(loadScenarios([scenarioDir], CHECK_IDS));
  return {
    dir,
    sandbox,
    configFile,
    change(user, edit) {
      const entry = original.get(user);
      if (!entry) throw new Error(`no scenario for ${user}`);
      const doc = parse(readFileSync(entry.file, 'utf8')) as Doc;
      delete doc.expect; // what the grader should find changes with the world
      writeFileSync(entry.file, stringify(edit(doc)));
      reload();
    },
    reset() {
      for (const { file, text } of original.values()) writeFileSync(file, text);
      reload();
    },
    stop: () => sandbox.stop(),
  };
}

/**
 * Exercise 7 step 2 and a failed `helm install`: the student deleted the Services of Exercise 6 (the
 * Deployments stay), then installed the chart and the install failed. With Helm 2 (the lab's) after
 * `helm init` with the tiller ServiceAccount: a release ConfigMap of a generated name; with Helm 3
 * (`helm install greetings .`): a release Secret, no tiller.
 */
export function afterExercise7Step2With(helm: 2 | 3): (doc: Doc) => Doc {
  return (doc) => {
    const k8s = { ...(doc.kubernetes ?? {}) };
    const applied = parseAllDocuments(String(k8s.apply ?? '')).map((d) => d.toJS() as { kind?: string });
    k8s.apply = applied
      .filter((o) => o && o.kind !== 'Service')
      .map((o) => stringify(o))
      .join('---\n');
    const values = { registry: `${String(doc.user)}acr.azurecr.io` };
    k8s.helm = [
      helm === 2
        ? { name: 'wobbly-panda', chart: 'greetings-0.3.0', helm: 2, status: 'failed', tiller: true, values }
        : { name: 'greetings', chart: 'greetings-0.3.0', helm: 3, status: 'failed', values },
    ];
    return { ...doc, kubernetes: k8s };
  };
}

/** Exercise 7 step 2 and a failed Helm 2 install (the lab's own Helm). */
export const afterExercise7Step2 = afterExercise7Step2With(2);

/** The student's Azure Resource Manager answers nothing: their grading hangs until its deadline. */
export const armHangs = (doc: Doc): Doc => ({ ...doc, faults: { ...(doc.faults ?? {}), arm: 'hang' } });

export interface LiveProcess {
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the first match of `re` in stderr (waiting for it up to `timeoutMs`). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** `lab-grade <args>` (the built CLI) running until it exits or is killed. */
export function startLive(args: string[], opts: { cwd?: string } = {}): LiveProcess {
  const child = spawn(process.execPath, [packagePath('dist', 'bin', 'lab-grade.js'), ...args], {
    cwd: opts.cwd ?? packagePath(),
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let err = '';
  let out = '';
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (d) => {
    err += d;
    waiters.forEach((w) => w());
  });
  child.stdout!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      waiters.forEach((w) => w());
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = err.match(re);
          if (m) {
            done();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`lab-grade ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before ${re}:\n${err}\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${re} on stderr within ${timeoutMs} ms:\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Kills every live process a test left running (afterEach/afterAll). */
export function killLeftovers(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** The ledger's student lines, parsed. */
export function ledgerLines(file: string): Array<{ round: number; at: string; student: { user: string; score: number; checks: Array<{ id: string; status: string }> } }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { type: string })
    .filter((l) => l.type === 'student') as never;
}
