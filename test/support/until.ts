/**
 * Waits for a condition instead of a fixed sleep: resolves with the first truthy answer, or fails after
 * `timeoutMs` saying what it waited for (a busy machine gets the time it needs, a fast one none).
 */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The one wait no condition can replace: that something does NOT happen. Returns after `ms`; make it
 * several times the delay after which the unwanted thing would come, so a busy machine cannot hide it.
 */
export function quietFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
