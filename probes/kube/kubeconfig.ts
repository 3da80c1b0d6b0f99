/**
 * Loading a kubeconfig safely. A kubeconfig can name a program to run for credentials (`exec`, or a
 * legacy `auth-provider` that refreshes tokens by running one): grading a student's kubeconfig must
 * not run their programs, so those are refused unless the operator says they trust it. Credentials
 * found in it are registered with the redactor. The API server address is vetted by the network
 * policy before any connection (the probe's dispatcher vets every dial again after DNS).
 */
import { readFileSync } from 'node:fs';
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
}

export type KubeconfigSource = string | { path: string; context?: string };

export const EXEC_REFUSED =
  'this kubeconfig runs a program to get credentials; pass --allow-exec-credentials if you trust it';

const refuse = (message: string, detail: Record<string, unknown> = {}) => new ProbeError('kube', message, detail);

/** Parses, vets and loads a kubeconfig (YAML text or a file with an optional context). */
export function kubeconfigFrom(source: KubeconfigSource, opts: KubeconfigOptions): KubeConfig {
  const { text, path, context } = typeof source === 'string' ? { text: source, path: undefined, context: undefined } : readSource(source);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw refuse(`the kubeconfig${path ? ` ${path}` : ''} is not valid YAML: ${errorMessage(err)}`);
  }
  if (!doc || typeof doc !== 'object') throw refuse(`the kubeconfig${path ? ` ${path}` : ''} is empty or not a mapping`);
  const kc = new KubeConfig();
  try {
    // loadFromFile resolves relative certificate paths against the file's folder, as kubectl does.
    if (path) kc.loadFromFile(path);
    else kc.loadFromString(text);
  } catch (err) {
    throw refuse(`the kubeconfig${path ? ` ${path}` : ''} cannot be loaded: ${errorMessage(err)}`);
  }
  if (context) {
    if (!kc.getContextObject(context)) throw refuse(`the kubeconfig${path ? ` ${path}` : ''} has no context "${context}"`);
    kc.setCurrentContext(context);
  }
  return vetKubeConfig(kc, opts);
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
