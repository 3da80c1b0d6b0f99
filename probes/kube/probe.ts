/**
 * The Kubernetes probe: @kubernetes/client-node loads the kubeconfig and applies its credentials; the
 * API is read as raw JSON (capped-http.ts). Every connection dials through the NetworkPolicy with the
 * kubeconfig's TLS material. It reads (GET) only; `deletePod` is the one write, refused unless the
 * run allows disruptive checks.
 */
import type { RequestOptions } from 'node:https';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { request, type Agent } from 'undici';
import { NetworkPolicy } from '../net.js';
import { kubeDescription, ProbeError, type ClusterChoice, type KubeProbe, type KubeSnapshot } from '../types.js';
import { readCapped } from '../http/body.js';
import { AnswerBudget, kubeHttp, type KubeHttp } from './capped-http.js';
import { policyAgent, type KubeTls } from './dispatcher.js';
import { kubeProbeError } from './errors.js';
import type { ClusterRef } from './rights.js';
import { kubeconfigWithEntra, vetKubeConfig, type TokenFor } from './kubeconfig.js';
import { takeSnapshot } from './snapshot.js';

export interface KubeProbeOptions {
  /** Lazily: in instructor mode it comes from Azure (listClusterUserCredentials), a secret. */
  kubeconfig: () => Promise<KubeConfig | string>;
  /** Which cluster that kubeconfig is, and why (undefined, or absent: its current context's cluster). */
  cluster?: () => Promise<ClusterChoice | undefined>;
  /** Tokens for Entra ID clusters' kubelogin users, from the grader's Azure credential. */
  tokenFor?: TokenFor;
  /** The namespace graded (the lab's objects live in `default`). */
  namespace: string;
  allowDisruptive: boolean;
  /** --allow-exec-credentials */
  allowExec?: boolean;
  /** The kubeconfig is the operator's own (a self-check's, the class config's): its local files may be read. */
  trustFiles?: boolean;
  /** Bound on connecting and on each answer. */
  timeoutMs?: number;
  policy?: NetworkPolicy;
  /** Cap on a pod-proxy answer's body. */
  maxProxyBodyBytes?: number;
}

interface Connection {
  kc: KubeConfig;
  server: string;
  cluster: ClusterRef;
  /** The API, its answers drawing from `budget` (one per read of the cluster). */
  http(budget?: AnswerBudget): KubeHttp;
}

/** The kubeconfig's credentials (headers, refreshed per request) and TLS material on one connection pool. */
async function requestOptions(kc: KubeConfig): Promise<{ headers: Record<string, string>; tls: KubeTls }> {
  const o: RequestOptions = {};
  await kc.applyToHTTPSOptions(o);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(v);
  return { headers, tls: o as KubeTls };
}

export function kubeProbe(opts: KubeProbeOptions): KubeProbe & { close(): Promise<void> } {
  const policy = opts.policy ?? new NetworkPolicy();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxProxy = opts.maxProxyBodyBytes ?? 1024 * 1024;
  let connection: Promise<Connection> | undefined;
  let agent: Agent | undefined;

  const makeAgent = (tls: KubeTls) => (agent ??= policyAgent(policy, { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized, servername: tls.servername }, timeoutMs));

  const connect = (): Promise<Connection> =>
    (connection ??= (async () => {
      const source = await opts.kubeconfig();
      const kc =
        typeof source === 'string'
          ? await kubeconfigWithEntra(source, { allowExec: !!opts.allowExec, policy, trustFiles: opts.trustFiles, tokenFor: opts.tokenFor })
          : vetKubeConfig(source, { allowExec: !!opts.allowExec, policy, trustFiles: opts.trustFiles });
      const server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
      // Which cluster this is, for the commands that grant the grader a right it lacks there.
      const chosen = await opts.cluster?.().catch(() => undefined);
      const cluster: ClusterRef = chosen ? { name: chosen.name, id: chosen.id } : { name: kc.getCurrentCluster()!.name };
      // The kubeconfig's headers on every request (refreshed per request), on the probe's connection pool.
      const auth = async () => {
        const { headers, tls } = await requestOptions(kc);
        return { headers, dispatcher: makeAgent(tls) };
      };
      return { kc, server, cluster, http: (budget = new AnswerBudget()) => kubeHttp(server, auth, budget) };
    })().catch((err) => {
      connection = undefined; // a later round may succeed (e.g. credentials fetched again)
      throw err instanceof ProbeError ? err : kubeProbeError('load', 'kubeconfig', err, '(not connected)');
    }));

  return {
    description: kubeDescription(opts.namespace),

    async cluster() {
      const chosen = await opts.cluster?.();
      if (chosen) return chosen;
      const c = await connect();
      const name = c.kc.getCurrentCluster()?.name ?? c.server;
      return { name, reason: `the current context (${c.kc.getCurrentContext()}) of the kubeconfig`, candidates: [name] };
    },

    async reach() {
      const c = await connect();
      try {
        const v = await c.http().get<{ gitVersion?: string }>('/version');
        return { server: c.server, gitVersion: v.gitVersion as string };
      } catch (err) {
        throw kubeProbeError('get', '/version', err, c.server, c.cluster);
      }
    },

    async snapshot(): Promise<KubeSnapshot> {
      // The snapshot's lists share one budget: together they are one read of the student's cluster.
      const c = await connect();
      return takeSnapshot(c.http(new AnswerBudget()), opts.namespace, c.cluster);
    },

    async listPods(namespace, labelSelector) {
      const c = await connect();
      try {
        const list = await c.http().get<{ items?: V1Pod[] }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, labelSelector === undefined ? {} : { labelSelector });
        return list.items as V1Pod[];
      } catch (err) {
        throw kubeProbeError('list', 'pods', err, c.server, c.cluster);
      }
    },

    async podProxyGet(namespace, pod, port, path) {
      const c = await connect();
      const enc = encodeURIComponent;
      // Built by hand: the generated client percent-encodes the path's slashes.
      const url = `${c.server}/api/v1/namespaces/${enc(namespace)}/pods/${enc(pod)}:${port}/proxy/${path.replace(/^\/+/, '')}`;
      try {
        const { headers, tls } = await requestOptions(c.kc);
        const res = await request(url, { method: 'GET', headers: { accept: 'application/json, */*', ...headers }, dispatcher: makeAgent(tls) });
        const { bytes } = await readCapped(res.body, maxProxy);
        return { status: res.statusCode, body: bytes.toString('utf8') };
      } catch (err) {
        throw kubeProbeError('get', `pods/${pod}:${port}/proxy${path}`, err, c.server, c.cluster);
      }
    },

    async deletePod(namespace, name) {
      if (!opts.allowDisruptive) {
        throw new ProbeError('kube', `refusing to delete pod ${namespace}/${name}: deleting is disruptive; pass --allow-disruptive`, { verb: 'delete', resource: 'pods' });
      }
      const c = await connect();
      try {
        await c.http().delete(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
      } catch (err) {
        throw kubeProbeError('delete', `pods/${name}`, err, c.server, c.cluster);
      }
    },

    async close() {
      // The student's grading is over: abandon what is still in flight instead of waiting for it.
      await agent?.destroy();
    },
  };
}
