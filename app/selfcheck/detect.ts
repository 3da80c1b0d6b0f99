/**
 * Self-check detection: a student runs `node lab-grade.mjs` in Cloud Shell or on their VM, with no class
 * config. From what is reachable here — an Azure login, the current kubeconfig context, a ~/greetings
 * clone — this builds a one-student ClassConfig in memory, so grading takes the normal engine and
 * runtime path (no check knows it runs in a self-check). What is not reachable is named with the one
 * line that would make it reachable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { parse as parseYaml } from 'yaml';
import { armEndpoint, armScope } from '../../core/arm-endpoint.js';
import type { ClassConfig } from '../../core/config.js';
import { ConfigError, errorMessage } from '../../core/errors.js';
import { USER_NAME } from '../../core/names.js';
import { withTimeout } from '../../core/timeout.js';
import type { Unavailable } from '../../probes/types.js';
import type { AzureClients } from '../../probes/azure/clients.js';
import { tokenIdentity } from '../../probes/azure/token.js';
import type { ReachedArea } from '../../reporters/checklist.js';
import { TOOL } from '../../reporters/checklist.messages.js';

export type { ReachedArea };

/** The lines a student runs to make an area reachable (student-facing words as data). */
export const REACH = {
  azLogin: `run \`az login\`, then \`${TOOL}\` again`,
  local: `run this on your VM: \`${TOOL} --local\``,
  /** On the VM, where the lab never signs in to Azure: Exercises 3–7 are done (and checked) in Cloud Shell. */
  cloudShell: `checked in Cloud Shell, where you did them: run \`${TOOL}\` there`,
  credentials: (group?: string) => `run \`az aks get-credentials --name <cluster> --resource-group ${group ?? '<group>'}\``,
  resourceGroup: (why: string) => `${why}: pass --resource-group <name>`,
  subscription: (why: string) => `${why}: pass --subscription <id>`,
};

export interface SelfCheckSettings {
  /** The student's home folder (where ~/.kube/config, ~/greetings and ~/.azure live). */
  home: string;
  env: NodeJS.ProcessEnv;
  userName?: string;
  /** --local (true), --no-local (false), or undefined: graded here when ~/<repoDir> exists outside Cloud Shell. */
  local?: boolean;
  repoDir?: string;
  kubeconfig?: string;
  context?: string;
  subscription?: string;
  resourceGroup?: string;
  /** The Azure login (AzureCliCredential in real use); undefined: nobody is signed in. */
  login?: () => Promise<TokenCredential | undefined>;
  armEndpoint?: string;
  /** Extra CA (PEM) for ARM and the registry (the simulated lab's). */
  caPem?: string;
  connectTo?: Record<string, string>;
  loopbackOnly?: boolean;
  loginTimeoutMs?: number;
}

export interface SelfCheck {
  user: string;
  config: ClassConfig;
  /** The Azure login (tokens cached between watch runs), when signed in. */
  credential?: TokenCredential;
  unavailable: Unavailable;
  reached: ReachedArea[];
}

/** Groups Azure makes by itself: AKS node groups (managedBy), Network Watcher, Cloud Shell storage, defaults. */
const AZURE_OWN_GROUP = /^(MC_|NetworkWatcherRG$|DefaultResourceGroup-|cloud-shell-storage-)/i;

export async function detectSelfCheck(s: SelfCheckSettings): Promise<SelfCheck> {
  const user = userNameOf(s);
  const endpoint = armEndpoint(s.armEndpoint);
  const azure = await detectAzure(s, endpoint);
  const kube = detectKubeconfig(s);
  const localHome = detectLocal(s);
  const group = azure.ok ? azure.resourceGroup : (s.resourceGroup ?? '(unknown)');

  const unavailable: Unavailable = {};
  const reached: ReachedArea[] = [];
  if (localHome) reached.push({ area: 'VM', ok: true, text: `this machine (${join(localHome, s.repoDir ?? 'greetings')})` });
  else {
    unavailable.vm = REACH.local;
    reached.push({ area: 'VM', ok: false, text: REACH.local });
  }
  // On the VM nobody signs in to Azure (the lab does Exercises 3–7 in Cloud Shell): `az login` would be the wrong advice.
  const notSignedIn = azure.ok ? '' : localHome && azure.line === REACH.azLogin ? REACH.cloudShell : azure.line;
  if (azure.ok) reached.push({ area: 'Azure', ok: true, text: `${azure.who ? `${azure.who}, ` : ''}subscription ${azure.subscriptionId}, resource group ${azure.resourceGroup}` });
  else {
    unavailable.azure = notSignedIn;
    unavailable.registry = notSignedIn;
    reached.push({ area: 'Azure', ok: false, text: notSignedIn });
  }
  if (kube) reached.push({ area: 'Cluster', ok: true, text: `${kube.context ? `context ${kube.context} in ` : ''}${kube.path}` });
  else if (azure.ok) reached.push({ area: 'Cluster', ok: true, text: 'credentials from your Azure login (as az aks get-credentials gets them)' });
  else {
    unavailable.kube = localHome ? REACH.cloudShell : REACH.credentials(s.resourceGroup);
    reached.push({ area: 'Cluster', ok: false, text: unavailable.kube });
  }

  const config: ClassConfig = {
    file: '(self-check)',
    roster: [{ user, resourceGroup: group }],
    resourceGroup: group,
    azure: azure.ok ? { subscriptionId: azure.subscriptionId, endpoint, credential: 'default', requestsPerSecond: 10 } : undefined,
    kubernetes: kube ? { source: 'kubeconfig', kubeconfig: kube.path, context: s.context } : { source: 'azure' },
    // The student grades their own machine and cluster: its loopback is theirs.
    network: { connectTo: s.connectTo ?? {}, loopbackOnly: !!s.loopbackOnly, allowLoopback: true },
    caPem: s.caPem,
    timeoutsMs: {},
    localHome,
  };
  return { user, config, credential: azure.ok ? azure.credential : undefined, unavailable, reached };
}

function userNameOf(s: SelfCheckSettings): string {
  const name = s.userName ?? s.env.USER ?? s.env.USERNAME ?? loginName() ?? 'student';
  if (!USER_NAME.test(name)) {
    if (s.userName) throw new ConfigError(`expected a user name (letters, digits, . _ @ -), got ${JSON.stringify(name)}`, undefined, '--user-name');
    return 'student';
  }
  return name;
}

function loginName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined; // a uid without a passwd entry (some containers)
  }
}

/** Cloud Shell has its own ~/greetings clone (Exercises 6–7) but no Docker daemon: never the VM. */
function inCloudShell(env: NodeJS.ProcessEnv): boolean {
  return !!env.ACC_CLOUD || /cloud-shell/i.test(env.AZUREPS_HOST_ENVIRONMENT ?? '');
}

function detectLocal(s: SelfCheckSettings): string | undefined {
  const local = s.local ?? (!inCloudShell(s.env) && existsSync(join(s.home, s.repoDir ?? 'greetings')));
  return local ? s.home : undefined;
}

function detectKubeconfig(s: SelfCheckSettings): { path: string; context?: string } | undefined {
  if (s.kubeconfig) {
    const path = resolve(s.kubeconfig);
    if (!existsSync(path)) throw new ConfigError(`no kubeconfig file at ${path}`, undefined, '--kubeconfig');
    return { path, context: s.context ?? currentContext(path) };
  }
  // kubectl merges a KUBECONFIG list; the grader reads one file: the first that exists.
  const candidates = s.env.KUBECONFIG ? s.env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(s.home, '.kube', 'config')];
  const path = candidates.map((p) => resolve(p)).find((p) => existsSync(p));
  if (!path && s.context) throw new ConfigError(`no kubeconfig found (${candidates.join(', ')}) to take the context from`, undefined, '--context');
  return path ? { path, context: s.context ?? currentContext(path) } : undefined;
}

function currentContext(path: string): string | undefined {
  try {
    const doc = parseYaml(readFileSync(path, 'utf8')) as { 'current-context'?: unknown } | null;
    return typeof doc?.['current-context'] === 'string' && doc['current-context'] ? doc['current-context'] : undefined;
  } catch {
    return undefined; // the kube probe reports a broken kubeconfig, with the file named
  }
}

type AzureLogin = { ok: true; credential: TokenCredential; subscriptionId: string; resourceGroup: string; who?: string } | { ok: false; line: string };

async function detectAzure(s: SelfCheckSettings, endpoint: string): Promise<AzureLogin> {
  const login = await s.login?.();
  if (!login) return { ok: false, line: REACH.azLogin };
  const credential = cachedCredential(login);
  let token: AccessToken | null;
  try {
    token = await withTimeout(credential.getToken(armScope(endpoint)), s.loginTimeoutMs ?? 30_000, 'the Azure login');
  } catch {
    token = null; // AzureCliCredential says "Please run 'az login'": the line below says it for students
  }
  if (!token) return { ok: false, line: REACH.azLogin };
  // The grader's one ARM client, with the student's login; no subscription yet, so listings only.
  // The ARM SDKs load here, once a login answered: a self-check on the VM never signs in.
  const { createAzureClients } = await import('../../probes/azure/clients.js');
  const arm = createAzureClients({ credential, subscriptionId: s.subscription ?? '', endpoint, ca: s.caPem, maxRetries: 1, attemptTimeoutMs: s.loginTimeoutMs ?? 20_000 });
  const sub = s.subscription ?? s.env.AZURE_SUBSCRIPTION_ID ?? defaultSubscription(s.home) ?? (await onlySubscription(arm));
  if (typeof sub !== 'string') return { ok: false, line: sub.line };
  const group = s.resourceGroup ?? (await onlyResourceGroup(arm, sub));
  if (typeof group !== 'string') return { ok: false, line: group.line };
  return { ok: true, credential, subscriptionId: sub, resourceGroup: group, who: signedInAs(token.token) };
}

function signedInAs(token: string): string | undefined {
  const who = tokenIdentity(token);
  return who ? `signed in as ${who}` : undefined;
}

/** The subscription `az account show` would print: the CLI's profile marks it `isDefault`. */
function defaultSubscription(home: string): string | undefined {
  try {
    const text = readFileSync(join(home, '.azure', 'azureProfile.json'), 'utf8').replace(/^\uFEFF/, '');
    const subs = (JSON.parse(text) as { subscriptions?: Array<{ id?: string; isDefault?: boolean }> }).subscriptions ?? [];
    return subs.find((x) => x.isDefault && typeof x.id === 'string')?.id;
  } catch {
    return undefined;
  }
}

async function onlySubscription(arm: AzureClients): Promise<string | { line: string }> {
  let subs: Array<{ subscriptionId: string; displayName?: string; state?: string }>;
  try {
    subs = (await arm.list<{ subscriptionId: string; displayName?: string; state?: string }>('/subscriptions', '2022-12-01')).filter((x) => !x.state || x.state === 'Enabled');
  } catch (err) {
    return { line: REACH.subscription(`your subscriptions could not be listed (${errorMessage(err)})`) };
  }
  if (subs.length === 1) return subs[0].subscriptionId;
  if (subs.length === 0) return { line: REACH.subscription('your Azure login sees no enabled subscription') };
  throw new ConfigError(
    `your Azure login sees ${subs.length} subscriptions: ${subs.map((x) => `${x.subscriptionId}${x.displayName ? ` (${x.displayName})` : ''}`).join(', ')}; choose the lab's with --subscription <id>`,
    undefined,
    '--subscription',
  );
}

/** The student's own group: Azure's automatic groups (AKS node groups, Cloud Shell storage) are not candidates. */
async function onlyResourceGroup(arm: AzureClients, subscriptionId: string): Promise<string | { line: string }> {
  let groups: Array<{ name: string; managedBy?: string }>;
  try {
    groups = await arm.list<{ name: string; managedBy?: string }>(`/subscriptions/${encodeURIComponent(subscriptionId)}/resourcegroups`, '2021-04-01');
  } catch (err) {
    return { line: REACH.resourceGroup(`your resource groups could not be listed (${errorMessage(err)})`) };
  }
  const candidates = groups.filter((g) => !g.managedBy && !AZURE_OWN_GROUP.test(g.name)).map((g) => g.name);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) return { line: REACH.resourceGroup(`your Azure login sees no resource group of yours in subscription ${subscriptionId}`) };
  throw new ConfigError(`your Azure login sees ${candidates.length} resource groups: ${candidates.join(', ')}; choose yours with --resource-group <name>`, undefined, '--resource-group');
}

/**
 * Reuses a token until five minutes before it expires: AzureCliCredential starts `az` for every token,
 * and --watch grades every few seconds.
 */
function cachedCredential(inner: TokenCredential): TokenCredential {
  const cache = new Map<string, AccessToken>();
  return {
    async getToken(scopes, options) {
      const key = [scopes].flat().join(' ');
      const hit = cache.get(key);
      if (hit && hit.expiresOnTimestamp - Date.now() > 300_000) return hit;
      const token = await inner.getToken(scopes, options);
      if (token) cache.set(key, token);
      return token;
    },
  };
}
