/**
 * The Kubernetes API's HTTP, with every answer read within a byte cap. An answer read whole
 * (client-node's `fetch(…).text()`): a student with thousands of large Secrets or Pods makes one list
 * hundreds of MB and the grader runs out of memory, ending the whole class's run. Here each answer is
 * read as it arrives and given up, its connection closed, as soon as it passes the cap of one answer
 * or what is left of the budget of one read of the cluster (a snapshot's lists read together).
 */
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';

const MiB = 1024 * 1024;

/**
 * The lab's lists are a few KB each; a busy namespace's events or a cluster's Helm history are a few
 * MB. Beyond these an answer is not read on.
 */
export const KUBE_ANSWER_LIMITS = { maxAnswerBytes: 8 * MiB, maxReadBytes: 16 * MiB };

/** What is left to read of one read of the cluster; every answer of that read draws from it as its bytes arrive. */
export class AnswerBudget {
  remaining: number;
  constructor(readonly total: number = KUBE_ANSWER_LIMITS.maxReadBytes) {
    this.remaining = total;
  }
}

/** An answer given up at a cap: the message says which (the caller names the list), `limitBytes` is that cap. */
export class AnswerTooLarge extends Error {
  constructor(
    message: string,
    readonly limitBytes: number,
  ) {
    super(message);
  }
}

const mib = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MiB`;

/** The body, chunk by chunk, until it ends or passes a cap: then the stream is destroyed and nothing more is read. */
async function readWithin(body: Readable, maxBytes: number, budget: AnswerBudget): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    budget.remaining -= chunk.length;
    if (size > maxBytes || budget.remaining < 0) {
      body.destroy();
      if (size > maxBytes) throw new AnswerTooLarge(`the answer is larger than ${mib(maxBytes)}, the most the grader reads of one answer (the lab's are a few KB); not read further`, maxBytes);
      throw new AnswerTooLarge(`the cluster's answers together are larger than ${mib(budget.total)}, the most the grader reads of one cluster at a time; not read further`, budget.total);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A non-2xx answer of the API server: its status and its body (a Status object, as text), as client-node's ApiException carried them. */
export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`the API server answered ${code}`);
  }
}

/** The kubeconfig's credentials for one request: its headers and the probe's connection pool. */
type KubeAuth = () => Promise<{ headers: Record<string, string>; dispatcher: Dispatcher }>;

/** The Kubernetes API as the probe reads it: a path (and query) in, the answer's JSON out, as the server wrote it. */
export interface KubeHttp {
  readonly server: string;
  /** GET `path`; a non-2xx answer throws KubeStatusError. */
  get<T>(path: string, query?: Record<string, string>): Promise<T>;
  /** DELETE `path`; a non-2xx answer throws KubeStatusError. */
  delete(path: string): Promise<void>;
}

const isJson = (contentType: string | string[] | undefined) => {
  const type = String(contentType ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
};

/**
 * Reads each answer as raw JSON within the caps, drawing from `budget`. The checks read a few fields
 * of each object: client-node's generated clients turned every list into its model classes first
 * (the largest part of the probe's CPU per student). Timestamps therefore stay strings (checks/kube/time.ts).
 */
export function kubeHttp(server: string, auth: KubeAuth, budget: AnswerBudget, maxAnswerBytes = KUBE_ANSWER_LIMITS.maxAnswerBytes): KubeHttp {
  const send = async (method: 'GET' | 'DELETE', path: string, query: Record<string, string> = {}) => {
    // As the generated clients built it: the server's URL, the path, the query encoded by URLSearchParams.
    const url = new URL(server + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const { headers, dispatcher } = await auth();
    const res = await request(url, { method, headers: { accept: 'application/json, */*;q=0.8', ...headers }, dispatcher });
    const text = (await readWithin(res.body, maxAnswerBytes, budget)).toString('utf8');
    if (res.statusCode < 200 || res.statusCode > 299) throw new KubeStatusError(res.statusCode, text);
    if (!isJson(res.headers['content-type'])) throw new Error(`the API server answered ${String(res.headers['content-type'] ?? 'no Content-Type')}, not JSON`);
    return text;
  };
  return {
    server,
    async get<T>(path: string, query?: Record<string, string>) {
      return JSON.parse(await send('GET', path, query)) as T;
    },
    async delete(path: string) {
      await send('DELETE', path);
    },
  };
}
