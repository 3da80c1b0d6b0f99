/**
 * A self-check against the simulated lab (`lab-grade --sandbox DIR --user-name labuser07`): the folder
 * `lab-grade sandbox` writes holds `selfcheck.json`, which says how a student's machine reaches the
 * running lab — its ARM endpoint and CA, the Azure login, where its public names really listen — and
 * each student's resource group and kubeconfig. One documented option, nothing hidden in the environment.
 *
 * The login is the simulated directory's token service and the client signed in to it: like `az login`,
 * it yields a token for whichever audience is asked (ARM's, an Entra-integrated cluster's server
 * application's). Folders written before it hold one fixed ARM token (`tokenFile`), still read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { ConfigError } from '../../core/errors.js';
import { Fields } from '../../core/fields.js';
import { Secret } from '../../core/secret.js';
import { servicePrincipalLogin, staticTokenCredential } from '../../probes/azure/token.js';
import type { SelfCheckSettings } from './detect.js';

export const SELFCHECK_FILE = 'selfcheck.json';

export interface SandboxLink {
  armEndpoint: string;
  subscription: string;
  /** Files relative to the folder. */
  caFile: string;
  /** The Azure login a signed-in student has; absent (and no `tokenFile`): nobody is signed in. */
  login?: SandboxLogin;
  /** An older folder's login: one fixed token, whatever the audience asked (a file in the folder). */
  tokenFile?: string;
  connectTo: Record<string, string>;
  students: Record<string, { resourceGroup: string; kubeconfig?: string }>;
}

/** A client of the simulated directory, signed in with its secret (`az login --service-principal`). */
export interface SandboxLogin {
  /** the directory's token service */
  authorityHost: string;
  tenant: string;
  clientId: string;
  /** a file in the folder */
  clientSecretFile: string;
}

export function writeSandboxLink(dir: string, link: SandboxLink): string {
  const file = join(dir, SELFCHECK_FILE);
  writeFileSync(file, JSON.stringify(link, null, 2) + '\n');
  return file;
}

function readLink(dir: string): SandboxLink {
  const file = join(resolve(dir), SELFCHECK_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`no ${SELFCHECK_FILE} in ${dir}: give the folder \`lab-grade sandbox --out DIR\` wrote (default .lab-grade/sandbox) while it runs`, undefined, '--sandbox');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`not JSON (${(err as Error).message})`, file);
  }
  const f = Fields.root(file, doc);
  const students: SandboxLink['students'] = {};
  const list = f.object('students');
  for (const [user] of list.entries()) {
    const s = list.object(user);
    students[user] = { resourceGroup: s.string('resourceGroup'), kubeconfig: s.optString('kubeconfig') };
    s.done();
  }
  const connectTo: Record<string, string> = {};
  const map = f.optObject('connectTo');
  for (const [from, to] of map?.entries() ?? []) connectTo[from] = String(to);
  const lf = f.optObject('login');
  const login = lf && { authorityHost: httpsAddress(lf, 'authorityHost'), tenant: lf.string('tenant'), clientId: lf.string('clientId'), clientSecretFile: lf.string('clientSecretFile') };
  lf?.done();
  const tokenFile = f.optString('tokenFile');
  if (login && tokenFile) f.fail('tokenFile', 'one Azure login: give `login` or (an older folder) `tokenFile`, not both');
  const link: SandboxLink = { armEndpoint: f.string('armEndpoint'), subscription: f.string('subscription'), caFile: f.string('caFile'), login, tokenFile, connectTo, students };
  f.done();
  return link;
}

function httpsAddress(f: Fields, key: string): string {
  const value = f.string(key);
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:') f.fail(key, `expected an https:// address, got ${JSON.stringify(value)}`);
  return value;
}

const readIn = (dir: string, name: string, what: string): string => {
  const file = resolve(dir, name);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`cannot read ${what} ${file}: is \`lab-grade sandbox\` still running?`, undefined, '--sandbox');
  }
};

/** The self-check settings that reach the running simulated lab as `userName`. */
export function sandboxSettings(dir: string, userName: string | undefined): Partial<SelfCheckSettings> & { userName: string } {
  const link = readLink(dir);
  const users = Object.keys(link.students);
  const user = userName ?? '';
  const student = link.students[user];
  if (!student)
    throw new ConfigError(
      `${userName ? `${JSON.stringify(userName)} is not a student of the simulated lab` : 'name the student to check as'}; its students: ${users.join(', ')}`,
      undefined,
      '--user-name',
    );
  const caPem = readIn(dir, link.caFile, 'the CA');
  return {
    userName: user,
    armEndpoint: link.armEndpoint,
    caPem,
    // Its public names listen on this machine: the run reaches nothing else.
    connectTo: link.connectTo,
    loopbackOnly: true,
    subscription: link.subscription,
    resourceGroup: student.resourceGroup,
    ...(student.kubeconfig ? { kubeconfig: resolve(dir, student.kubeconfig) } : {}),
    login: () => signedIn(dir, link, caPem),
  };
}

/** The student's Azure login the folder holds, read when the self-check signs in; undefined: nobody is signed in. */
async function signedIn(dir: string, { login, tokenFile }: SandboxLink, caPem: string): Promise<TokenCredential | undefined> {
  if (login) {
    const clientSecret = new Secret(readIn(dir, login.clientSecretFile, 'the Azure client secret').trim(), 'Azure client secret');
    // A stopped lab's directory refuses: said as such, not as the "run az login" of a failed sign-in.
    if (await refuses(login.authorityHost))
      throw new ConfigError(`the simulated directory ${login.authorityHost} refused the connection: is \`lab-grade sandbox\` still running?`, undefined, '--sandbox');
    return servicePrincipalLogin({ tenantId: login.tenant, clientId: login.clientId, clientSecret, authorityHost: login.authorityHost }, caPem);
  }
  return tokenFile ? staticTokenCredential(new Secret(readIn(dir, tokenFile, 'the Azure token').trim(), 'Azure token')) : undefined;
}

/** Whether a connection to the address's host and port is refused (nothing listens there). */
function refuses(address: string): Promise<boolean> {
  const url = new URL(address);
  return new Promise((done) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 443), timeout: 5_000 });
    const end = (refused: boolean) => {
      socket.destroy();
      done(refused);
    };
    socket.once('connect', () => end(false));
    socket.once('timeout', () => end(false)); // not refused: the sign-in says what it finds
    socket.once('error', (err: NodeJS.ErrnoException) => end(err.code === 'ECONNREFUSED'));
  });
}
