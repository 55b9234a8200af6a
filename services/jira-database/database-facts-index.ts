import { expireScratch } from '../runs/run-keyspace.js';
import type { JiraDatabaseFacts } from './jira-database-facts.js';
import type { JiraDatabaseUser } from './types.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * A run's copy of Jira's database facts, in Redis (one hash field per user key), so that the
 * scan reads it a page at a time like its other bulk facts and no worker holds every user.
 * HSET is idempotent: a scan retried after a crash writes the same fields again.
 */

const WRITE_BATCH = 500;

/** The stored form: [name, active, createdMs|null, lastLoginMs|null, [dirId, dirName, dirType, readOnly], groups]. */
type Stored = [string, 0 | 1, number | null, number | null, [number, string, string, 0 | 1], string[]];

export interface LoadedDatabaseFacts {
  users: number;
  adminGroups: string[];
}

export class DatabaseFactsIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly factsKey: string,
    private readonly adminGroupsKey: string,
  ) {}

  /** Streams every user of the database into the index, and records the admin groups. */
  async load(source: JiraDatabaseFacts, signal: AbortSignal): Promise<LoadedDatabaseFacts> {
    await this.redis.unlink(this.factsKey, this.adminGroupsKey);
    const adminGroups = await source.adminGroups();
    if (adminGroups.length > 0) await this.redis.sadd(this.adminGroupsKey, ...adminGroups);
    let users = 0;
    let batch: Record<string, string> = {};
    let pending = 0;
    const flush = async () => {
      if (pending === 0) return;
      await this.redis.hset(this.factsKey, batch);
      await expireScratch(this.redis, this.factsKey);
      batch = {};
      pending = 0;
    };
    for await (const user of source.users()) {
      signal.throwIfAborted();
      batch[user.key] = JSON.stringify(encode(user));
      pending++;
      users++;
      if (pending >= WRITE_BATCH) await flush();
    }
    await flush();
    await expireScratch(this.redis, this.adminGroupsKey);
    return { users, adminGroups };
  }

  /** The database facts of these users; a user the database does not hold is left out. */
  async lookup(keys: readonly string[]): Promise<Map<string, JiraDatabaseUser>> {
    const found = new Map<string, JiraDatabaseUser>();
    if (keys.length === 0) return found;
    const values = await this.redis.hmget(this.factsKey, ...keys);
    keys.forEach((key, i) => {
      const value = values[i];
      if (value) found.set(key, decode(key, JSON.parse(value) as Stored));
    });
    return found;
  }
}

/** The administer-permission groups a run's scan found in the database. */
export function databaseAdminGroups(redis: RedisClient, key: string): Promise<string[]> {
  return redis.smembers(key);
}

function encode(user: JiraDatabaseUser): Stored {
  const { directory } = user;
  return [
    user.name,
    user.active ? 1 : 0,
    user.createdDate ? user.createdDate.getTime() : null,
    user.lastLogin ? user.lastLogin.getTime() : null,
    [directory.id, directory.name, directory.type, directory.readOnly ? 1 : 0],
    user.groups,
  ];
}

function decode(
  key: string,
  [name, active, created, lastLogin, directory, groups]: Stored,
): JiraDatabaseUser {
  return {
    key,
    name,
    active: active === 1,
    createdDate: created === null ? null : new Date(created),
    lastLogin: lastLogin === null ? null : new Date(lastLogin),
    directory: { id: directory[0], name: directory[1], type: directory[2], readOnly: directory[3] === 1 },
    groups,
  };
}
