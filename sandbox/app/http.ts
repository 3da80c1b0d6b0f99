/**
 * In-process HTTP: the simulated pods do not listen on sockets (a class of 200 students would need
 * thousands). A pod's app is a function from request to response; the front server and the API
 * server's pod proxy adapt real HTTP to it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface AppRequest {
  method: string;
  /** path and query, e.g. /greeting?content=x */
  path: string;
  /** lower-case header names */
  headers: Record<string, string>;
  body: Buffer;
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export type AppHandler = (req: AppRequest) => Promise<AppResponse>;

/** Nothing listens at that address (unknown host, no ready endpoint, wrong port): a TCP-level failure. */
export class Unreachable extends Error {
  constructor(
    message: string,
    /** Java's exception name for the same failure: what Spring puts in its error page. */
    readonly javaException: 'java.net.UnknownHostException' | 'java.net.ConnectException' | 'java.net.SocketException',
  ) {
    super(message);
    this.name = 'Unreachable';
  }
}

/** Opens a connection to `host:port` as seen from inside one pod (cluster DNS + Service routing): its requests all reach one pod. */
export type PodNetwork = (host: string, port: number) => AppHandler;

const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage, max = MAX_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function toAppRequest(req: IncomingMessage, path: string): Promise<AppRequest> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { method: req.method ?? 'GET', path, headers, body: await readBody(req) };
}

export function sendAppResponse(res: ServerResponse, answer: AppResponse): void {
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
  res.end(body);
}

/** Splits "/a/b?x=1" into pathname and search params without trusting a host. */
export function splitPath(path: string): { pathname: string; query: URLSearchParams } {
  const q = path.indexOf('?');
  return q < 0 ? { pathname: path, query: new URLSearchParams() } : { pathname: path.slice(0, q), query: new URLSearchParams(path.slice(q + 1)) };
}
