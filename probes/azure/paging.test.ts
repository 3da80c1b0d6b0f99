/**
 * The one paging rule of ARM lists (./paging.ts), on stand-in pages: how many pages are pulled, and
 * what a list that would go on, leave ARM's host or outlive the student's grading becomes.
 */
import { describe, expect, it } from 'vitest';
import { allPages, EndlessListError } from './paging.js';

/** The bound paging.ts sets. */
const MAX_LIST_PAGES = 10;

const ARM = 'https://management.azure.com';

/** Pages as an SDK's `byPage()` gives them, counting how many were pulled (each pull is one request to ARM). */
function pager(total: number, link: (n: number) => string = (n) => `${ARM}/x?$skiptoken=${n}`) {
  const pulled = { count: 0 };
  async function* pages() {
    for (let n = 1; n <= total; n++) {
      pulled.count++;
      yield Object.assign([`item${n}`], { continuationToken: n < total ? link(n) : undefined });
    }
  }
  return { pages: pages(), pulled };
}

describe('allPages', () => {
  it('reads a list to its end', async () => {
    const { pages, pulled } = pager(3);
    expect(await allPages(pages, { endpoint: ARM, what: 'the clusters' })).toEqual(['item1', 'item2', 'item3']);
    expect(pulled.count).toBe(3);
  });

  it(`reads a list of exactly ${MAX_LIST_PAGES} pages`, async () => {
    expect(await allPages(pager(MAX_LIST_PAGES).pages, { endpoint: ARM, what: 'the clusters' })).toHaveLength(MAX_LIST_PAGES);
  });

  it(`a next page after ${MAX_LIST_PAGES} is an error saying ARM kept paging, and page ${MAX_LIST_PAGES + 1} is never asked for`, async () => {
    const { pages, pulled } = pager(1_000);
    const err = await allPages(pages, { endpoint: ARM, what: 'the clusters of rg' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndlessListError);
    expect((err as Error).message).toMatch(/^ARM kept paging the clusters of rg: still a next page after 10 pages/);
    expect(pulled.count).toBe(MAX_LIST_PAGES);
  });

  it('a next page on another host is not asked for (it would carry the bearer token there)', async () => {
    const { pages, pulled } = pager(3, () => 'https://collector.example.com/x');
    await expect(allPages(pages, { endpoint: ARM, what: 'the clusters' })).rejects.toThrow('ARM answered the clusters with a next page on another host (collector.example.com): not followed');
    expect(pulled.count).toBe(1);
  });

  it('no page is asked for once the signal fired', async () => {
    const over = new AbortController();
    const { pages, pulled } = pager(5);
    const stopping = (async function* () {
      // the grading ends while the first page is being answered
      for await (const page of pages) {
        over.abort(new Error('the grading is over'));
        yield page;
      }
    })();
    await expect(allPages(stopping, { endpoint: ARM, what: 'the clusters', signal: over.signal })).rejects.toThrow('the grading is over');
    expect(pulled.count).toBe(1);
  });
});
