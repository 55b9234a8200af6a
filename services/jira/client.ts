import type { z } from 'zod';
import { capabilitiesFrom } from './detect.js';
import {
  JiraBadRequestError,
  JiraNotAdministratorError,
  JiraNotFoundError,
  JiraUnauthorizedError,
  JiraForbiddenError,
  JiraUnexpectedResponseError,
} from './errors.js';
import {
  JiraHttp,
  encodeQuery,
  type JiraCredentials,
  type JiraRequest,
  type JiraRequestEvent,
  type JiraResponseEvent,
} from './http.js';
import type { JiraDirectory } from './jira-directory.js';
import { CrowdLastLoginIndex, crowdNotConfiguredReason } from './crowd-last-logins.js';
import { CrowdMembershipParser, type CrowdMembership } from './crowd-membership-xml.js';
import { lastLoginFromCrowdAttributes, lastLoginFromField } from './last-login.js';
import type { CursorPage, ListingPort } from './listing-port.js';
import { MAX_LIST_PAGE, MAX_SEARCH_PAGE, SEARCH_CAP, listingPages } from './listing.js';
import type {
  ApplicationRole,
  BulkLastLogins,
  LastLoginReadiness,
  ConnectionCheck,
  JiraCapabilities,
  JiraUser,
  LastLogin,
  ListingStats,
  UserExpand,
  UserListing,
  UserRef,
  UserUpdate,
} from './types.js';
import {
  applicationRolesSchema,
  crowdAttributes,
  crowdSearchSchema,
  crowdUserSchema,
  groupMemberPageSchema,
  myPermissionsSchema,
  serverInfoSchema,
  streamPageSchema,
  toApplicationRole,
  toJiraUser,
  userBeanSchema,
  userBeansSchema,
  type UserBean,
} from './wire.js';

export interface JiraDataCenterClientOptions {
  /** Jira's base URL, with its context path if any (`https://jira.example.com/jira`). */
  baseUrl: string;
  /** Personal access token (Bearer). Either this or `username` + `password`. */
  token?: string;
  username?: string;
  password?: string;
  /**
   * The Jira User Server application (name and password) for Jira's Crowd API
   * (`/rest/usermanagement/1`), where Jira 9 keeps last logins. That API answers only an
   * application, so the Jira credentials above are never sent there: without this, Jira 9's
   * last logins are `unknown`.
   */
  crowd?: { username: string; password: string };
  /** Per-request timeout. @defaultValue 30_000 */
  timeoutMs?: number;
  /** Retries after a 5xx, a reset or a timeout; a 429 is never retried here. @defaultValue 2 */
  retries?: number;
  /** Upper bound of the first retry delay; later ones double, with jitter. @defaultValue 250 */
  retryBaseDelayMs?: number;
  /** No retry starts once this long has passed since a request's first attempt. @defaultValue 60_000 */
  retryBudgetMs?: number;
  /** Users per listing page (capped by each endpoint's maximum). @defaultValue 1_000 */
  pageSize?: number;
  /**
   * Awaited before every HTTP attempt, retries, detection and Crowd calls included: the shared
   * ceiling of requests per second, and the run's count of Jira requests.
   */
  beforeAttempt?: (event: JiraRequestEvent) => Promise<void>;
  /** Called for every HTTP attempt, e.g. to count "Jira requests per 1000 users". */
  onRequest?: (event: JiraRequestEvent) => void;
  /** Told how every HTTP attempt ended (status or `error`), for the request metrics. */
  onResponse?: (event: JiraResponseEvent) => void;
  /** Asked on a 429: wait for `Retry-After` and retry in place instead of throwing. */
  waitOnRateLimit?: () => boolean;
}

const API = '/rest/api/2';
// Jira: "Cannot add user. 'x' already belongs to the group 'y'." / "… is not a member of the group …"
const ALREADY_MEMBER = /already (belongs|a member)/i;
const NOT_A_MEMBER = /not a member/i;
const CROWD_USER = '/rest/usermanagement/1/user';
const CROWD_SEARCH = '/rest/usermanagement/1/search';
/** A group's members, nested groups included, as Jira's /group/member lists them. */
const CROWD_GROUP_MEMBERS = '/rest/usermanagement/1/group/user/nested';
/** Every group's direct members, in one XML answer (Crowd REST 1.1+). */
const CROWD_GROUP_MEMBERSHIPS = '/rest/usermanagement/1/group/membership';
/** Crowd's search page (its own default and maximum). */
const CROWD_SEARCH_PAGE = 1_000;
/** `/group/member`'s page size (Jira Cloud's documented maximum; DC accepts it too). */
const GROUP_MEMBER_PAGE = 50;
/** `/group/member` pages asked for at once once the first page has told the group's size. */
const GROUP_MEMBER_PAGES_AT_ONCE = 8;

/** Jira Data Center / Server 9.x–11.x over REST API 2. */
export class JiraDataCenterClient implements JiraDirectory {
  private readonly http: JiraHttp;
  private readonly pageSize: number;
  private readonly crowdCredentials: { username: string; password: string } | undefined;
  private capabilities: Promise<JiraCapabilities> | undefined;
  private knownCapabilities: JiraCapabilities | undefined;
  /** Set once Jira's Crowd API refused our credentials: it will not start accepting them mid-run. */
  private crowdRefusal: string | undefined;

  constructor(options: JiraDataCenterClientOptions) {
    this.http = new JiraHttp({
      baseUrl: options.baseUrl,
      credentials: credentialsFrom(options),
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      retryBaseDelayMs: options.retryBaseDelayMs,
      retryBudgetMs: options.retryBudgetMs,
      beforeAttempt: options.beforeAttempt,
      onRequest: options.onRequest,
      onResponse: options.onResponse,
      waitOnRateLimit: options.waitOnRateLimit,
    });
    this.pageSize = options.pageSize ?? 1_000;
    this.crowdCredentials = options.crowd;
  }

  get requestCount(): number {
    return this.http.requestCount;
  }

  detect(): Promise<JiraCapabilities> {
    this.capabilities ??= this.probe().then(
      (capabilities) => (this.knownCapabilities = capabilities),
      (error: unknown) => {
        // A failed detection (Jira down, rate limited) must not stick for the client's lifetime.
        this.capabilities = undefined;
        throw error;
      },
    );
    return this.capabilities;
  }

  async checkConnection(): Promise<ConnectionCheck> {
    const server = await this.get(`${API}/serverInfo`, serverInfoSchema);
    const myself = await this.get(`${API}/myself`, userBeanSchema);
    const request = {
      method: 'GET' as const,
      path: `${API}/mypermissions`,
      query: { permissions: 'ADMINISTER' },
    };
    const { permissions } = await this.fetch(request, myPermissionsSchema);
    if (permissions.ADMINISTER?.havePermission !== true) {
      throw new JiraNotAdministratorError(myself.name, { method: 'GET', path: `${API}/mypermissions` });
    }
    const check: ConnectionCheck = {
      version: server.version,
      baseUrl: this.http.baseUrl,
      user: { key: myself.key, name: myself.name },
    };
    if (server.serverTitle !== undefined) check.serverTitle = server.serverTitle;
    if (myself.displayName != null) check.user.displayName = myself.displayName;
    return check;
  }

  listUsers(): UserListing {
    const stats: ListingStats = {
      strategy: null,
      pages: 0,
      users: 0,
      duplicatesSkipped: 0,
      pagesWithoutLastLoginField: 0,
      prefixQueries: 0,
      prefixesCappedAtMaxDepth: 0,
      exactLookups: 0,
    };
    const fresh = { ...stats };
    const pages = async function* (this: JiraDataCenterClient): AsyncGenerator<JiraUser[]> {
      Object.assign(stats, fresh);
      const capabilities = await this.detect();
      stats.strategy = capabilities.listingStrategy;
      const expected = capabilities.lastLoginSource === 'user-field';
      for await (const beans of listingPages(
        capabilities.listingStrategy,
        this.listingPort(),
        this.pageSize,
        stats,
      )) {
        stats.pages++;
        stats.users += beans.length;
        // A page where nobody has the field may be a page of people who never logged in, or a
        // page Jira left unfilled: its users stay "absent" so last logins are read per user.
        const carried = expected && beans.some((bean) => typeof bean.lastLoginTime === 'string');
        if (expected && !carried) stats.pagesWithoutLastLoginField++;
        yield beans.map((bean) => toJiraUser(bean, carried));
      }
    }.bind(this);
    return { stats, [Symbol.asyncIterator]: () => pages() };
  }

  async getUser(user: UserRef, options: { expand?: UserExpand[] } = {}): Promise<JiraUser> {
    const bean = await this.fetchUser(user, options.expand);
    return toJiraUser(bean, this.knownCapabilities?.lastLoginSource === 'user-field', options.expand);
  }

  async *listGroupMembers(group: string): AsyncGenerator<JiraUser[]> {
    const pageAt = (startAt: number) =>
      this.fetch(
        {
          method: 'GET',
          path: `${API}/group/member`,
          query: { groupname: group, includeInactiveUsers: true, startAt, maxResults: GROUP_MEMBER_PAGE },
        },
        groupMemberPageSchema,
      );
    // The first page says how many members there are: the pages after it are asked for several
    // at a time, a new one as soon as one arrives (each request still waits its turn under
    // jira.requestsPerSecond), and handed on in order, rather than one round trip after another
    // for a group of a million members.
    for (let startAt = 0, known: number | undefined; ;) {
      // The pages asked for, in order: one until the group's size is known, then several.
      const window: Array<{ offset: number; page: ReturnType<typeof pageAt> }> = [];
      let nextOffset = startAt;
      const fill = () => {
        const limit = known === undefined ? 1 : GROUP_MEMBER_PAGES_AT_ONCE;
        while (window.length < limit && (window.length === 0 || nextOffset < known!)) {
          const page = pageAt(nextOffset);
          // A page asked for ahead may be dropped (below): its failure then goes unheard.
          page.catch(() => {});
          window.push({ offset: nextOffset, page });
          nextOffset += GROUP_MEMBER_PAGE;
        }
      };
      fill();
      while (window.length > 0) {
        const { offset, page: pending } = window.shift()!;
        const page = await pending;
        known = page.total ?? known;
        // Group members come as UserJsonBean, which has no lastLoginTime: absent, not "never".
        if (page.values.length > 0) yield page.values.map((bean) => toJiraUser(bean, false));
        startAt = offset + page.values.length;
        const done = page.isLast ?? (page.total !== undefined && startAt >= page.total);
        if (done || page.values.length === 0) return;
        // A short page that is not the last: the group changed while it was listed, so the
        // pages asked for with it may not follow on. Go on from where this one ended.
        if (page.values.length < GROUP_MEMBER_PAGE) break;
        fill();
      }
    }
  }

  async *listGroupMemberNames(group: string): AsyncGenerator<string[]> {
    if (!this.crowdCredentials) throw new Error("Jira's Crowd API needs jira.crowd to list group members");
    for (let startIndex = 0; ; startIndex += CROWD_SEARCH_PAGE) {
      const page = await this.fetch(
        {
          method: 'GET',
          path: CROWD_GROUP_MEMBERS,
          query: { groupname: group, 'start-index': startIndex, 'max-results': CROWD_SEARCH_PAGE },
          credentials: this.crowdCredentials,
        },
        crowdSearchSchema,
      );
      const names = page.users.flatMap((user) => (user.name === undefined ? [] : [user.name]));
      if (names.length > 0) yield names;
      if (page.users.length < CROWD_SEARCH_PAGE) return;
    }
  }

  async groupMemberships(consume: (memberships: CrowdMembership[]) => Promise<void>): Promise<void> {
    if (!this.crowdCredentials)
      throw new Error("Jira's Crowd API needs jira.crowd to list group memberships");
    const parser = new CrowdMembershipParser();
    await this.http.stream(
      { path: CROWD_GROUP_MEMBERSHIPS, accept: 'application/xml', credentials: this.crowdCredentials },
      async (chunk) => {
        const completed = parser.write(chunk);
        if (completed.length > 0) await consume(completed);
      },
    );
    const rest = parser.end();
    if (rest.length > 0) await consume(rest);
  }

  async addToGroup(username: string, group: string): Promise<void> {
    try {
      await this.http.request({
        method: 'POST',
        path: `${API}/group/user`,
        query: { groupname: group },
        body: { name: username },
      });
    } catch (error) {
      // Already a member is the state asked for; it is also what a retry meets when Jira
      // applied the first attempt but its answer was lost.
      if (!(error instanceof JiraBadRequestError && saysAny(error, ALREADY_MEMBER))) throw error;
    }
  }

  async removeFromGroup(username: string, group: string): Promise<void> {
    try {
      await this.http.request({
        method: 'DELETE',
        path: `${API}/group/user`,
        query: { groupname: group, username },
      });
    } catch (error) {
      if (!(error instanceof JiraBadRequestError && saysAny(error, NOT_A_MEMBER))) throw error;
    }
  }

  async grantApplication(username: string, applicationKey: string): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: `${API}/user/application`,
      query: { username, applicationKey },
    });
  }

  async revokeApplication(username: string, applicationKey: string): Promise<void> {
    await this.http.request({
      method: 'DELETE',
      path: `${API}/user/application`,
      query: { username, applicationKey },
    });
  }

  async updateUser(user: UserRef, changes: UserUpdate): Promise<void> {
    const body = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    if (Object.keys(body).length === 0) return;
    // A rename addressed by the old name cannot be retried (the name is gone once it is
    // applied); addressed by key it can, so resolve the key first.
    const target: UserRef =
      changes.name !== undefined && (typeof user === 'string' || !('key' in user))
        ? { key: (await this.fetchUser(user)).key }
        : user;
    await this.http.request({ method: 'PUT', path: `${API}/user`, query: userQuery(target), body });
  }

  async applicationRoles(): Promise<ApplicationRole[]> {
    const roles = await this.get(`${API}/applicationrole`, applicationRolesSchema);
    return roles.map(toApplicationRole);
  }

  async lastLogin(user: JiraUser | UserRef): Promise<LastLogin> {
    if (typeof user === 'object' && 'active' in user && user.lastLoginTime !== undefined) {
      return lastLoginFromField(user.lastLoginTime);
    }
    const capabilities = await this.detect();
    if (capabilities.lastLoginSource === 'user-field') {
      const bean = await this.fetchUser(refOf(user));
      return lastLoginFromField(bean.lastLoginTime ?? null);
    }
    const username =
      typeof user === 'string' ? user : 'name' in user ? user.name : (await this.fetchUser(user)).name;
    return this.crowdLastLogin(username);
  }

  async lastLoginReadiness(): Promise<LastLoginReadiness> {
    const capabilities = await this.detect();
    if (capabilities.lastLoginSource === 'user-field') {
      return { status: 'ready', source: 'user-field', how: 'carried by the user listing (lastLoginTime)' };
    }
    if (!this.crowdCredentials) {
      return { status: 'missing', reason: crowdNotConfiguredReason(capabilities.version) };
    }
    try {
      await this.fetch(
        {
          method: 'GET',
          path: CROWD_SEARCH,
          query: { 'entity-type': 'user', expand: 'user,attributes', 'start-index': 0, 'max-results': 1 },
          credentials: this.crowdCredentials,
        },
        crowdSearchSchema,
      );
    } catch (error) {
      const refusal = this.crowdFailure(error, CROWD_SEARCH);
      if (refusal === undefined) throw error;
      return { status: 'missing', reason: refusal };
    }
    return {
      status: 'ready',
      source: 'crowd-attributes',
      how: `read in bulk from Crowd's user search as Jira User Server application "${this.crowdCredentials.username}"`,
    };
  }

  async lastLoginsInBulk(): Promise<BulkLastLogins> {
    const capabilities = await this.detect();
    if (capabilities.lastLoginSource === 'user-field') return { status: 'not-needed' };
    if (!this.crowdCredentials) {
      return { status: 'unavailable', reason: crowdNotConfiguredReason(capabilities.version) };
    }
    const index = new CrowdLastLoginIndex();
    try {
      for (let startIndex = 0; ; startIndex += CROWD_SEARCH_PAGE) {
        const page = await this.fetch(
          {
            method: 'GET',
            path: CROWD_SEARCH,
            query: {
              'entity-type': 'user',
              expand: 'user,attributes',
              'start-index': startIndex,
              'max-results': CROWD_SEARCH_PAGE,
            },
            credentials: this.crowdCredentials,
          },
          crowdSearchSchema,
        );
        index.add(page.users);
        if (page.users.length < CROWD_SEARCH_PAGE) break;
      }
    } catch (error) {
      const refusal = this.crowdFailure(error, CROWD_SEARCH);
      if (refusal === undefined) throw error;
      return { status: 'unavailable', reason: refusal };
    }
    return index.loaded();
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private async probe(): Promise<JiraCapabilities> {
    const server = await this.get(`${API}/serverInfo`, serverInfoSchema);
    let sample: UserBean[];
    let hasUserList: boolean;
    try {
      sample = (await this.listingPort().listPage(undefined, SEARCH_CAP)).users;
      hasUserList = true;
    } catch (error) {
      if (!(error instanceof JiraNotFoundError)) throw error;
      sample = await this.listingPort().search('.', 0, SEARCH_CAP);
      hasUserList = false;
    }
    // If none of the sampled users ever logged in, the field reads as unfilled: the safe side,
    // since last logins are then asked of Crowd instead of being taken as "never".
    return capabilitiesFrom({
      version: server.version,
      hasUserList,
      lastLoginFieldObserved: sample.some((bean) => typeof bean.lastLoginTime === 'string'),
    });
  }

  private listingPort(): ListingPort {
    return {
      listPage: async (cursor, maxResults): Promise<CursorPage> => {
        const page = await this.fetch(
          {
            method: 'GET',
            path: `${API}/user/list`,
            query: { cursor, maxResults: Math.min(maxResults, MAX_LIST_PAGE) },
          },
          streamPageSchema,
        );
        const nextCursor = page.nextCursor == null ? undefined : String(page.nextCursor);
        return { users: page.values, nextCursor, isLast: page.isLast ?? nextCursor === undefined };
      },
      search: (query, startAt, maxResults) =>
        this.fetch(
          {
            method: 'GET',
            path: `${API}/user/search`,
            query: {
              username: query,
              startAt,
              maxResults: Math.min(maxResults, MAX_SEARCH_PAGE),
              includeActive: true,
              includeInactive: true,
            },
          },
          userBeansSchema,
        ),
      findByName: async (name) => {
        try {
          return await this.fetchUser(name);
        } catch (error) {
          if (error instanceof JiraNotFoundError) return undefined;
          throw error;
        }
      },
    };
  }

  private fetchUser(user: UserRef, expand?: UserExpand[]): Promise<UserBean> {
    const query = { ...userQuery(user), ...(expand?.length ? { expand: expand.join(',') } : {}) };
    return this.fetch({ method: 'GET', path: `${API}/user`, query }, userBeanSchema);
  }

  /**
   * Jira 9's last login: the `login.lastLoginMillis` attribute through Jira's Crowd API. That
   * API only answers when Jira is set up as a user server; when it does not, the answer is
   * `unknown`, because "no attribute" would otherwise read as "never logged in".
   */
  private async crowdLastLogin(username: string): Promise<LastLogin> {
    if (this.crowdRefusal !== undefined) return { status: 'unknown', reason: this.crowdRefusal };
    if (!this.crowdCredentials) {
      const { version } = await this.detect();
      return { status: 'unknown', reason: crowdNotConfiguredReason(version) };
    }
    const request: JiraRequest = {
      method: 'GET',
      path: CROWD_USER,
      query: { username, expand: 'attributes' },
      credentials: this.crowdCredentials,
    };
    try {
      const crowdUser = await this.fetch(request, crowdUserSchema);
      return lastLoginFromCrowdAttributes(crowdAttributes(crowdUser));
    } catch (error) {
      if (error instanceof JiraUnauthorizedError || error instanceof JiraForbiddenError) {
        return { status: 'unknown', reason: this.crowdFailure(error, CROWD_USER) as string };
      }
      if (error instanceof JiraNotFoundError) {
        const says = error.messages.length ? `: ${error.messages.join('; ')}` : '';
        return { status: 'unknown', reason: `Jira's Crowd API answered 404 for "${username}"${says}` };
      }
      if (error instanceof JiraUnexpectedResponseError) {
        return { status: 'unknown', reason: `Jira's Crowd API answered unexpectedly: ${error.message}` };
      }
      throw error;
    }
  }

  /**
   * The reason to give for a refused or unusable answer of Jira's Crowd API, or undefined for
   * an error that is not about it (Jira down, rate limited). A refusal is remembered: the API
   * will not start accepting the application mid-run.
   */
  private crowdFailure(error: unknown, path: string): string | undefined {
    if (error instanceof JiraUnauthorizedError || error instanceof JiraForbiddenError) {
      this.crowdRefusal =
        `Jira's Crowd API (${path}) refused the Jira User Server application (${error.status}): check ` +
        '`jira.crowd` against User management → Jira user server, and that this host is an allowed address';
      return this.crowdRefusal;
    }
    if (error instanceof JiraNotFoundError) {
      return `Jira's Crowd API (${path}) answered 404: is Jira set up as a user server?`;
    }
    if (error instanceof JiraUnexpectedResponseError) {
      return `Jira's Crowd API (${path}) answered unexpectedly: ${error.message}`;
    }
    return undefined;
  }

  private get<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
    return this.fetch({ method: 'GET', path }, schema);
  }

  private async fetch<T extends z.ZodType>(request: JiraRequest, schema: T): Promise<z.infer<T>> {
    const response = await this.http.request(request);
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) {
      throw new JiraUnexpectedResponseError(
        {
          method: request.method,
          path: request.path + encodeQuery(request.query),
          status: response.status,
          cause: parsed.error,
        },
        `Jira's answer does not have the documented shape (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    }
    return parsed.data;
  }
}

function saysAny(error: JiraBadRequestError, pattern: RegExp): boolean {
  return [...error.messages, ...Object.values(error.fieldErrors)].some((message) => pattern.test(message));
}

function credentialsFrom(options: JiraDataCenterClientOptions): JiraCredentials {
  if (options.token) return { token: options.token };
  if (options.username !== undefined && options.password !== undefined) {
    return { username: options.username, password: options.password };
  }
  throw new Error('Jira client: set either a personal access token or a username and password');
}

function userQuery(user: UserRef): { username: string } | { key: string } {
  if (typeof user === 'string') return { username: user };
  return 'key' in user ? { key: user.key } : { username: user.name };
}

function refOf(user: JiraUser | UserRef): UserRef {
  if (typeof user === 'string') return user;
  return 'key' in user ? { key: user.key } : user;
}
