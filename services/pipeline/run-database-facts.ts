import type { JiraDatabaseConfig } from '../../config/schema.js';
import type { Logger } from '../../runtime/logger.js';
import { DatabaseFactsIndex } from '../jira-database/database-facts-index.js';
import { JiraDatabaseFacts } from '../jira-database/jira-database-facts.js';
import { dialectOf, redactedUrl } from '../jira-database/sql-connection.js';
import type { JiraDatabaseUser } from '../jira-database/types.js';
import type { ScannedUser } from '../../queues/payloads.js';
import { runScratchKeys } from '../runs/run-keyspace.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * A run's reading of Jira's database (jira.database): once per scan, streamed into Redis. A
 * database that refuses, times out or answers something unreadable leaves the run on REST
 * facts, with a note saying so — never a verdict on half the facts.
 */

export type RunDatabase =
  | { status: 'read'; index: DatabaseFactsIndex; users: number; adminGroups: string[]; dialect: string }
  | { status: 'unavailable'; note: string };

export async function readRunDatabase(
  config: JiraDatabaseConfig,
  redis: RedisClient,
  prefix: string,
  runId: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<RunDatabase> {
  const keys = runScratchKeys(prefix, runId);
  const index = new DatabaseFactsIndex(redis, keys.databaseFacts, keys.databaseAdminGroups);
  let source: JiraDatabaseFacts | undefined;
  try {
    source = await JiraDatabaseFacts.openConfigured(config);
    const loaded = await index.load(source, signal);
    logger.info({ runId, users: loaded.users, adminGroups: loaded.adminGroups }, 'Jira database read');
    return { status: 'read', index, ...loaded, dialect: dialectOf(config.url) };
  } catch (error) {
    signal.throwIfAborted();
    // Nothing half-read may count: the facts and admin groups of this attempt are dropped.
    await redis.unlink(keys.databaseFacts, keys.databaseAdminGroups);
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ runId, err: message }, 'Jira database unavailable: REST facts are used');
    return {
      status: 'unavailable',
      note:
        `Jira database ${redactedUrl(config.url)} could not be read (${message.replaceAll(config.url, redactedUrl(config.url))}): ` +
        'REST facts are used (no creation dates, directories or database admin groups this run)',
    };
  } finally {
    await source?.close();
  }
}

/** What the evaluate payload carries from the database for one user. */
export function databasePayload(
  user: JiraDatabaseUser,
  listingHasLastLogin: boolean,
): Pick<
  ScannedUser,
  'groups' | 'groupsComplete' | 'lastLoginTime' | 'lastLoginSource' | 'createdDate' | 'jiraDirectory'
> {
  return {
    groups: user.groups,
    groupsComplete: true,
    // The REST listing's last login wins where it carries one (Jira 10+); Jira 9's comes from here.
    ...(listingHasLastLogin
      ? {}
      : {
          lastLoginTime: user.lastLogin ? user.lastLogin.toISOString() : null,
          lastLoginSource: 'jira-database',
        }),
    ...(user.createdDate ? { createdDate: user.createdDate.toISOString() } : {}),
    jiraDirectory: { id: user.directory.id, name: user.directory.name, readOnly: user.directory.readOnly },
  };
}
