/** Bounds a promise in time: rejects with a TimeoutError naming what timed out. */
export class TimeoutError extends Error {
  constructor(
    what: string,
    readonly ms: number,
  ) {
    super(`${what} timed out after ${formatMs(ms)}`);
    this.name = 'TimeoutError';
  }
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const settle = (finish: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = () => settle(() => reject(signal?.reason instanceof Error ? signal.reason : new Error(`${what} was cancelled`)));
    const timer = setTimeout(() => settle(() => reject(new TimeoutError(what, ms))), ms);
    timer.unref?.();
    // Handled before anything else: a promise given up on (timed out, or cancelled already) still settles later.
    promise.then(
      (v) => settle(() => resolve(v)),
      (e) => settle(() => reject(e)),
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
