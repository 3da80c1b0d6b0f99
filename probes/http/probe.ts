/**
 * The HTTP probe for the student's app, on undici through the NetworkPolicy's dispatcher:
 * - time bounds on connecting, on the answer's headers and on the whole body;
 * - a body cap (the rest is not read: `truncated: true`);
 * - redirects followed only within the same origin (scheme, host, port); any other redirect is
 *   returned as it is, without connecting anywhere (a student's app must not steer the grader);
 * - retries with back-off, within a time budget, for refused/reset connections, timeouts and
 *   502/503/504; a last 5xx answer is returned (the check decides), a last error is a ProbeError.
 */
import { request, type Dispatcher } from 'undici';
import { errorMessage } from '../../core/errors.js';
import { formatMs, sleep } from '../../core/timeout.js';
import { refusedByPolicy, type NetworkPolicy } from '../net.js';
import { ProbeError, type HttpAnswer, type HttpProbe, type HttpRequestOptions } from '../types.js';
import { readCapped } from './body.js';
import { backoffDelay, errorCode, isTransientError, TRANSIENT_STATUS } from './retry.js';

export interface HttpProbeOptions {
  policy: NetworkPolicy;
  timeouts: { connect: number; headers: number; body: number };
  maxBodyBytes: number;
  retry: { budgetMs: number; baseDelayMs: number };
  /** Extra CA for https targets (the sandbox CA). */
  ca?: string;
  maxRedirects?: number;
}

interface Outgoing {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

const USER_AGENT = 'lab-grade';

class BodyDeadline extends Error {
  readonly code = 'BODY_DEADLINE';
  constructor(ms: number) {
    super(`the body did not arrive within ${formatMs(ms)}`);
  }
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const sameOrigin = (a: URL, b: URL) => a.protocol === b.protocol && a.hostname === b.hostname && a.port === b.port;

export function httpProbe(opts: HttpProbeOptions): HttpProbe & { close(): Promise<void> } {
  const dispatcher: Dispatcher = opts.policy.dispatcher(opts.ca ? { ca: opts.ca } : {}, {
    connectTimeout: opts.timeouts.connect,
    headersTimeout: opts.timeouts.headers,
    bodyTimeout: opts.timeouts.body,
  });
  const maxRedirects = opts.maxRedirects ?? 5;

  /** One request and its capped body, the body bounded as a whole (undici's bodyTimeout is per chunk). */
  async function once(url: URL, out: Outgoing): Promise<HttpAnswer> {
    const abort = new AbortController();
    const res = await request(url, {
      method: out.method,
      headers: { 'user-agent': USER_AGENT, ...out.headers },
      body: out.body,
      dispatcher,
      signal: abort.signal,
      headersTimeout: opts.timeouts.headers,
      bodyTimeout: opts.timeouts.body,
    });
    const timer = setTimeout(() => abort.abort(new BodyDeadline(opts.timeouts.body)), opts.timeouts.body);
    try {
      const { bytes, truncated } = await readCapped(res.body, opts.maxBodyBytes);
      return { url: url.href, status: res.statusCode, headers: flatHeaders(res.headers), body: bytes.toString('utf8'), truncated };
    } catch (err) {
      throw abort.signal.aborted && abort.signal.reason instanceof BodyDeadline ? abort.signal.reason : err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Follows same-origin redirects (a POST becomes a GET on 301/302/303, as browsers do). */
  async function withRedirects(start: URL, first: Outgoing): Promise<HttpAnswer> {
    let url = start;
    let out = first;
    for (let hop = 0; ; hop++) {
      const answer = await once(url, out);
      const location = answer.headers.location;
      if (answer.status < 300 || answer.status >= 400 || !location || hop >= maxRedirects) return answer;
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return answer;
      }
      if (!sameOrigin(next, start)) return answer;
      if (answer.status !== 307 && answer.status !== 308) out = { method: 'GET', headers: {} };
      url = next;
    }
  }

  async function send(urlText: string, out: Outgoing, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new ProbeError('http', `not a URL: ${urlText}`, { url: urlText });
    }
    const started = Date.now();
    const budgetMs = options.retry === false ? 0 : opts.retry.budgetMs;
    const maxDelay = Math.max(opts.retry.baseDelayMs, opts.retry.budgetMs / 4);
    for (let attempt = 0; ; attempt++) {
      const delay = backoffDelay(attempt, opts.retry.baseDelayMs, maxDelay);
      const canRetry = () => Date.now() - started + delay < budgetMs;
      try {
        const answer = await withRedirects(url, out);
        if (!TRANSIENT_STATUS.has(answer.status) || !canRetry()) return answer;
      } catch (err) {
        if (!isTransientError(err) || !canRetry()) throw failure(url, out.method, err, attempt + 1, Date.now() - started);
      }
      await sleep(delay);
    }
  }

  return {
    get: (url, options) => send(url, { method: 'GET', headers: {} }, options),
    postForm: (url, fields) =>
      send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      }),
    // The student's grading is over: abandon what is still in flight instead of waiting for it.
    close: () => dispatcher.destroy(),
  };
}

function failure(url: URL, method: string, err: unknown, attempts: number, elapsedMs: number): ProbeError {
  const code = errorCode(err);
  const tries = attempts > 1 ? ` (${attempts} tries in ${formatMs(elapsedMs)})` : '';
  let why: string;
  const refusal = refusedByPolicy(err);
  if (refusal) why = refusal.message;
  else if (code === 'ECONNREFUSED') why = 'the connection was refused';
  else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') why = 'the connection was closed before an answer';
  else if (code === 'UND_ERR_CONNECT_TIMEOUT') why = 'connecting timed out';
  else if (code === 'UND_ERR_HEADERS_TIMEOUT') why = 'no answer (headers) in time';
  else if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'BODY_DEADLINE') why = 'the body did not arrive in time';
  else why = errorMessage(err);
  return new ProbeError('http', `${method} ${url.href}: ${why}${tries}`, {
    url: url.href,
    ...(code ? { code } : {}),
    attempts,
    refused: !!refusal,
  });
}
