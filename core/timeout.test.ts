import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TimeoutError, withTimeout } from './timeout.js';

const later = <T>(ms: number, settle: 'resolve' | 'reject', value: T) => new Promise<T>((resolve, reject) => setTimeout(() => (settle === 'resolve' ? resolve(value) : reject(value)), ms));

/** Work that fails when the test says so. */
function failingLater() {
  let fail!: (reason: Error) => void;
  const promise = new Promise<never>((_, reject) => (fail = reject));
  return { promise, fail };
}

/** Lets Node finish the current turn: microtasks, then its check for rejections nobody handled. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('withTimeout', () => {
  const unhandled: unknown[] = [];
  const listen = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', listen);
  afterAll(() => process.off('unhandledRejection', listen));
  afterEach(() => {
    unhandled.length = 0;
  });

  it('gives the answer in time, a TimeoutError naming what was late, or the cancelling reason', async () => {
    await expect(withTimeout(later(5, 'resolve', 'ok'), 1000, 'probe')).resolves.toBe('ok');
    await expect(withTimeout(later(5, 'reject', new Error('refused')), 1000, 'probe')).rejects.toThrow('refused');
    const late = withTimeout(later(200, 'resolve', 'late'), 20, 'kube probe (pods)');
    await expect(late).rejects.toBeInstanceOf(TimeoutError);
    await expect(late).rejects.toThrow('kube probe (pods) timed out after 20 ms');
    const stop = new AbortController();
    const cancelled = withTimeout(later(200, 'resolve', 'x'), 1000, 'probe', stop.signal);
    stop.abort(new Error("the student's deadline of 8 s was reached"));
    await expect(cancelled).rejects.toThrow("the student's deadline");
  });

  it('leaves no unhandled rejection when the work it gave up on fails afterwards, even if cancelled before it began', async () => {
    const stop = new AbortController();
    stop.abort(new Error('deadline'));
    // Already cancelled: the work is given up on at once, and fails later.
    const cancelled = failingLater();
    await expect(withTimeout(cancelled.promise, 1000, 'check', stop.signal)).rejects.toThrow('deadline');
    cancelled.fail(new Error('failed after the deadline'));
    // Timed out: the same.
    const timedOut = failingLater();
    await expect(withTimeout(timedOut.promise, 5, 'check')).rejects.toBeInstanceOf(TimeoutError);
    timedOut.fail(new Error('failed after the timeout'));
    await nextTurn();
    expect(unhandled).toEqual([]);
  });
});
