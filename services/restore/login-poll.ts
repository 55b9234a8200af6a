import type { JiraDatabaseConfig } from '../../config/schema.js';
import type { Logger } from '../../runtime/logger.js';
import { JiraDatabaseFacts } from '../jira-database/jira-database-facts.js';
import { JiraNotFoundError } from '../jira/errors.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import { lastLoginFromField } from '../jira/last-login.js';
import type { LastLogin } from '../jira/types.js';
import { noteLogin, type LoginDeps } from './note-login.js';
import type { WatchedUser } from './restore-ledger.js';
import { syncWatchList } from './watch-list.js';

/*
 * The login poll: reads the last logins of the watched users (a reclaim took their access) and
 * queues a restore for each who logged in after it; with `restore.grantOnLogin`, also looks for
 * anyone who logged in since the last poll. It picks the cheapest source: Jira's database when
 * configured (no Jira request at all), one read per user for a few users, else the bulk
 * listing — `lastLoginTime` on the user listing (Jira 10.3+/11), Crowd's user search on Jira 9 —
 * at one request per page of users instead of one per user.
 */

export interface PollDeps extends LoginDeps {
  jira: JiraDirectory;
  database: JiraDatabaseConfig | null;
  /** Users per page of the bulk listing (jira.pageSize). */
  pageSize: number;
  logger: Logger;
}

export type PollSource = 'none' | 'per-user' | 'listing' | 'crowd' | 'database';

export interface PollSummary {
  source: PollSource;
  watched: number;
  /** Watched users whose last login came after their reclaim. */
  loggedInAgain: number;
  restoresQueued: number;
  grantsQueued: number;
  /** Users whose last login could not be read this time. */
  unknown: number;
}

/** restore_cursor entries: when the last poll read, and how many users the last listing had. */
const POLL_AT = 'poll-at';
const KNOWN_USERS = 'known-users';
/** With no listing seen yet: up to this many watched users are read one by one. */
const PER_USER_DEFAULT_LIMIT = 100;

interface SeenLogin {
  key: string;
  name: string;
  at: Date;
}

export async function pollLogins(deps: PollDeps): Promise<PollSummary> {
  await syncWatchList(deps.audit, deps.ledger);
  const watched = (await deps.ledger.watched()).filter(
    (user) => deps.config.restore.onLogin && !user.deactivated,
  );
  const grants = deps.config.restore.grantOnLogin.length > 0;
  const now = new Date();
  const lastPollText = await deps.ledger.cursor(POLL_AT);
  // The first poll grants to nobody for logins before it: only logins from now on count.
  const lastPoll = lastPollText === null ? now : new Date(lastPollText);
  const summary: PollSummary = {
    source: 'none',
    watched: watched.length,
    loggedInAgain: 0,
    restoresQueued: 0,
    grantsQueued: 0,
    unknown: 0,
  };
  if (watched.length === 0 && !grants) {
    await deps.ledger.setCursor(POLL_AT, now.toISOString());
    return summary;
  }
  const byKey = new Map(watched.map((user) => [user.userKey, user]));
  const consider = async (login: SeenLogin) => {
    const user = byKey.get(login.key);
    if (user) {
      if (login.at.getTime() <= user.reclaimedAt.getTime()) return;
      summary.loggedInAgain += 1;
      const outcome = await noteLogin(deps, loginOf(login, user), user);
      if (outcome.queued === 'restore' && !outcome.repeated) summary.restoresQueued += 1;
    } else if (grants && login.at.getTime() > lastPoll.getTime()) {
      const outcome = await noteLogin(deps, loginOf(login), null);
      if (outcome.queued === 'grant') summary.grantsQueued += outcome.jobIds.length;
    }
  };

  summary.source = await chooseSource(deps, watched.length, grants);
  switch (summary.source) {
    case 'database':
      if (await fromDatabase(deps, consider)) break;
      summary.source = grants ? 'listing' : 'per-user';
      if (summary.source === 'listing') await fromListing(deps, watched, consider, summary);
      else await perUser(deps, watched, consider, summary);
      break;
    case 'per-user':
      await perUser(deps, watched, consider, summary);
      break;
    default:
      summary.source = await fromListing(deps, watched, consider, summary);
  }
  await deps.ledger.setCursor(POLL_AT, now.toISOString());
  return summary;
}

function loginOf(login: SeenLogin, user?: WatchedUser) {
  return {
    user: { key: login.key, name: user?.username ?? login.name },
    at: login.at,
    trigger: 'poll' as const,
    actor: 'restore-poll',
  };
}

async function chooseSource(deps: PollDeps, watched: number, grants: boolean): Promise<PollSource> {
  if (deps.database) return 'database';
  if (grants) return 'listing';
  const known = Number((await deps.ledger.cursor(KNOWN_USERS)) ?? NaN);
  // A page of the listing costs one request; a user read costs one (two on Jira 9).
  const bulkCost = Number.isFinite(known) ? Math.ceil(known / deps.pageSize) + 2 : PER_USER_DEFAULT_LIMIT;
  return watched <= bulkCost ? 'per-user' : 'listing';
}

async function perUser(
  deps: PollDeps,
  watched: readonly WatchedUser[],
  consider: (login: SeenLogin) => Promise<void>,
  summary: PollSummary,
): Promise<void> {
  for (const user of watched) {
    let fact: LastLogin;
    try {
      fact = await deps.jira.lastLogin({ key: user.userKey });
    } catch (error) {
      if (error instanceof JiraNotFoundError) continue;
      throw error;
    }
    if (fact.status === 'known') await consider({ key: user.userKey, name: user.username, at: fact.at });
    else if (fact.status === 'unknown') summary.unknown += 1;
  }
}

/** The bulk listing; returns the source it used. */
async function fromListing(
  deps: PollDeps,
  watched: readonly WatchedUser[],
  consider: (login: SeenLogin) => Promise<void>,
  summary: PollSummary,
): Promise<PollSource> {
  const bulk = await deps.jira.lastLoginsInBulk();
  if (bulk.status === 'unavailable') {
    deps.logger.warn(
      { reason: bulk.reason },
      'login poll: last logins cannot be read in bulk; reading each user',
    );
    await perUser(deps, watched, consider, summary);
    return 'per-user';
  }
  const grants = deps.config.restore.grantOnLogin.length > 0;
  if (bulk.status === 'loaded' && !grants) {
    // Crowd's search answered by username: only the users it did not return are read one by one.
    const missing: WatchedUser[] = [];
    for (const user of watched) {
      const fact = bulk.get(user.username);
      if (fact === undefined) missing.push(user);
      else if (fact.status === 'known')
        await consider({ key: user.userKey, name: user.username, at: fact.at });
    }
    await deps.ledger.setCursor(KNOWN_USERS, String(bulk.size));
    await perUser(deps, missing, consider, summary);
    return 'crowd';
  }
  const unread: WatchedUser[] = [];
  const watchedKeys = new Map(watched.map((user) => [user.userKey, user]));
  let users = 0;
  for await (const page of deps.jira.listUsers()) {
    for (const user of page) {
      users += 1;
      const fact =
        bulk.status === 'loaded'
          ? bulk.get(user.name)
          : user.lastLoginTime === undefined
            ? undefined
            : lastLoginFromField(user.lastLoginTime);
      if (fact === undefined) {
        const watchedUser = watchedKeys.get(user.key);
        if (watchedUser) unread.push(watchedUser);
        continue;
      }
      if (fact.status === 'known') await consider({ key: user.key, name: user.name, at: fact.at });
    }
  }
  await deps.ledger.setCursor(KNOWN_USERS, String(users));
  await perUser(deps, unread, consider, summary);
  return bulk.status === 'loaded' ? 'crowd' : 'listing';
}

/** Jira's database: every user's last login in one query. False when it could not be read. */
async function fromDatabase(deps: PollDeps, consider: (login: SeenLogin) => Promise<void>): Promise<boolean> {
  const config = deps.database!;
  let source: JiraDatabaseFacts | undefined;
  const logins: SeenLogin[] = [];
  try {
    source = await JiraDatabaseFacts.openConfigured(config);
    for await (const user of source.users()) {
      if (user.lastLogin !== null) logins.push({ key: user.key, name: user.name, at: user.lastLogin });
    }
  } catch (error) {
    deps.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'login poll: Jira database unavailable; reading Jira instead',
    );
    return false;
  } finally {
    await source?.close();
  }
  for (const login of logins) await consider(login);
  return true;
}
