/**
 * Pipeline policies the grader adds to every ARM client it makes:
 * - a class-wide rate limit (one token bucket shared by all clients and all students): a class of 60
 *   students graded at once must not trip ARM's per-identity throttling;
 * - a cap on how long a 429/503 may ask us to wait: the SDK's retry policy honours Retry-After, but a
 *   value of an hour would hold a student's grading far past its deadline, so such an answer fails at
 *   once (the check becomes `error`, the student is re-run later);
 * - a per-attempt timeout (the pipeline has none by default).
 * These three sit after the Retry phase, so each retry attempt is limited, capped and timed on its own.
 * - ARM's own error (`{"error":{"code","message"}}`) on the final answer, once retries are over: the
 *   generated pagers replace it with "Pagination failed with unexpected statusCode", and the grader's
 *   messages quote ARM (who may not do what on which scope).
 */
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * Generic cell rate algorithm: `burst` requests may go at once, then one every 1/rate seconds.
 * Each caller reserves the next slot (no queue to manage); an abandoned reservation just spends a slot.
 */
export class TokenBucket {
  private tat = 0; // theoretical arrival time of the next request at the steady rate
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst = Math.max(1, Math.floor(ratePerSecond)),
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`requests per second must be > 0, got ${ratePerSecond}`);
    this.intervalMs = 1000 / ratePerSecond;
    this.toleranceMs = (Math.max(1, burst) - 1) * this.intervalMs;
  }

  /** How long the caller must wait before sending; the slot is taken. */
  reserve(): number {
    const now = this.now();
    const start = Math.max(now, this.tat - this.toleranceMs);
    this.tat = Math.max(this.tat, now) + this.intervalMs;
    return start - now;
  }

  async take(signal?: AbortSignal): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await sleep(waitMs, signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const RATE_LIMIT_POLICY = 'labGradeArmRateLimit';
const RETRY_AFTER_CAP_POLICY = 'labGradeRetryAfterCap';
const ATTEMPT_TIMEOUT_POLICY = 'labGradeAttemptTimeout';

export function rateLimitPolicy(bucket: TokenBucket): PipelinePolicy {
  return {
    name: RATE_LIMIT_POLICY,
    async sendRequest(request, next) {
      await bucket.take(request.abortSignal as AbortSignal | undefined);
      return next(request);
    },
  };
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export function retryAfterCapPolicy(maxWaitMs: number): PipelinePolicy {
  return {
    name: RETRY_AFTER_CAP_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const h = response.headers;
      const ms = Number(h.get('retry-after-ms') ?? h.get('x-ms-retry-after-ms') ?? NaN);
      const wait = Number.isFinite(ms) ? ms : retryAfterMs(h.get('retry-after'));
      if (wait !== undefined && wait > maxWaitMs) {
        // No `response` on the error: the retry policy would read its Retry-After and wait anyway.
        throw new RestError(`ARM asked to wait ${Math.ceil(wait / 1000)} s before retrying (more than the ${Math.ceil(maxWaitMs / 1000)} s the grader waits)`, {
          code: 'RetryAfterTooLong',
          statusCode: response.status,
          request,
        });
      }
      return response;
    },
  };
}

export function attemptTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: ATTEMPT_TIMEOUT_POLICY,
    sendRequest(request, next) {
      if (!request.timeout) request.timeout = timeoutMs;
      return next(request);
    },
  };
}

const ARM_ERROR_POLICY = 'labGradeArmError';

/** Throws a RestError carrying ARM's code and message for any answer >= 400 (after retries). */
export function armErrorPolicy(): PipelinePolicy {
  return {
    name: ARM_ERROR_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status < 400) return response;
      let error: { code?: unknown; message?: unknown } | undefined;
      try {
        const body = JSON.parse(response.bodyAsText ?? '') as { error?: { code?: unknown; message?: unknown }; code?: unknown; message?: unknown };
        error = body.error ?? body;
      } catch {
        /* not JSON: keep the status only */
      }
      const code = typeof error?.code === 'string' ? error.code : undefined;
      const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
      throw new RestError(message, { code, statusCode: response.status, request, response });
    },
  };
}
