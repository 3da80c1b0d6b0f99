/**
 * Starts the simulated VMs' commands from a small helper process instead of the lab's own. Forking
 * copies the forking process's page tables: a lab holding a class of 1000 paid ~20 ms of CPU for each
 * `bash` it started (1.4 ms for a small process; bench/spawn-cost.ts), holding every student's servers
 * meanwhile. The helper stays small, so each start costs what it costs on a VM.
 *
 * The helper's source is written to a temporary file when first needed (the one-file bundle has no
 * file of its own to fork) and runs with no flags of the lab's (no loader, no profiler).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

/** Plain CommonJS, run as it is: one child per `run`, in its own process group, its output passed on as it comes. */
const HELPER_SOURCE = `'use strict';
const { spawn } = require('node:child_process');
const children = new Map();
const killGroup = (child, signal) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, signal); } catch { child.kill(signal); }
};
process.on('message', (m) => {
  if (m.type === 'kill') { const c = children.get(m.id); if (c) killGroup(c, m.signal); return; }
  let child;
  try {
    child = spawn('/bin/bash', ['-c', m.command], { argv0: 'bash', cwd: m.cwd, env: m.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (err) {
    process.send({ type: 'error', id: m.id, message: err.message });
    return;
  }
  children.set(m.id, child);
  child.stdout.on('data', (data) => process.send({ type: 'stdout', id: m.id, data }));
  child.stderr.on('data', (data) => process.send({ type: 'stderr', id: m.id, data }));
  child.once('error', (err) => { children.delete(m.id); process.send({ type: 'error', id: m.id, message: err.message }); });
  child.once('close', (code, signal) => { children.delete(m.id); process.send({ type: 'close', id: m.id, code, signal }); });
});
process.on('disconnect', () => { for (const c of children.values()) killGroup(c, 'SIGKILL'); process.exit(0); });
`;

type HelperMessage =
  { type: 'stdout' | 'stderr'; id: number; data: Uint8Array } | { type: 'error'; id: number; message: string } | { type: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

/** One command started by the helper: its output streams, `close` (code, signal) or `error` (Error), and a kill of its process group. */
export interface SpawnedCommand extends EventEmitter {
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
  kill(signal: NodeJS.Signals): void;
}

class Spawner {
  readonly helper: ChildProcess;
  private readonly running = new Map<number, SpawnedCommand & { ended: boolean }>();
  private nextId = 1;

  constructor(file: string) {
    this.helper = fork(file, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: {} });
    this.helper.on('message', (m: HelperMessage) => this.deliver(m));
    this.helper.once('exit', () => {
      for (const id of [...this.running.keys()]) this.deliver({ type: 'error', id, message: 'the helper that starts the VM commands has stopped' });
    });
    this.idle();
  }

  run(command: string, opts: { cwd: string; env: Record<string, string> }): SpawnedCommand {
    const id = this.nextId++;
    const handle = Object.assign(new EventEmitter(), {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      ended: false,
      kill: (signal: NodeJS.Signals) => {
        if (!handle.ended && this.helper.connected) this.helper.send({ type: 'kill', id, signal });
      },
    });
    if (this.running.size === 0) this.busy();
    this.running.set(id, handle);
    const failed = (err: Error | null) => {
      if (err) setImmediate(() => this.deliver({ type: 'error', id, message: `the helper that starts the VM commands did not take it: ${err.message}` }));
    };
    if (this.helper.connected) this.helper.send({ type: 'run', id, command, cwd: opts.cwd, env: opts.env }, failed);
    else failed(new Error('it has stopped'));
    return handle;
  }

  private deliver(m: HelperMessage): void {
    const handle = this.running.get(m.id);
    if (!handle) return;
    if (m.type === 'stdout' || m.type === 'stderr') {
      handle[m.type].write(Buffer.from(m.data));
      return;
    }
    handle.ended = true;
    this.running.delete(m.id);
    if (this.running.size === 0) this.idle();
    handle.stdout.end();
    handle.stderr.end();
    // Said once what the command wrote has been read: whoever pipes its output closes after it.
    const end = m as Exclude<HelperMessage, { data: Uint8Array }>;
    const say = () => (end.type === 'error' ? handle.emit('error', new Error(end.message)) : handle.emit('close', end.code, end.signal));
    void Promise.all([once(handle.stdout, 'end'), once(handle.stderr, 'end')]).then(say);
  }

  // The helper keeps the lab's process alive only while a command runs.
  private busy(): void {
    this.helper.ref();
    this.helper.channel?.ref();
  }

  private idle(): void {
    this.helper.unref();
    this.helper.channel?.unref();
  }
}

let shared: Spawner | undefined;
let helperFile: string | undefined;

/** The helper's source in a file of its own, written once; removed when the process exits. */
function writeHelper(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-spawner-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'spawner.cjs');
  writeFileSync(file, HELPER_SOURCE, { mode: 0o600 });
  return file;
}

/** The process's one helper, started on first use; one that stopped is replaced by the next command's. */
export function vmSpawner(): Spawner {
  if (!shared?.helper.connected) shared = new Spawner((helperFile ??= writeHelper()));
  return shared;
}
