/**
 * Loading a kubeconfig safely. A kubeconfig can name a program to run for credentials (`exec`, or a
 * legacy `auth-provider` that refreshes tokens by running one): grading a student's kubeconfig must
 * not run their programs, so those are refused unless the operator says they trust it. It can also
 * name local files (`token-file`, `client-certificate`, `client-key`, `certificate-authority`, an
 * auth-provider's `tokenFile`): the grader would read them with the instructor's rights and send them
 * to the student's server, so they are refused, in every entry (client-node reads a `token-file` while
 * loading). The document is parsed and vetted here and client-node loads exactly that (as JSON), so
 * the two YAML parsers cannot disagree about what is in it. Credentials found in it are registered
 * with the redactor. The API server address is vetted by the network policy before any connection
 * (the probe's dispatcher vets every dial again after DNS).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isIP } from 'node:net';
import { KubeConfig, type Cluster, type User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { registerSecret } from '../../core/redact.js';
import { errorMessage } from '../../core/errors.js';
import { ProbeError } from '../types.js';
import { specialRange, type NetworkPolicy } from '../net.js';

export interface KubeconfigOptions {
  /** --allow-exec-credentials: the operator trusts the kubeconfig's credential programs. */
  allowExec: boolean;
  /** When given, an IP-literal server address must pass `policy.vet`. */
  policy?: NetworkPolicy;
  /**
   * The operator's own kubeconfig (a self-check's, the class config's): the local files it names are
   * theirs to read, resolved against its folder as kubectl does. Never for one a student controls.
   */
  trustFiles?: boolean;
  /**
   * Tokens for Entra ID clusters, by the AKS server application id their kubelogin user names: such a
   * user gets the token instead of running kubelogin (see `kubeconfigWithEntra`).
   */
  entraTokens?: ReadonlyMap<string, string>;
}

export type KubeconfigSource = string | { path: string; context?: string };

/** How the grader gets a token for an audience (its own Azure credential, or the student's login). */
export type TokenFor = (scope: string) => Promise<string>;

export const EXEC_REFUSED = 'this kubeconfig runs a program to get credentials; pass --allow-exec-credentials if you trust it';

const refuse = (message: string, detail: Record<string, unknown> = {}) => new ProbeError('kube', message, detail);

/** Parses, vets and loads a kubeconfig (YAML text or a file with an optional context). */
export function kubeconfigFrom(source: KubeconfigSource, opts: KubeconfigOptions): KubeConfig {
  const read = sourceText(source);
  return loadKubeconfig(parseKubeconfig(read), read, opts);
}

interface SourceText {
  text: string;
  path?: string;
  context?: string;
}

const sourceText = (source: KubeconfigSource): SourceText => (typeof source === 'string' ? { text: source } : readSource(source));
const describeSource = ({ path }: SourceText) => `the kubeconfig${path ? ` ${path}` : ''}`;

function parseKubeconfig(read: SourceText): Record<string, unknown> {
  let doc: unknown;
  try {
    // Merge keys as kubectl's YAML reader (and client-node's) expand them.
    doc = parse(read.text, { merge: true });
  } catch (err) {
    throw refuse(`${describeSource(read)} is not valid YAML: ${errorMessage(err)}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw refuse(`${describeSource(read)} is empty or not a mapping`);
  return doc as Record<string, unknown>;
}

/** Vets and loads a parsed kubeconfig (its entries are rewritten in place: Entra tokens, file paths). */
function loadKubeconfig(doc: Record<string, unknown>, read: SourceText, opts: KubeconfigOptions): KubeConfig {
  const { path, context } = read;
  const which = describeSource(read);
  if (opts.entraTokens?.size) useEntraTokens(doc, opts.entraTokens);
  if (opts.trustFiles) resolveFileReferences(doc, path ? dirname(path) : process.cwd());
  else refuseFileReferences(doc, which);
  const kc = new KubeConfig();
  try {
    kc.loadFromString(JSON.stringify(doc));
  } catch (err) {
    throw refuse(`${which} cannot be loaded: ${errorMessage(err)}`);
  }
  if (context) {
    if (!kc.getContextObject(context)) throw refuse(`${which} has no context "${context}"`);
    kc.setCurrentContext(context);
  }
  return vetKubeConfig(kc, opts);
}

/**
 * A kubeconfig whose users run kubelogin (an Entra ID cluster's, as `az aks get-credentials` writes it)
 * is read without running it: the grader asks its own credential for a token of the AKS server
 * application the user names (`--server-id`), as kubelogin's azurecli and spn modes do.
 */
export async function kubeconfigWithEntra(source: KubeconfigSource, opts: KubeconfigOptions & { tokenFor?: TokenFor }): Promise<KubeConfig> {
  // Read and parsed once: a class run loads every student's kubeconfig (YAML was 5 % of its CPU).
  const read = sourceText(source);
  const doc = parseKubeconfig(read);
  const ids = serverIdsIn(doc);
  if (ids.length && !opts.tokenFor && !opts.allowExec) {
    // Said before the generic refusal of credential programs: a login is the usual way, not running kubelogin.
    throw refuse(
      `the cluster uses Entra ID (kubelogin): its kubeconfig is read with a token for the AKS server application from an Azure login, and none is at hand: \`az login\` (a class run: the grader's Azure credential), or --allow-exec-credentials to let kubelogin run`,
      { serverId: ids[0] },
    );
  }
  const tokens = new Map<string, string>();
  for (const id of opts.tokenFor ? ids : []) {
    try {
      tokens.set(id, await opts.tokenFor!(`${id}/.default`));
    } catch (err) {
      throw refuse(`the cluster uses Entra ID (kubelogin): no token for its server application ${id} from the Azure credential in use: ${errorMessage(err)}`, { serverId: id });
    }
  }
  return loadKubeconfig(doc, read, { ...opts, entraTokens: tokens });
}

const isKubelogin = (command: unknown) => typeof command === 'string' && /(^|[\\/])kubelogin(\.exe)?$/.test(command);

function serverIdOf(exec: { command?: unknown; args?: unknown }): string | undefined {
  if (!isKubelogin(exec.command) || !Array.isArray(exec.args)) return undefined;
  const args = exec.args.map(String);
  const i = args.indexOf('--server-id');
  const value = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--server-id='))?.slice('--server-id='.length);
  return value && /^[0-9a-f-]{36}$/i.test(value) ? value.toLowerCase() : undefined;
}

/** The AKS server application ids the kubeconfig's kubelogin users name. */
function serverIdsIn(parsed: unknown): string[] {
  const doc = parsed as { users?: Array<{ user?: { exec?: { command?: unknown; args?: unknown } } }> } | null;
  const ids = (doc?.users ?? []).map((u) => (u?.user?.exec ? serverIdOf(u.user.exec) : undefined)).filter((x): x is string => !!x);
  return [...new Set(ids)];
}

function useEntraTokens(doc: Record<string, unknown>, tokens: ReadonlyMap<string, string>): void {
  if (!Array.isArray(doc.users)) return;
  for (const u of doc.users as Array<{ user?: { exec?: { command?: unknown; args?: unknown } } & Record<string, unknown> }>) {
    const id = u?.user?.exec ? serverIdOf(u.user.exec) : undefined;
    const token = id ? tokens.get(id) : undefined;
    if (token) u.user = { token };
  }
}

/** Keys that make a kubeconfig read a local file, per kind of entry, with what to write instead. */
const FILE_KEYS = {
  clusters: { entry: 'cluster', keys: { 'certificate-authority': 'certificate-authority-data' } },
  users: { entry: 'user', keys: { 'token-file': 'token', 'client-certificate': 'client-certificate-data', 'client-key': 'client-key-data' } },
} as const;

function refuseFileReferences(doc: Record<string, unknown>, which: string): void {
  for (const [list, { entry, keys }] of Object.entries(FILE_KEYS)) {
    const entries = doc[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((item: unknown, i: number) => {
      const named = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
      const body = (named[entry] && typeof named[entry] === 'object' ? named[entry] : {}) as Record<string, unknown>;
      const authProvider = body['auth-provider'] as { config?: Record<string, unknown> } | undefined;
      const found: Array<[string, string]> = Object.entries(keys).filter(([key]) => present(body[key]));
      if (present(authProvider?.config?.tokenFile)) found.push(['auth-provider.config.tokenFile', 'a token written in the kubeconfig']);
      if (!found.length) return;
      const [key, instead] = found[0];
      const name = typeof named.name === 'string' ? `"${named.name}"` : `#${i + 1}`;
      throw refuse(`${which}: ${entry} ${name} names a local file (${key}); lab-grade does not read files a kubeconfig names: write ${instead} instead`, {
        key,
        entry: `${list}[${i}]`,
        refused: true,
      });
    });
  }
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Relative file references made absolute against the kubeconfig's folder (kubectl's rule). */
function resolveFileReferences(doc: Record<string, unknown>, dir: string): void {
  for (const [list, { entry, keys }] of Object.entries(FILE_KEYS)) {
    const entries = doc[list];
    if (!Array.isArray(entries)) continue;
    for (const item of entries as Array<Record<string, unknown>>) {
      const body = item?.[entry] as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object') continue;
      for (const key of Object.keys(keys)) if (typeof body[key] === 'string' && body[key]) body[key] = resolve(dir, body[key] as string);
    }
  }
}

/**
 * A KubeConfig built by the caller was loaded already (a `token-file` is read while loading): what it
 * would still read when connecting is refused the same way.
 */
function refuseLoadedFileReferences(cluster: Cluster, user: User | null, trusted: boolean): void {
  if (trusted) return;
  const files: Array<[string, unknown]> = [
    ['certificate-authority', cluster.caFile],
    ['client-certificate', user?.certFile],
    ['client-key', user?.keyFile],
    ['auth-provider.config.tokenFile', user?.authProvider?.config?.tokenFile],
  ];
  const key = files.find(([, v]) => present(v))?.[0];
  if (key) throw refuse(`the kubeconfig names a local file (${key}); lab-grade does not read files a kubeconfig names`, { key, refused: true });
}

function readSource(source: { path: string; context?: string }) {
  try {
    return { text: readFileSync(source.path, 'utf8'), path: source.path, context: source.context };
  } catch (err) {
    throw refuse(`cannot read the kubeconfig ${source.path}: ${errorMessage(err)}`);
  }
}

/** Checks an already loaded KubeConfig (e.g. one built by the caller) the same way. */
export function vetKubeConfig(kc: KubeConfig, opts: KubeconfigOptions): KubeConfig {
  const ctxName = kc.getCurrentContext();
  if (!ctxName || !kc.getContextObject(ctxName)) throw refuse('the kubeconfig has no current context');
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw refuse(`the kubeconfig's context "${ctxName}" names no cluster with a server address`);
  const user = kc.getCurrentUser();
  if (user && (user.exec || user.authProvider) && !opts.allowExec) {
    throw refuse(EXEC_REFUSED, { context: ctxName, user: user.name, credential: user.exec ? 'exec' : 'auth-provider' });
  }
  refuseLoadedFileReferences(cluster, user, !!opts.trustFiles);
  vetCluster(cluster, opts.policy);
  registerUserSecrets(user);
  return kc;
}

function vetCluster(cluster: Cluster, policy?: NetworkPolicy): void {
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw refuse(`the kubeconfig's server "${cluster.server}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse(`the kubeconfig's server "${cluster.server}" is not http(s)`);
  // A proxy would bypass the network policy's view of where the grader connects.
  if (cluster.proxyUrl) throw refuse(`the kubeconfig's cluster "${cluster.name}" uses proxy-url, which lab-grade does not support`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const range = specialRange(host);
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const verdict = policy ? policy.vetLiteral(host, port) : range?.startsWith('link-local') ? `${range} addresses are never graded` : undefined;
    if (verdict) throw refuse(`refusing the kubeconfig's server ${cluster.server}: ${verdict}`, { server: cluster.server, refused: true });
  }
}

function registerUserSecrets(user: User | null): void {
  if (!user) return;
  for (const v of [user.token, user.password, user.keyData]) registerSecret(v);
  const walk = (v: unknown, depth = 0): void => {
    if (depth > 5) return;
    if (typeof v === 'string') registerSecret(v.length >= 16 ? v : undefined);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  // auth-provider config holds access/refresh tokens; exec env may hold secrets.
  walk(user.authProvider?.config);
  walk(user.exec?.env);
}
