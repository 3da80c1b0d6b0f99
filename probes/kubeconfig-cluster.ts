/**
 * Which cluster an operator's kubeconfig grades (a self-check's, a class config's
 * `kubernetes.kubeconfig`), and why. A context given (`--context`, `kubernetes.context`) is always
 * graded. Otherwise the current context, except:
 * - with Azure at hand, when its server is none of the student's clusters (a kubeconfig of another
 *   student's, say): the student's own cluster from Azure is graded (probes/student-cluster.ts);
 * - when its cluster holds none of the lab's Deployments and another context's does (with Azure, only
 *   contexts of the student's own clusters count): that context.
 * The reason says which and why, for the evidence.
 */
import { parse } from 'yaml';
import type { ClusterChoice, ManagedClusterFacts } from './types.js';
import type { StudentCluster, Workloads } from './student-cluster.js';
import { errorMessage } from '../core/errors.js';

/** One context of a kubeconfig: its name, its cluster entry and that cluster's server. */
export interface KubeContext {
  name: string;
  cluster: string;
  server: string;
}

/** The contexts of a kubeconfig and its current one, read without loading it (the probe vets what it loads). */
export function kubeconfigContexts(text: string): { current?: string; contexts: KubeContext[] } {
  const doc = parse(text, { merge: true }) as {
    'current-context'?: unknown;
    contexts?: Array<{ name?: unknown; context?: { cluster?: unknown } }>;
    clusters?: Array<{ name?: unknown; cluster?: { server?: unknown } }>;
  } | null;
  const servers = new Map((Array.isArray(doc?.clusters) ? doc.clusters : []).map((c) => [String(c?.name ?? ''), String(c?.cluster?.server ?? '')]));
  const contexts = (Array.isArray(doc?.contexts) ? doc.contexts : []).flatMap((c) => {
    const cluster = String(c?.context?.cluster ?? '');
    return typeof c?.name === 'string' && servers.get(cluster) ? [{ name: c.name, cluster, server: servers.get(cluster)! }] : [];
  });
  return { ...(typeof doc?.['current-context'] === 'string' ? { current: doc['current-context'] } : {}), contexts };
}

/** Where a server listens, comparable across kubeconfigs (`https://Host` and `https://host:443` are one). */
function endpoint(server: string): string | undefined {
  try {
    const url = new URL(server);
    return `${url.hostname.toLowerCase()}:${url.port || (url.protocol === 'http:' ? '80' : '443')}`;
  } catch {
    return undefined;
  }
}

/** The server's host, for messages. */
const hostOf = (server: string) => endpoint(server)?.replace(/:443$/, '') ?? server;

export interface KubeconfigClusterDeps {
  path: string;
  /** The context given on the command line or in the class config. */
  context?: string;
  readText(path: string): string;
  /** What one context's cluster lists (throws when it does not answer). */
  workloads(context: string): Promise<Workloads>;
  labDeployments: readonly string[];
  /** With Azure: the student's clusters, the server their credentials name, and the choice among them from Azure. */
  azure?: {
    clusters(): Promise<ManagedClusterFacts[]>;
    kubeconfigOf(cluster: string): Promise<string>;
    fromAzure(): Promise<StudentCluster>;
  };
}

/** What the kube probe grades: a context of the file, or the student's cluster from Azure. */
export type KubeconfigClusterChoice = ClusterChoice & ({ context: string } | { fromAzure: StudentCluster });

/**
 * Other contexts read when the current one holds nothing of the lab: a kubeconfig of a few clusters is
 * looked through; one of hundreds (a company's) is not dialled whole, at every grading, with its credentials.
 */
const MAX_CONTEXTS_LOOKED_INTO = 8;

export async function kubeconfigCluster(deps: KubeconfigClusterDeps): Promise<KubeconfigClusterChoice | undefined> {
  let parsed: ReturnType<typeof kubeconfigContexts>;
  try {
    parsed = kubeconfigContexts(deps.readText(deps.path));
  } catch {
    return undefined; // the probe loads the file itself and says what is wrong with it
  }
  const own = deps.azure ? await studentClusterOf(parsed.contexts, deps.azure) : undefined;
  const nameOf = (c: KubeContext) => own?.byContext.get(c.name)?.name ?? c.cluster;
  // A context of the student's own cluster carries its ARM id: a right the grader lacks there is granted on it.
  const idOf = (c: KubeContext) => {
    const id = own?.byContext.get(c.name)?.id;
    return id ? { id } : {};
  };

  if (deps.context !== undefined) {
    const given = parsed.contexts.find((c) => c.name === deps.context);
    if (!given) return undefined; // the probe says the context is missing
    const reason = `the context ${given.name}, as given`;
    if (!own || own.byContext.has(given.name)) return { name: nameOf(given), ...idOf(given), reason, candidates: [nameOf(given)], context: given.name };
    const notice = `the context ${given.name} points at ${hostOf(given.server)}, none of your clusters (${own.names.join(', ')}): graded as given`;
    return { name: nameOf(given), reason: `${reason}; ${notice}`, candidates: [nameOf(given)], kubeconfigNotice: notice, context: given.name };
  }
  const current = parsed.contexts.find((c) => c.name === parsed.current);
  if (!current) return undefined;
  const asIs = `the current context (${current.name}) of the kubeconfig`;

  if (own && !own.byContext.has(current.name)) {
    const chosen = await deps.azure!.fromAzure();
    const why = `the kubeconfig's current context ${current.name} points at ${hostOf(current.server)}, none of your clusters (${own.names.join(', ')}): your own cluster ${chosen.name} from Azure is graded instead`;
    return { name: chosen.name, ...(chosen.id ? { id: chosen.id } : {}), reason: `${why} (${chosen.reason})`, candidates: chosen.candidates, kubeconfigNotice: why, fromAzure: chosen };
  }
  const candidates = parsed.contexts.filter((c) => !own || own.byContext.has(c.name));
  const base = { reason: asIs, candidates: candidates.map(nameOf) };
  const keep = { name: nameOf(current), ...idOf(current), ...base, context: current.name };
  if (candidates.length < 2) return keep;

  const look = async (c: KubeContext) => {
    try {
      const seen = await deps.workloads(c.name);
      return { c, held: deps.labDeployments.filter((d) => seen.deployments.includes(d)) };
    } catch (err) {
      return { c, held: [] as string[], unreadable: errorMessage(err) };
    }
  };
  const mine = await look(current);
  if (mine.held.length) return keep;
  const currentSays = mine.unreadable ? `could not be read (${mine.unreadable})` : "holds none of the lab's Deployments";
  const rest = candidates.filter((c) => c !== current);
  if (rest.length > MAX_CONTEXTS_LOOKED_INTO) {
    const why = `the current context ${current.name}'s cluster ${currentSays}; the kubeconfig's ${rest.length} other contexts were not looked into (more than ${MAX_CONTEXTS_LOOKED_INTO}): name the lab's with --context (a class config: kubernetes.context)`;
    return { ...keep, reason: why, kubeconfigNotice: why };
  }
  const others = await Promise.all(rest.map(look));
  const most = Math.max(...others.map((o) => o.held.length));
  const best = others.filter((o) => o.held.length === most);
  if (most === 0 || best.length > 1) return keep;
  const { c, held } = best[0];
  const why = `the current context ${current.name}'s cluster ${currentSays}; context ${c.name}'s holds them (${held.join(', ')})`;
  return { ...base, name: nameOf(c), ...idOf(c), reason: why, kubeconfigNotice: `context ${c.name} graded instead of the current context ${current.name}`, context: c.name };
}

/** Which contexts point at one of the student's clusters (its fqdn, or the server of the credentials Azure hands out). */
async function studentClusterOf(contexts: KubeContext[], azure: NonNullable<KubeconfigClusterDeps['azure']>): Promise<{ byContext: Map<string, ManagedClusterFacts>; names: string[] } | undefined> {
  let clusters: ManagedClusterFacts[];
  try {
    clusters = await azure.clusters();
  } catch {
    return undefined; // Azure cannot tell whose the kubeconfig is: it is taken as it is
  }
  if (!clusters.length) return undefined;
  const byEndpoint = new Map<string, ManagedClusterFacts>();
  for (const c of clusters) if (c.fqdn) byEndpoint.set(`${c.fqdn.toLowerCase()}:443`, c);
  const unmatched = contexts.some((c) => !byEndpoint.has(endpoint(c.server) ?? ''));
  if (unmatched) {
    // A private cluster, or a stand-in whose credentials name another address: the server Azure's kubeconfig names.
    await Promise.all(
      clusters.map(async (c) => {
        try {
          const text = await azure.kubeconfigOf(c.name);
          const { current, contexts: theirs } = kubeconfigContexts(text);
          const server = theirs.find((x) => x.name === current)?.server;
          const at = server && endpoint(server);
          if (at) byEndpoint.set(at, c);
        } catch {
          /* no credentials: matched by fqdn only */
        }
      }),
    );
  }
  const byContext = new Map(contexts.flatMap((c) => (byEndpoint.has(endpoint(c.server) ?? '') ? [[c.name, byEndpoint.get(endpoint(c.server)!)!] as const] : [])));
  return { byContext, names: clusters.map((c) => c.name).sort() };
}
