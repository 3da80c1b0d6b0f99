/**
 * One bounded HTTP exchange with a registry, through the network policy's dispatcher: a timeout on the
 * whole exchange, a cap on the body, and no redirects followed here (the caller decides, same host only).
 */
import { request, type Dispatcher } from 'undici';

export interface RegistryAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the answer was larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

export interface SendOptions {
  method: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxBodyBytes: number;
}

export async function send(url: URL, opts: SendOptions): Promise<RegistryAnswer> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const res = await request(url, {
    method: opts.method,
    headers: { 'user-agent': 'lab-grade', ...opts.headers },
    body: opts.body,
    dispatcher: opts.dispatcher,
    signal,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBodyBytes) {
    res.body.destroy();
    throw new BodyTooLarge(opts.maxBodyBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > opts.maxBodyBytes) {
      res.body.destroy();
      throw new BodyTooLarge(opts.maxBodyBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return { status: res.statusCode, headers, body: Buffer.concat(chunks) };
}

/** The first Docker registry error code of a body (`{"errors":[{"code":"NAME_UNKNOWN",...}]}`), if any. */
export function registryErrorOf(body: Buffer): { code: string; message: string } | undefined {
  try {
    const e = (JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> }).errors?.[0];
    return e?.code ? { code: e.code, message: e.message ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

export function jsonOf<T>(body: Buffer): T | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
