import type { Profile } from '../../simulator/index.js';
import { getJson, inPool, type ScriptTarget } from './jira-http.js';

/*
 * The Jira and SCIM reads the admin scripts are made of, in the shapes Jira's REST API gives.
 * Written as an admin would: plain pages, no queue, no store.
 */

/** A user as the listings give it. */
export interface ListedUser {
  key: string;
  name: string;
  displayName?: string;
  emailAddress?: string;
  active: boolean;
  /** Jira 10+: absent when the user never logged in. */
  lastLoginTime?: string;
}

interface GroupsExpansion {
  groups?: { items?: Array<{ name: string }> };
}

/** Every group that grants one of `applications` (lower-cased, as Jira compares them). */
export async function licenceGroups(
  target: ScriptTarget,
  applications: readonly string[],
): Promise<string[]> {
  const roles = await getJson<Array<{ key: string; groups: string[] }>>(
    target,
    '/rest/api/2/applicationrole',
  );
  return roles.filter((role) => applications.includes(role.key)).flatMap((role) => role.groups);
}

export async function myself(target: ScriptTarget): Promise<{ key: string; name: string }> {
  return getJson(target, '/rest/api/2/myself');
}

/** The SCIM directory in pages of 1,000: lower-cased userName → active. */
export async function scimDirectory(
  target: ScriptTarget,
  concurrency: number,
): Promise<Map<string, boolean>> {
  type Page = { totalResults: number; Resources: Array<{ userName: string; active?: boolean }> };
  const page = (start: number) =>
    getJson<Page>(target, `/scim/v2/Users?startIndex=${start}&count=1000&attributes=userName,active`);
  const first = await page(1);
  const starts: number[] = [];
  for (let start = 1 + 1000; start <= first.totalResults; start += 1000) starts.push(start);
  const rest = await inPool(starts, concurrency, page);
  const byName = new Map<string, boolean>();
  for (const answer of [first, ...rest]) {
    for (const user of answer.Resources) byName.set(user.userName.toLowerCase(), user.active !== false);
  }
  return byName;
}

/** Keys of a group's members, active or not, 50 a page (the first page tells the total). */
export async function groupMemberKeys(
  target: ScriptTarget,
  group: string,
  concurrency: number,
): Promise<string[]> {
  type Page = { total: number; values: Array<{ key: string }> };
  const page = (startAt: number) =>
    getJson<Page>(
      target,
      `/rest/api/2/group/member?groupname=${encodeURIComponent(group)}&includeInactiveUsers=true&startAt=${startAt}&maxResults=50`,
    );
  let first: Page;
  try {
    first = await page(0);
  } catch (error) {
    if (String(error).includes('HTTP 404')) return [];
    throw error;
  }
  const starts: number[] = [];
  for (let startAt = first.values.length; startAt < first.total; startAt += 50) starts.push(startAt);
  const rest = await inPool(starts, concurrency, page);
  return [first, ...rest].flatMap((answer) => answer.values.map((user) => user.key));
}

/** One user with every group and (Jira 10+) the last login. */
export async function userWithGroups(
  target: ScriptTarget,
  name: string,
): Promise<ListedUser & { groups: string[] }> {
  const user = await getJson<ListedUser & GroupsExpansion>(
    target,
    `/rest/api/2/user?username=${encodeURIComponent(name)}&expand=groups`,
  );
  return { ...user, groups: (user.groups?.items ?? []).map((group) => group.name) };
}

/** Jira 9: one user's last login from Crowd's attributes (epoch ms), null when never. */
export async function crowdLastLogin(target: ScriptTarget, name: string): Promise<Date | null> {
  const answer = await getJson<{ attributes: Array<{ name: string; values: string[] }> }>(
    target,
    `/rest/usermanagement/1/user/attribute?username=${encodeURIComponent(name)}`,
    true,
  );
  return loginOf(answer.attributes);
}

function loginOf(attributes: Array<{ name: string; values: string[] }>): Date | null {
  const millis = attributes.find((a) => a.name === 'login.lastLoginMillis')?.values[0];
  return millis === undefined ? null : new Date(Number(millis));
}

/**
 * Jira 9, in bulk: Crowd's user search with attributes, 1,000 a page, as the listing itself
 * (it carries key, name, active, e-mail and the last login). Pages go `concurrency` at a time.
 */
export async function* crowdUsers(
  target: ScriptTarget,
  concurrency: number,
): AsyncGenerator<Array<ListedUser & { lastLogin: Date | null }>> {
  type CrowdUser = {
    key: string;
    name: string;
    active: boolean;
    email?: string;
    'display-name'?: string;
    attributes?: { attributes: Array<{ name: string; values: string[] }> };
  };
  const page = (start: number) =>
    getJson<{ users: CrowdUser[] }>(
      target,
      `/rest/usermanagement/1/search?entity-type=user&expand=user,attributes&start-index=${start}&max-results=1000`,
      true,
    );
  for (let start = 0; ; start += 1000 * concurrency) {
    const starts = Array.from({ length: concurrency }, (_, i) => start + i * 1000);
    const answers = await inPool(starts, concurrency, page);
    for (const answer of answers) {
      if (answer.users.length > 0)
        yield answer.users.map((user) => ({
          key: user.key,
          name: user.name,
          active: user.active,
          ...(user.email !== undefined ? { emailAddress: user.email } : {}),
          ...(user['display-name'] !== undefined ? { displayName: user['display-name'] } : {}),
          lastLogin: loginOf(user.attributes?.attributes ?? []),
        }));
    }
    if (answers.some((answer) => answer.users.length < 1000)) return;
  }
}

/** `/user/search`, active and inactive users; `.` matches everyone. */
export async function userSearch(
  target: ScriptTarget,
  query: string,
  startAt: number,
  max: number,
): Promise<ListedUser[]> {
  return getJson<ListedUser[]>(
    target,
    `/rest/api/2/user/search?username=${encodeURIComponent(query)}&includeActive=true&includeInactive=true&startAt=${startAt}&maxResults=${max}`,
  );
}

/**
 * Every Jira user, page by page, the way the version allows: `/user/list` (Jira 11), paging
 * `/user/search` (Jira 9), username prefixes split at the 100-result cap (Jira 10).
 */
export async function* listUsers(
  target: ScriptTarget,
  profile: Profile,
  concurrency: number,
): AsyncGenerator<ListedUser[]> {
  if (profile === 'dc11') {
    let cursor = '';
    for (;;) {
      const page = await getJson<{ values: ListedUser[]; isLast: boolean; nextCursor?: string }>(
        target,
        `/rest/api/2/user/list?maxResults=2000${cursor ? `&cursor=${cursor}` : ''}`,
      );
      yield page.values;
      if (page.isLast || !page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }
  const search = (query: string, startAt: number, max: number) => userSearch(target, query, startAt, max);
  if (profile === 'dc9') {
    for (let startAt = 0; ; startAt += 1000) {
      const page = await search('.', startAt, 1000);
      if (page.length > 0) yield page;
      if (page.length < 1000) return;
    }
  }
  yield* prefixSearch(search, concurrency);
}

const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz0123456789._-@'];
const CAP = 100;

/**
 * Jira 10, the plain way (the naive script's): a prefix whose answer reaches the cap is split by
 * one more character, whatever the answer says. The smart script uses `partitionedUsers`.
 */
async function* prefixSearch(
  search: (query: string, startAt: number, max: number) => Promise<ListedUser[]>,
  concurrency: number,
): AsyncGenerator<ListedUser[]> {
  const seen = new Set<string>();
  let prefixes = ALPHABET;
  while (prefixes.length > 0) {
    const answers = await inPool(prefixes, concurrency, (prefix) => search(prefix, 0, CAP));
    const split: string[] = [];
    for (const [i, answer] of answers.entries()) {
      const prefix = prefixes[i]!;
      if (answer.length >= CAP && prefix.length < 40) split.push(...ALPHABET.map((c) => prefix + c));
      const fresh = answer.filter(
        (user) => user.name.toLowerCase().startsWith(prefix) && !seen.has(user.key),
      );
      for (const user of fresh) seen.add(user.key);
      if (fresh.length > 0) yield fresh;
    }
    prefixes = split;
  }
}
