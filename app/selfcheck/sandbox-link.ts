/**
 * A self-check against the simulated lab (`lab-grade --sandbox DIR --user-name labuser07`): the folder
 * `lab-grade sandbox` writes holds `selfcheck.json`, which says how a student's machine reaches the
 * running lab — its ARM endpoint and CA, the Azure login (a token file), where its public names really
 * listen — and each student's resource group and kubeconfig. One documented option, nothing hidden in
 * the environment.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { ConfigError } from '../../core/errors.js';
import { Fields } from '../../core/fields.js';
import { Secret } from '../../core/secret.js';
import { staticTokenCredential } from '../../probes/azure/token.js';
import type { SelfCheckSettings } from './detect.js';

export const SELFCHECK_FILE = 'selfcheck.json';

export interface SandboxLink {
  armEndpoint: string;
  subscription: string;
  /** Files relative to the folder. */
  caFile: string;
  /** The Azure login a signed-in student has; absent: nobody is signed in. */
  tokenFile?: string;
  connectTo: Record<string, string>;
  students: Record<string, { resourceGroup: string; kubeconfig?: string }>;
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
  const link: SandboxLink = { armEndpoint: f.string('armEndpoint'), subscription: f.string('subscription'), caFile: f.string('caFile'), tokenFile: f.optString('tokenFile'), connectTo, students };
  f.done();
  return link;
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
  const tokenFile = link.tokenFile;
  const login = async (): Promise<TokenCredential | undefined> => (tokenFile ? staticTokenCredential(new Secret(readIn(dir, tokenFile, 'the Azure token').trim(), 'Azure token')) : undefined);
  return {
    userName: user,
    armEndpoint: link.armEndpoint,
    caPem: readIn(dir, link.caFile, 'the CA'),
    // Its public names listen on this machine: the run reaches nothing else.
    connectTo: link.connectTo,
    loopbackOnly: true,
    subscription: link.subscription,
    resourceGroup: student.resourceGroup,
    ...(student.kubeconfig ? { kubeconfig: resolve(dir, student.kubeconfig) } : {}),
    login,
  };
}
