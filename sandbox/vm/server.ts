/**
 * One simulated student VM (docs/scenarios.md, `vm:`): an ssh2 SSH server on
 * 127.0.0.1 that lets the lab user in with a password and/or a public key, runs exec requests in a
 * real bash over the scenario's home folder with a stand-in `docker` first on PATH, serves that home
 * read-only over SFTP, and answers on its "port 80" while the scenario says the app is served.
 * Faults: `refuse` (nothing listens), `hang` (TCP accepted, no SSH banner ever), `bad-password`
 * (every login refused); `latencyMs` delays every exec and SFTP answer.
 */
import { timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type Connection, type ParsedKey } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader exposes only some of its exports by name.
const { Server, utils } = ssh2;
import { Secret } from '../../core/secret.js';
import { fingerprintOf } from '../../probes/vm/host-keys.js';
import type { Scenario, ScenarioFaults } from '../scenario.js';
import { writeDockerStub } from './docker-stub.js';
import { runExec, vmEnvironment } from './exec.js';
import { writeHome } from './home.js';
import { serveSftp } from './sftp.js';
import { holdClosedPort, serveLoopback, type HeldPort, type Served } from '../listen.js';
import { startVmWeb } from './web.js';

export interface StartVmOptions {
  scenario: Scenario;
  /** The lab user's password. */
  password: string | Secret;
  /** Host private key (OpenSSH or PEM); default: a new ed25519 key. */
  hostKey?: string | Buffer;
  /** A public key (`ssh-ed25519 AAAA… comment`) that may log in as the lab user. */
  authorizedKey?: string;
  /** Default: the scenario's faults. */
  faults?: ScenarioFaults;
}

export interface SimulatedVm {
  user: string;
  /** SSH port on 127.0.0.1 (refuses connections under the `refuse` fault or without `vm:`). */
  port: number;
  /** The VM's port 80 on 127.0.0.1: the app answers there only while the scenario serves it. */
  httpPort: number;
  /** The real folder standing in for the lab user's home. */
  home: string;
  /** The server's host key: the known_hosts key text and its SHA256 fingerprint. */
  hostKey: { type: string; base64: string; fingerprint: string };
  /** What the grader asked of this VM so far: SSH connections, exec requests, SFTP requests, port-80 requests. */
  traffic(): VmTraffic;
  /** Applies a changed scenario: home files, Docker, images, serving (faults stay as started). */
  reload(scenario: Scenario): Promise<void>;
  close(): Promise<void>;
}

export interface VmTraffic {
  sshConnections: number;
  execs: number;
  sftpRequests: number;
  httpRequests: number;
}

/**
 * A new ed25519 host key. ssh2's generateKeyPairSync drops a public key's leading zero byte (about 1
 * key in 300 then fails to parse: "Malformed OpenSSH private key"), so a key is drawn until it parses.
 */
function newHostKey(): string {
  for (let attempt = 0; ; attempt++) {
    const key = utils.generateKeyPairSync('ed25519').private;
    if (!(utils.parseKey(key) instanceof Error) || attempt >= 20) return key;
  }
}

function parsePrivateKey(key: string | Buffer): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw new Error(`the simulated VM's host key cannot be read: ${parsed.message}`);
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

function parseAuthorizedKey(line: string): ParsedKey {
  const parsed = utils.parseKey(line.trim());
  if (parsed instanceof Error) throw new Error(`the authorized key cannot be read: ${parsed.message}`);
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export async function startVm(opts: StartVmOptions): Promise<SimulatedVm> {
  const root = mkdtempSync(join(tmpdir(), `lab-grade-vm-${opts.scenario.user}-`));
  try {
    return await startIn(root, opts);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

async function startIn(root: string, opts: StartVmOptions): Promise<SimulatedVm> {
  const { scenario } = opts;
  const user = scenario.user;
  const faults = opts.faults ?? scenario.faults;
  const password = opts.password instanceof Secret ? opts.password.reveal() : opts.password;
  const hostKeyText = opts.hostKey ?? newHostKey();
  const hostKey = parsePrivateKey(hostKeyText);
  const hostBlob = hostKey.getPublicSSH();
  const authorized = opts.authorizedKey ? parseAuthorizedKey(opts.authorizedKey) : undefined;

  const home = join(root, 'home', user);
  const stubBin = join(root, 'bin');
  const stubData = join(root, 'docker-data');
  const env = vmEnvironment(user, home, stubBin);
  const latencyMs = faults.latencyMs;

  const apply = (s: Scenario) => {
    const vm = s.vm ?? { docker: null, dockerUsable: false, dockerDaemon: 'running', images: [], serving: false, home: {} };
    writeHome(home, vm.home);
    writeDockerStub(stubBin, stubData, vm);
    return vm;
  };
  const vm = apply(scenario);
  const web = await startVmWeb(vm.serving, latencyMs);
  const counts = { sshConnections: 0, execs: 0, sftpRequests: 0 };

  const clients = new Set<Connection>();
  const kills = new Set<(signal: NodeJS.Signals) => void>();
  let served: Served | undefined;
  let refusing: HeldPort | undefined;

  if (faults.vm === 'refuse' || !scenario.vm) {
    // Nothing listens (connection refused), on a port no other process can take meanwhile.
    refusing = await holdClosedPort();
  } else if (faults.vm === 'hang') {
    // Accepts TCP and never speaks: the client waits for a banner that does not come.
    served = await serveLoopback(createTcpServer());
  } else {
    const ssh = new Server({ hostKeys: [hostKeyText] }, (client) => {
      clients.add(client);
      counts.sshConnections++;
      client.on('error', () => {});
      client.once('close', () => clients.delete(client));
      client.on('authentication', (ctx) => {
        const methods: Array<'password' | 'publickey'> = ['password', 'publickey'];
        if (faults.vm === 'bad-password' || ctx.username !== user) return ctx.reject(methods);
        if (ctx.method === 'password') return sameSecret(ctx.password, password) ? ctx.accept() : ctx.reject(methods);
        if (ctx.method === 'publickey') {
          if (!authorized || !ctx.key.data.equals(authorized.getPublicSSH())) return ctx.reject(methods);
          if (!ctx.signature || !ctx.blob) return ctx.accept(); // the client asks whether this key would do
          return authorized.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject(methods);
        }
        return ctx.reject(methods);
      });
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        let killChild: ((signal: NodeJS.Signals) => void) | undefined;
        // ssh2 hands out no channel for a second command or SFTP on a session that already has one
        // (and lets none be refused then): there is nothing to serve.
        session.on('exec', (accept, _reject, info) => {
          counts.execs++;
          const channel = accept();
          if (!channel) return;
          setTimeout(
            () =>
              runExec(channel, info.command, {
                home,
                env,
                onSpawn: (kill) => {
                  killChild = kill;
                  kills.add(kill);
                  channel.once('close', () => kills.delete(kill));
                },
              }),
            latencyMs,
          );
        });
        session.on('signal', (accept, _reject, info) => {
          accept?.();
          killChild?.(`SIG${info.name}` as NodeJS.Signals);
        });
        session.on('sftp', (accept) => {
          const sftp = accept();
          if (sftp) serveSftp(sftp, { home, virtualHome: `/home/${user}`, latencyMs, onRequest: () => counts.sftpRequests++ });
        });
        session.on('pty', (_accept, reject) => reject?.());
        session.on('shell', (_accept, reject) => reject?.());
      });
    });
    served = await serveLoopback(ssh);
  }
  const port = served?.port ?? refusing!.port;

  return {
    user,
    port,
    httpPort: web.port,
    home,
    hostKey: { type: hostKey.type, base64: hostBlob.toString('base64'), fingerprint: fingerprintOf(hostBlob) },
    traffic: () => ({ ...counts, httpRequests: web.requests }),
    async reload(next) {
      const nextVm = apply(next);
      await web.setServing(nextVm.serving);
    },
    async close() {
      for (const kill of kills) kill('SIGKILL');
      for (const client of clients) client.end();
      refusing?.release();
      await Promise.all([web.close(), served?.stop()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
