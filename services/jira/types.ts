/*
 * The vocabulary shared by every Jira directory implementation and its callers. Nothing here
 * is specific to Jira Data Center's wire format: that lives in `wire.ts`.
 */

/** A Jira user as Reclaim sees it, whichever endpoint it came from. */
export interface JiraUser {
  /** Stays fixed across renames. */
  key: string;
  name: string;
  displayName?: string;
  emailAddress?: string;
  active: boolean;
  /**
   * The last login as Jira reported it (ISO-8601, any offset, e.g. `2023-08-30T16:37:01+1000`).
   * `null`: this Jira carries the field and has none for the user, i.e. never logged in.
   * Absent: the response this user came from does not carry the field; ask `lastLogin()`.
   */
  lastLoginTime?: string | null;
  /** Only when fetched with `expand: ['groups']`. */
  groups?: string[];
  /** Application keys (e.g. `jira-software`); only when fetched with `expand: ['applicationRoles']`. */
  applicationRoles?: string[];
}

/** Where last-login facts come from on a given Jira. */
export type LastLoginSource = 'user-field' | 'crowd-attributes';

export type LastLogin =
  | { status: 'known'; at: Date; source: LastLoginSource }
  | { status: 'never'; source: LastLoginSource }
  /** The fact could not be read; a caller must not read this as "never logged in". */
  | { status: 'unknown'; reason: string };

/**
 * Every user's last login read in bulk where the listing does not carry it (Jira 9: Crowd's
 * search), once per run; `not-needed` where the listing carries it.
 */
export type BulkLastLogins =
  | { status: 'not-needed' }
  | {
      status: 'loaded';
      /** Where they came from; Crowd's API then also lists group members by username. */
      source: LastLoginSource;
      size: number;
      get(username: string): LastLogin | undefined;
    }
  /** No source can answer (e.g. `jira.crowd` missing on Jira 9): every last login is unknown. */
  | { status: 'unavailable'; reason: string };

/** Whether this Jira's last logins can be read, and how; or exactly what is missing. */
export type LastLoginReadiness =
  { status: 'ready'; source: LastLoginSource; how: string } | { status: 'missing'; reason: string };

/** What the connected Jira can do, learnt once per client by `detect()`. */
export interface JiraCapabilities {
  /** `serverInfo.version`, e.g. `10.3.12`. */
  version: string;
  /** `[major, minor, patch]` of `version`; missing parts are 0. */
  versionNumbers: [number, number, number];
  /** `GET /rest/api/2/user/list` (cursor listing) answers here. */
  hasUserList: boolean;
  /** How many `/user/search` results are reachable at all (Jira 10 stops at 100); null: no cap. */
  searchCap: 100 | null;
  lastLoginSource: LastLoginSource;
  /**
   * The version should carry `lastLoginTime` and a sample of its users did carry it. False on a
   * Jira that should but does not fill it: its users' last logins are then unknown, not "never".
   */
  lastLoginFieldObserved: boolean;
  /** The listing strategy `listUsers()` uses. */
  listingStrategy: ListingStrategyName;
}

export type ListingStrategyName = 'user-list' | 'paged-search' | 'partitioned-search';

/** Counters of one listing, for the run report and for spotting a listing that cannot be trusted. */
export interface ListingStats {
  strategy: ListingStrategyName | null;
  pages: number;
  users: number;
  /** Users returned more than once (by key) and passed on only the first time. */
  duplicatesSkipped: number;
  /**
   * Pages in which no user carried `lastLoginTime` although this Jira fills the field. Their
   * users come out with the field absent, never as `null` (never logged in): `lastLogin()`
   * then reads each of them on its own. Many such pages mean Jira stopped filling the field.
   */
  pagesWithoutLastLoginField: number;
  /** Partitioned search: prefix queries sent. */
  prefixQueries: number;
  /**
   * Partitioned search: prefixes still at the result cap at the deepest prefix length, so some
   * of their users may be unreachable through search. Anything above 0 deserves a warning.
   */
  prefixesCappedAtMaxDepth: number;
  /** Partitioned search: lookups of a user named exactly a capped prefix. */
  exactLookups?: number;
}

/** One listing of users: pages at constant memory, plus its counters as it goes. */
export interface UserListing extends AsyncIterable<JiraUser[]> {
  readonly stats: Readonly<ListingStats>;
}

/** Which user an operation is about: a bare string is a username. */
export type UserRef = string | { name: string } | { key: string };

export type UserExpand = 'groups' | 'applicationRoles';

export interface UserUpdate {
  active?: boolean;
  /** Renames the user; the key stays. */
  name?: string;
  emailAddress?: string;
  displayName?: string;
}

export interface ApplicationRole {
  key: string;
  name: string;
  groups: string[];
  defaultGroups: string[];
  numberOfSeats?: number;
  remainingSeats?: number;
  userCount?: number;
  hasUnlimitedSeats: boolean;
}

/** The account Reclaim runs as, and the Jira it reached. */
export interface ConnectionCheck {
  version: string;
  baseUrl: string;
  serverTitle?: string;
  user: { key: string; name: string; displayName?: string };
}
