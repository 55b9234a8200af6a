import type { ListingPort, SearchCounters } from './listing-port.js';
import { partitionedSearch } from './partitioned-search.js';
import type { ListingStrategyName } from './types.js';
import type { UserBean } from './wire.js';

/*
 * The strategies for listing every user, one per kind of Jira:
 * - `user-list`: the cursor endpoint of Jira 11 and late 10.3 patches, which promises each user once;
 * - `paged-search`: `/user/search` with `startAt` (Jira 9, up to 1,000 per page);
 * - `partitioned-search`: `/user/search` by username prefix where only the first 100 results
 *   are reachable (Jira 10).
 */

/** Jira 9's largest `/user/search` page. */
export const MAX_SEARCH_PAGE = 1_000;
/** `/user/list`'s default and largest page. */
export const MAX_LIST_PAGE = 2_000;
/** The result cap of Jira 10's `/user/search`. */
export const SEARCH_CAP = 100;

export async function* cursorListing(port: ListingPort, pageSize: number): AsyncGenerator<UserBean[]> {
  let cursor: string | undefined;
  const seenCursors = new Set<string>();
  for (;;) {
    const page = await port.listPage(cursor, Math.min(pageSize, MAX_LIST_PAGE));
    if (page.users.length > 0) yield page.users;
    if (page.isLast || page.nextCursor === undefined || page.users.length === 0) return;
    // A cursor handed out twice would loop forever; stop loudly rather than list users again.
    if (seenCursors.has(page.nextCursor)) {
      throw new Error(`Jira's /user/list returned cursor "${page.nextCursor}" a second time`);
    }
    seenCursors.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}

/**
 * `startAt` paging of `username=.`, ending on a short page. When the search turns out to stop
 * at 100 results anyway (a version that caps without saying so), the rest is listed by
 * partitioned search; the caller's de-duplication absorbs the overlap.
 */
export async function* pagedSearch(
  port: ListingPort,
  pageSize: number,
  counters: SearchCounters,
): AsyncGenerator<UserBean[]> {
  const maxResults = Math.min(pageSize, MAX_SEARCH_PAGE);
  let previousFirstKey: string | undefined;
  for (let startAt = 0; ;) {
    const page = await port.search('.', startAt, maxResults);
    // A Jira that ignored startAt would hand out the first page forever.
    if (page[0] !== undefined && page[0].key === previousFirstKey) {
      throw new Error(`Jira's /user/search ignored startAt=${startAt}: the page repeats the previous one`);
    }
    previousFirstKey = page[0]?.key;
    if (startAt === SEARCH_CAP && page.length === 0 && maxResults > SEARCH_CAP) {
      yield* partitionedSearch(port, { cap: SEARCH_CAP }, counters);
      return;
    }
    if (page.length > 0) yield page;
    const looksCapped = startAt === 0 && page.length === SEARCH_CAP && maxResults > SEARCH_CAP;
    if (page.length < maxResults && !looksCapped) return;
    startAt += page.length;
  }
}

/** Runs a strategy and passes each user on once (by key), counting the repeats it drops. */
export async function* uniqueByKey(
  pages: AsyncIterable<UserBean[]>,
  onDuplicate: () => void,
): AsyncGenerator<UserBean[]> {
  const seen = new Set<string>();
  for await (const page of pages) {
    const fresh = page.filter((user) => {
      if (seen.has(user.key)) {
        onDuplicate();
        return false;
      }
      seen.add(user.key);
      return true;
    });
    if (fresh.length > 0) yield fresh;
  }
}

/**
 * The strategy's pages. Search strategies are de-duplicated by key (their pages overlap); the
 * cursor listing is not, because Jira promises no repeats there and a key set would make its
 * memory grow with the instance.
 */
export function listingPages(
  strategy: ListingStrategyName,
  port: ListingPort,
  pageSize: number,
  counters: SearchCounters & { duplicatesSkipped: number },
): AsyncIterable<UserBean[]> {
  const onDuplicate = () => {
    counters.duplicatesSkipped++;
  };
  switch (strategy) {
    case 'user-list':
      return cursorListing(port, pageSize);
    case 'paged-search':
      return uniqueByKey(pagedSearch(port, pageSize, counters), onDuplicate);
    case 'partitioned-search':
      return uniqueByKey(partitionedSearch(port, { cap: SEARCH_CAP }, counters), onDuplicate);
  }
}
