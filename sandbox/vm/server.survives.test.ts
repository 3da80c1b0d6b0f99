/**
 * What a client does never takes the simulated VM down, as it never takes down a real sshd: a grader
 * killed mid-session (`kill -9`, Ctrl-C) or a client asking twice on one session. The VM runs in a
 * process of its own, from source and bundled into one file as lab-grade ships it (minified: the
 * names of ssh2's classes are at stake there), and must serve the next client afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientChannel } from 'ssh2';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBundle } from '../../bundle/bundle.js';
import { packagePath } from '../../core/paths.js';

const USER = 'labuser07';
const PASSWORD = 'Lab-Pass-4711!';
const CHILD = packagePath('test', 'support', 'vm-child.ts');

interface VmProcess {
  port: number;
  /** Exit code or signal once the process has ended, undefined while it runs. */
  ended(): number | string | undefined;
  output(): string;
  stop(): Promise<void>;
}

async function startVmProcess(nodeArgs: string[]): Promise<VmProcess> {
  const child = spawn(process.execPath, [...nodeArgs, USER, PASSWORD], { stdio: 'pipe' });
  child.stdin.on('error', () => {}); // stopping a VM that crashed
  let said = '';
  child.stdout.on('data', (d) => (said += d));
  child.stderr.on('data', (d) => (said += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`the VM process ended (${code ?? signal}) before serving: ${said}`)));
    child.stdout.on('data', () => {
      const ready = /^\{"port":(\d+)\}$/m.exec(said);
      if (ready) resolve(Number(ready[1]));
    });
  });
  return {
    port,
    ended: () => child.exitCode ?? child.signalCode ?? undefined,
    output: () => said,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

/** A new login; if it fails, the error says what the VM process last wrote (a crash's stack). */
function login(vm: VmProcess): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client)).on('error', (err) => reject(new Error(`login failed (${err.message}); the VM process wrote: ${vm.output()}`)));
    client.connect({ host: '127.0.0.1', port: vm.port, username: USER, password: PASSWORD });
  });
}

interface Started {
  stream: ClientChannel;
  /** What the command wrote and its exit code, listened for from the start (exit can come with the reply). */
  done: Promise<{ out: string; code: number | null }>;
}

const execOn = (client: Client, command: string) =>
  new Promise<Started>((resolve, reject) =>
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let out = '';
      let code: number | null = null;
      stream.on('data', (d: Buffer) => (out += d));
      stream.on('exit', (c: number | null) => (code = c));
      resolve({ stream, done: new Promise((done) => stream.on('close', () => done({ out, code }))) });
    }),
  );

/** One command on a new connection, as the grader's next round would run it. */
async function runOnce(vm: VmProcess, command: string) {
  const client = await login(vm);
  try {
    const { done } = await execOn(client, command);
    return await done;
  } finally {
    client.end();
  }
}

/** Each leaves the connection at a point where the client then vanishes without a word. */
const midSession: Record<string, (client: Client) => Promise<unknown>> = {
  // The server holds a session with no command in it (ssh2 keeps those apart from running ones).
  'with a session open and no command in it (its shell refused)': (client) => new Promise((resolve) => client.shell((err) => resolve(err))),
  'while its command runs': (client) => execOn(client, 'sleep 60'),
  'with an SFTP session open': (client) => new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)))),
};

/** The ssh2 client has no call for a second request on a channel: its protocol layer sends one. */
type RawRequests = { _protocol: { exec(channel: number, command: string, wantReply: boolean): void; subsystem(channel: number, name: string, wantReply: boolean): void } };
const remoteIdOf = (stream: ClientChannel) => (stream.outgoing as { id: number }).id;

const bundleFolder = mkdtempSync(join(tmpdir(), 'lab-grade-vm-bundle-'));
afterAll(() => rmSync(bundleFolder, { recursive: true, force: true }));
let bundled: Promise<string> | undefined;
const bundledChild = () => (bundled ??= buildBundle(join(bundleFolder, 'vm.mjs'), CHILD).then((b) => b.file));

const ways: Array<[string, () => Promise<string[]>]> = [
  ['from source', async () => ['--import', 'tsx', CHILD]],
  ['bundled into one file as lab-grade ships it', async () => [await bundledChild()]],
];

const portLine = (vm: VmProcess) => `{"port":${vm.port}}\n`;

describe.each(ways)('the simulated VM, run %s', (_way, nodeArgs) => {
  let vm: VmProcess;
  beforeEach(async () => {
    vm = await startVmProcess(await nodeArgs());
  }, 120_000);
  afterEach(() => vm.stop());

  it('serves the next client after clients vanish mid-session, again and again', async () => {
    for (let round = 0; round < 3; round++) {
      for (const reach of Object.values(midSession)) {
        const client = await login(vm);
        await reach(client);
        client.destroy(); // the socket drops, no SSH goodbye: a killed grader
      }
    }
    expect(await runOnce(vm, 'cat notes.txt')).toEqual({ out: 'hello\n', code: 0 });
    expect({ ended: vm.ended(), said: vm.output() }).toEqual({ ended: undefined, said: portLine(vm) });
  });

  it('ignores a second command or SFTP request on a session that already runs one, and finishes the first', async () => {
    const firsts: Array<{ out: string; code: number | null }> = [];
    for (const second of ['exec', 'sftp'] as const) {
      const client = await login(vm);
      const { stream, done } = await execOn(client, 'echo first');
      const raw = (client as unknown as RawRequests)._protocol;
      if (second === 'exec') raw.exec(remoteIdOf(stream), 'echo second', true);
      else raw.subsystem(remoteIdOf(stream), 'sftp', true);
      firsts.push(await done);
      client.end();
    }
    expect({ firsts, ended: vm.ended(), said: vm.output() }).toEqual({
      firsts: [
        { out: 'first\n', code: 0 },
        { out: 'first\n', code: 0 },
      ],
      ended: undefined,
      said: portLine(vm),
    });
    expect(await runOnce(vm, 'cat notes.txt')).toEqual({ out: 'hello\n', code: 0 });
  });
});
