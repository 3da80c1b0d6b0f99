/**
 * The one "eventually" loop (after Chainsaw's assert): try, and while the answer is not final and
 * the budget allows, wait and try again. The last answer is kept so that a timeout explains itself
 * with the last mismatch, not a bare "deadline exceeded".
 */
import { sleep } from './timeout.js';

export interface EventuallyOptions {
  budgetMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  now?: () => number;
}

export async function eventually<T>(
  attempt: (round: number) => Promise<T>,
  isFinal: (answer: T) => boolean,
  { budgetMs, intervalMs, signal, now = Date.now }: EventuallyOptions,
): Promise<{ answer: T; rounds: number }> {
  const deadline = now() + budgetMs;
  let round = 0;
  let answer = await attempt(round);
  while (!isFinal(answer) && !signal?.aborted && now() + intervalMs <= deadline) {
    await sleep(intervalMs, signal);
    if (signal?.aborted) break;
    round += 1;
    answer = await attempt(round);
  }
  return { answer, rounds: round + 1 };
}
