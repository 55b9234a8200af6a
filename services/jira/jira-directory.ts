import type { CrowdMembership } from './crowd-membership-xml.js';
import type {
  BulkLastLogins,
  ApplicationRole,
  ConnectionCheck,
  JiraCapabilities,
  JiraUser,
  LastLogin,
  LastLoginReadiness,
  UserExpand,
  UserListing,
  UserRef,
  UserUpdate,
} from './types.js';

/**
 * The Jira user directory as the rest of Reclaim uses it. Jira Data Center implements it today
 * (`JiraDataCenterClient`); a Jira Cloud implementation can take its place later.
 *
 * Every method throws the typed errors of `errors.ts`; a `JiraRateLimitError` is never retried
 * here and is meant to pause the caller's queue.
 */
export interface JiraDirectory {
  /** Learns version, listing strategy and last-login source once; later calls return the same answer. */
  detect(): Promise<JiraCapabilities>;

  /** Reaches Jira and checks the account may administer it; throws `JiraNotAdministratorError` otherwise. */
  checkConnection(): Promise<ConnectionCheck>;

  /**
   * Every user, active and inactive, exactly once, page by page. Pages are only fetched as they
   * are consumed, so a caller that processes a page before asking for the next keeps memory flat.
   */
  listUsers(): UserListing;

  /** Throws `JiraNotFoundError` when there is no such user. */
  getUser(user: UserRef, options?: { expand?: UserExpand[] }): Promise<JiraUser>;

  /** Members of a group, active and inactive, page by page. */
  listGroupMembers(group: string): AsyncIterable<JiraUser[]>;

  /**
   * The usernames of a group's members (nested groups included), 1,000 a request, from Jira's
   * Crowd API; only where `lastLoginsInBulk()` loaded (the Jira User Server application is set).
   * Throws `JiraNotFoundError` for a group that does not exist.
   */
  listGroupMemberNames(group: string): AsyncIterable<string[]>;

  /**
   * Every group's direct members (users by name, and nested groups), read once from Jira's Crowd
   * API (`/group/membership`, Crowd REST 1.1+) and handed over as the answer streams in. Only
   * with the Jira User Server application; `JiraNotFoundError` where the endpoint is missing.
   */
  groupMemberships(consume: (memberships: CrowdMembership[]) => Promise<void>): Promise<void>;

  /** Succeeds too when the user already is a member, so a retried action is harmless. */
  addToGroup(username: string, group: string): Promise<void>;
  /** Succeeds too when the user is not a member. */
  removeFromGroup(username: string, group: string): Promise<void>;

  /** Gives the user access to an application (Jira adds them to the role's default groups). */
  grantApplication(username: string, applicationKey: string): Promise<void>;
  /** Takes the application away (Jira removes them from the role's groups). */
  revokeApplication(username: string, applicationKey: string): Promise<void>;

  /**
   * Changes the given fields only. A user in a read-only directory gives
   * `JiraReadOnlyDirectoryError`.
   */
  updateUser(user: UserRef, changes: UserUpdate): Promise<void>;

  /** Application roles with their groups and seat counts. */
  applicationRoles(): Promise<ApplicationRole[]>;

  /**
   * When the user last logged in. `unknown` (with the reason) whenever the source cannot answer:
   * it is never turned into `never`.
   */
  lastLogin(user: JiraUser | UserRef): Promise<LastLogin>;

  /**
   * Every user's last login at once, where the listing does not carry it: one request per
   * 1,000 users instead of one per user. `unavailable` says why none can be read.
   */
  lastLoginsInBulk(): Promise<BulkLastLogins>;

  /** Whether last logins can be read here (one light request at most), or what is missing. */
  lastLoginReadiness(): Promise<LastLoginReadiness>;

  /** HTTP requests sent so far, retries included. */
  readonly requestCount: number;

  /** Releases the kept-alive connections. */
  close(): Promise<void>;
}
