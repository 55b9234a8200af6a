import type { UserBean } from './wire.js';

/** The three Jira calls the listing strategies are built from, so each strategy is testable alone. */
export interface ListingPort {
  /** `GET /user/list`: one page from the cursor (none for the first page). */
  listPage(cursor: string | undefined, maxResults: number): Promise<CursorPage>;
  /** `GET /user/search`, active and inactive users. */
  search(query: string, startAt: number, maxResults: number): Promise<UserBean[]>;
  /** `GET /user?username=`: the user with exactly this name, if any. */
  findByName(name: string): Promise<UserBean | undefined>;
}

export interface CursorPage {
  users: UserBean[];
  nextCursor: string | undefined;
  isLast: boolean;
}

/** Counters a strategy updates as it goes. */
export interface SearchCounters {
  prefixQueries: number;
  prefixesCappedAtMaxDepth: number;
  /** Partitioned search: `GET /user?username=` lookups of a user named exactly a capped prefix. */
  exactLookups?: number;
}
