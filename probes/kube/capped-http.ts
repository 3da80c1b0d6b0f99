/**
 * The generated API clients' HTTP, with every answer read within a byte cap. client-node reads an
 * answer whole (`fetch(…).text()`): a student with thousands of large Secrets or Pods makes one list
 * hundreds of MB and the grader runs out of memory, ending the whole class's run. Here each answer is
 * read as it arrives and given up, its connection closed, as soon as it passes the cap of one answer
 * or what is left of the budget of one read of the cluster (a snapshot's lists read together).
 */
import type { Readable } from 'node:stream';
import { ResponseContext, SelfDecodingBody, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';
import { request } from 'undici';

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

const headerText = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : (v ?? ''));

/** An HTTP library for a client-node Configuration: the request as the client built it, its answer read within the caps. */
export function cappedHttpLibrary(budget: AnswerBudget, maxAnswerBytes = KUBE_ANSWER_LIMITS.maxAnswerBytes): HttpLibrary {
  return wrapHttpLibrary({
    async send(req: RequestContext): Promise<ResponseContext> {
      const body = req.getBody();
      if (body !== undefined && typeof body !== 'string') throw new Error('the Kubernetes probe sends only text bodies');
      // Every connection dials through the network policy's agent; undici's global one would not.
      const dispatcher = req.getDispatcher();
      if (!dispatcher) throw new Error("a Kubernetes request without the probe's connection pool");
      const res = await request(req.getUrl(), {
        method: req.getHttpMethod() as 'GET',
        headers: req.getHeaders(),
        body,
        signal: req.getSignal(),
        dispatcher,
      });
      const bytes = await readWithin(res.body, maxAnswerBytes, budget);
      const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, headerText(v)]));
      return new ResponseContext(res.statusCode, headers, new SelfDecodingBody(Promise.resolve(bytes)));
    },
  });
}
