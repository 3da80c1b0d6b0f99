/**
 * The one rule for every ARM list the grader reads, through the SDK clients or its own pipeline: page by
 * page, at most MAX_LIST_PAGES pages, each next page on ARM's own host, and no further request once the
 * student's grading is over. A list ARM would page on past the bound is an error, never a partial list
 * taken as complete (a student's cluster on page 11 must not read as "no cluster").
 */

/**
 * A student's subscriptions, groups, a group's clusters, registries and role assignments fit on a page
 * or two (ARM pages hold hundreds of items); an ARM still paging after this many is not a lab account,
 * or is paging without end.
 */
const MAX_LIST_PAGES = 10;

/** ARM kept answering with a next page past MAX_LIST_PAGES. */
export class EndlessListError extends Error {
  constructor(what: string) {
    super(`ARM kept paging ${what}: still a next page after ${MAX_LIST_PAGES} pages, far more than a lab's account holds, so the list was not taken as complete`);
    this.name = 'EndlessListError';
  }
}

export interface PagingOptions {
  /** ARM's endpoint: a next page anywhere else would carry the grader's bearer token there. */
  endpoint: string;
  /** What is listed, for messages (a path, or the ARM action). */
  what: string;
  /** Fires when the student's grading is over: no page is asked for after it. */
  signal?: AbortSignal;
  /** The next page's link of a page (default: the SDKs' `continuationToken` on the page). */
  nextLinkOf?: (page: object) => string | undefined;
}

const ownContinuation = (page: object): string | undefined => (page as { continuationToken?: string }).continuationToken;

/**
 * Every item of a paged list. The pages are pulled one at a time, and the next one only after its link
 * passed the rule: an SDK's `byPage()` iterator asks ARM for a page when it is pulled.
 */
export async function allPages<T>(pages: AsyncIterable<T[]>, opts: PagingOptions): Promise<T[]> {
  const nextLinkOf = opts.nextLinkOf ?? ownContinuation;
  const out: T[] = [];
  let count = 0;
  const iterator = pages[Symbol.asyncIterator]();
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const { value: page, done } = await iterator.next();
      if (done) return out;
      out.push(...page);
      const next = nextLinkOf(page);
      if (!next) return out;
      if (++count >= MAX_LIST_PAGES) throw new EndlessListError(opts.what);
      const host = new URL(next, opts.endpoint);
      if (host.origin !== new URL(opts.endpoint).origin) throw new Error(`ARM answered ${opts.what} with a next page on another host (${host.host}): not followed`);
    }
  } finally {
    // Ends the SDK's generator without asking for another page.
    await iterator.return?.();
  }
}
