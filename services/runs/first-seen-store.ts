import type { RecordsDb } from '../records/records-db.js';
import { firstSeenKeys } from './keys.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * Jira exposes no creation date, so "first seen" is Reclaim's own record of the first scan
 * that saw a user: the records table `first_seen` (user key → time, kept at its earliest value),
 * plus the time of the very first scan that recorded anyone in `records_meta` (so the policy can
 * date the backlog that scan found with `policy.existingUsersSeenSince`).
 *
 * Earlier versions kept both in Redis (a hash and a string, see firstSeenKeys). The first use of
 * the store in a process imports what is still there — merged into the table, each user kept at
 * the earlier of the two times — and deletes those keys once the import is committed, so an
 * upgrade keeps every date.
 */

/** Users per statement: a scan page (at most 1,000 users) is one round trip. */
const BATCH_SIZE = 1000;
/** Fields read from the old Redis hash per HSCAN call (and inserted per statement). */
const IMPORT_CHUNK = 1000;
/** The records_meta key of the first scan's time (ISO 8601). */
export const FIRST_SCAN_META_KEY = 'first-scan-at';

const EPOCH_MS = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

/**
 * One statement per page: the first-scan time and every new user inserted, an earlier time for a
 * known user written over the later one (a scan that started earlier but writes later); a user
 * already known at an earlier time is only read, not rewritten. Returns every user of the page
 * with the time kept. `kept` is read from the statement's snapshot, so a user that a concurrent
 * statement inserted meanwhile comes back with a null time (read again by the caller). Rows are
 * written in key order, so two scans writing overlapping pages at once wait, never deadlock.
 */
const RECORD_PAGE = `
WITH page AS (
  SELECT DISTINCT user_key FROM unnest($1::text[]) AS page (user_key)
),
first_scan AS (
  INSERT INTO records_meta (key, value) VALUES ('${FIRST_SCAN_META_KEY}', $2)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value
    WHERE excluded.value::timestamptz < records_meta.value::timestamptz
),
written AS (
  INSERT INTO first_seen (user_key, first_seen_at)
  SELECT user_key, $2::timestamptz FROM page ORDER BY user_key
  ON CONFLICT (user_key) DO UPDATE SET first_seen_at = excluded.first_seen_at
    WHERE excluded.first_seen_at < first_seen.first_seen_at
  RETURNING user_key, first_seen_at
)
SELECT page.user_key, ${EPOCH_MS('coalesce(written.first_seen_at, kept.first_seen_at)')} AS at
FROM page
LEFT JOIN written USING (user_key)
LEFT JOIN first_seen AS kept USING (user_key)`;

/** The old Redis hash's users, merged: each user kept at the earlier time. */
const IMPORT_USERS = `
INSERT INTO first_seen (user_key, first_seen_at)
SELECT user_key, 'epoch'::timestamptz + ms * interval '1 millisecond'
FROM unnest($1::text[], $2::float8[]) AS imported (user_key, ms)
ON CONFLICT (user_key) DO UPDATE SET first_seen_at = excluded.first_seen_at
  WHERE excluded.first_seen_at < first_seen.first_seen_at`;

const IMPORT_FIRST_SCAN = `
INSERT INTO records_meta (key, value) VALUES ('${FIRST_SCAN_META_KEY}', $1)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
  WHERE excluded.value::timestamptz < records_meta.value::timestamptz`;

export class FirstSeenStore {
  private imported: Promise<void> | undefined;

  constructor(
    private readonly records: RecordsDb,
    /** Only for the one-time import of the first-seen hash earlier versions kept in Redis. */
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** Records that a scan at `at` saw these users; returns each user's first-seen time. */
  async recordMany(userKeys: string[], at: Date): Promise<Map<string, Date>> {
    await this.importOnce();
    const firstSeen = new Map<string, Date>();
    const unique = [...new Set(userKeys)];
    for (let i = 0; i < unique.length; i += BATCH_SIZE) {
      const batch = unique.slice(i, i + BATCH_SIZE);
      const { rows } = await this.records.query<{ user_key: string; at: number | null }>(RECORD_PAGE, [
        batch,
        at.toISOString(),
      ]);
      const times = new Map(rows.map((row) => [row.user_key, row.at]));
      const missed = batch.filter((key) => times.get(key) == null);
      if (missed.length > 0) {
        for (const row of await this.read(missed)) times.set(row.user_key, row.at);
      }
      for (const key of batch) {
        const time = times.get(key);
        if (time == null) throw new Error(`first-seen: no time recorded for user ${key}`);
        firstSeen.set(key, new Date(time));
      }
    }
    return firstSeen;
  }

  async get(userKey: string): Promise<Date | null> {
    await this.importOnce();
    const [row] = await this.read([userKey]);
    return row?.at == null ? null : new Date(row.at);
  }

  /** When the very first scan recorded anyone; null before any scan. */
  async firstScanAt(): Promise<Date | null> {
    await this.importOnce();
    const { rows } = await this.records.query<{ at: number }>(
      `SELECT ${EPOCH_MS('value::timestamptz')} AS at FROM records_meta WHERE key = $1`,
      [FIRST_SCAN_META_KEY],
    );
    return rows[0] ? new Date(rows[0].at) : null;
  }

  private async read(userKeys: string[]): Promise<{ user_key: string; at: number | null }[]> {
    const { rows } = await this.records.query<{ user_key: string; at: number }>(
      `SELECT user_key, ${EPOCH_MS('first_seen_at')} AS at FROM first_seen WHERE user_key = ANY($1::text[])`,
      [userKeys],
    );
    return rows;
  }

  /** The import runs once per process (again after a failure); later calls cost nothing. */
  private importOnce(): Promise<void> {
    this.imported ??= this.importFromRedis().catch((error: unknown) => {
      this.imported = undefined;
      throw error;
    });
    return this.imported;
  }

  /**
   * Moves the first-seen hash and first-scan time of an earlier version from Redis into the
   * table, in one transaction that locks the table against the scans of other processes (each
   * of which waits for the import, then finds nothing left to import), then deletes the keys.
   * A crash before the deletion leaves them for the next start, whose merge changes nothing.
   */
  private async importFromRedis(): Promise<void> {
    const keys = firstSeenKeys(this.prefix);
    const [hasUsers, hasFirstScan] = await Promise.all([
      this.redis.exists(keys.users),
      this.redis.exists(keys.firstScan),
    ]);
    if (hasUsers === 0 && hasFirstScan === 0) return;
    await this.records.transaction(async (tx) => {
      await tx.query('LOCK TABLE first_seen IN SHARE ROW EXCLUSIVE MODE');
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(keys.users, cursor, 'COUNT', IMPORT_CHUNK);
        cursor = next;
        // HSCAN may return a field twice; one statement may not upsert a key twice.
        const chunk = new Map<string, number>();
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const ms = Number(flat[i + 1]);
          if (flat[i + 1] !== '' && Number.isFinite(ms)) chunk.set(flat[i]!, ms);
        }
        if (chunk.size > 0) await tx.query(IMPORT_USERS, [[...chunk.keys()], [...chunk.values()]]);
      } while (cursor !== '0');
      const firstScan = await this.redis.get(keys.firstScan);
      if (firstScan !== null && firstScan !== '' && Number.isFinite(Number(firstScan))) {
        await tx.query(IMPORT_FIRST_SCAN, [new Date(Number(firstScan)).toISOString()]);
      }
    });
    await this.redis.del(keys.users, keys.firstScan);
  }
}
