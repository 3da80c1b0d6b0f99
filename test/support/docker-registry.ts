/**
 * Starts Debian's real `docker-registry` (distribution 2.8) for differential tests: on 127.0.0.1:0,
 * over TLS with a sandbox-CA leaf, with either htpasswd Basic auth or token auth backed by a small
 * Node token server that signs RS256 JWTs (x5c = the self-signed cert named by `rootcertbundle`).
 * stop() sends SIGTERM and removes its files.
 */
import 'reflect-metadata';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { onPath } from '../../core/paths.js';
import type { KeyPairPem } from '../../sandbox/ca.js';
import { parseScopes, type Access } from '../../sandbox/registry/tokens.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const INSTALL_HINT = 'apt-get install -y docker-registry apache2-utils';

export interface DockerRegistryOptions {
  /** leaf certificate for 127.0.0.1 (from sandbox/ca.ts) */
  tls: KeyPairPem;
  auth: 'htpasswd' | 'token';
  username?: string;
  password?: string;
}

export interface DockerRegistry {
  url: string;
  port: number;
  auth: 'htpasswd' | 'token';
  username: string;
  password: string;
  /** token auth only: the token server's endpoint and its `service` name */
  realm?: string;
  service?: string;
  stop(): Promise<void>;
}

/** Throws a message that says how to install what is missing. */
export function requireDockerRegistry(auth: DockerRegistryOptions['auth'] = 'htpasswd'): string {
  const bin = onPath('docker-registry');
  if (!bin) throw new Error(`the docker-registry binary is not on PATH: install it with \`${INSTALL_HINT}\``);
  if (auth === 'htpasswd' && !onPath('htpasswd')) throw new Error(`htpasswd is not on PATH: install it with \`${INSTALL_HINT}\``);
  return bin;
}

const stderrTail = (s: string): string => s.split('\n').slice(-15).join('\n');

export async function startDockerRegistry(opts: DockerRegistryOptions): Promise<DockerRegistry> {
  const bin = requireDockerRegistry(opts.auth);
  const username = opts.username ?? 'student';
  const password = opts.password ?? 's3cret-' + randomUUID().slice(0, 8);
  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-registry-'));
  writeFileSync(join(dir, 'cert.pem'), opts.tls.cert);
  writeFileSync(join(dir, 'key.pem'), opts.tls.key, { mode: 0o600 });

  let tokenServer: Server | undefined;
  let auth: string;
  let realm: string | undefined;
  const service = 'lab-grade-test-registry';
  try {
    if (opts.auth === 'htpasswd') {
      const h = spawnSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' });
      if (h.status !== 0) throw new Error(`htpasswd failed: ${h.stderr}`);
      writeFileSync(join(dir, 'htpasswd'), h.stdout);
      auth = `auth:\n  htpasswd:\n    realm: test-registry\n    path: ${join(dir, 'htpasswd')}\n`;
    } else {
      const signer = await tokenSigner(service);
      writeFileSync(join(dir, 'token-root.pem'), signer.certPem);
      tokenServer = await startTokenServer(opts.tls, username, password, signer.sign);
      realm = `https://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
      auth = `auth:\n  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${signer.issuer}\n    rootcertbundle: ${join(dir, 'token-root.pem')}\n`;
    }
    const config = [
      'version: 0.1',
      'log: {level: info, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "127.0.0.1:0", secret: ${randomUUID()}, tls: {certificate: ${join(dir, 'cert.pem')}, key: ${join(dir, 'key.pem')}}}`,
      auth,
    ].join('\n');
    writeFileSync(join(dir, 'config.yml'), config);

    const child = spawn(bin, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const port = await listeningPort(child);
    return {
      url: `https://127.0.0.1:${port}`,
      port,
      auth: opts.auth,
      username,
      password,
      realm,
      service: realm ? service : undefined,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        await new Promise<void>((resolve) => (tokenServer ? tokenServer.close(() => resolve()) : resolve()));
        tokenServer?.closeAllConnections();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    tokenServer?.close();
    tokenServer?.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Resolves with the port from "listening on 127.0.0.1:NNNN" on stderr; rejects (and kills) on exit or after 10 s. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`docker-registry ${why}:\n${stderrTail(log)}`));
    };
    const timer = setTimeout(() => fail('did not start listening within 10 s'), 10_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      const m = /listening on \[?[\d.:]+?\]?:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume(); // keep draining so the registry never blocks on a full pipe
        child.removeAllListeners('exit');
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => fail(`exited with code ${code}`));
    child.once('error', (err) => fail(`could not be started: ${err.message}`));
  });
}

interface TokenSigner {
  issuer: string;
  certPem: string;
  sign(claims: object): string;
}

/** RSA key + self-signed cert: distribution checks the JWT's x5c chain against `rootcertbundle`. */
async function tokenSigner(service: string): Promise<TokenSigner> {
  const issuer = 'lab-grade-test-token-server';
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${issuer}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: alg,
  });
  const x5c = Buffer.from(cert.rawData).toString('base64');
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  return {
    issuer,
    certPem: cert.toString('pem') + '\n',
    sign(claims) {
      const now = Math.floor(Date.now() / 1000);
      const body = { iss: issuer, aud: service, sub: 'student', iat: now, nbf: now - 5, exp: now + 600, jti: randomUUID(), ...claims };
      const head = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [x5c] })).toString('base64url') + '.' + Buffer.from(JSON.stringify(body)).toString('base64url');
      return head + '.' + sign('sha256', Buffer.from(head), key).toString('base64url');
    },
  };
}

/** GET /token?service=…&scope=… with Basic auth -> {token, access_token}: grants what is asked, to the one user. */
async function startTokenServer(tls: KeyPairPem, username: string, password: string, signJwt: (claims: object) => string): Promise<Server> {
  const expected = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const access: Access[] = parseScopes(url.searchParams.getAll('scope'));
    const token = signJwt({ access });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 600, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}
