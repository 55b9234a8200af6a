import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openEmbeddedRecords } from '../../services/records/embedded-records.js';
import type { RecordsDb } from '../../services/records/records-db.js';
import { firstSeenKeys } from '../../services/runs/keys.js';
import { FirstSeenStore } from '../../services/runs/first-seen-store.js';
import { openTestRecords, type TestRecords } from '../support/records.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

const monday = new Date('2026-11-23T06:00:00Z');
const saturday = new Date('2026-11-28T06:00:00Z');
const earlier = new Date('2026-11-01T06:00:00Z');

describe('first-seen store', function () {
  this.timeout(60_000);
  const scope = usePrefix('runs-first-seen');
  let redis: Redis;
  const opened: TestRecords[] = [];

  /** A store on a records database of its own. */
  async function freshStore(): Promise<{ store: FirstSeenStore; db: RecordsDb }> {
    const records = await openTestRecords('first-seen');
    opened.push(records);
    return { store: new FirstSeenStore(records.db, redis, scope.prefix), db: records.db };
  }

  before(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    await Promise.all(opened.map((records) => records.close()));
    await redis.quit();
  });

  describe('on PostgreSQL', () => {
    let firstSeen: FirstSeenStore;
    let db: RecordsDb;
    before(async () => {
      ({ store: firstSeen, db } = await freshStore());
    });

    it('knows nobody and no first scan before any scan', async () => {
      assert.equal(await firstSeen.firstScanAt(), null);
      assert.equal(await firstSeen.get('JIRAUSER1'), null);
    });

    it('keeps the earliest scan that saw each user', async () => {
      const first = await firstSeen.recordMany(['alice', 'bob', 'alice'], monday);
      assert.deepEqual(
        [...first.entries()],
        [
          ['alice', monday],
          ['bob', monday],
        ],
      );
      const later = await firstSeen.recordMany(['bob', 'carol'], saturday);
      assert.deepEqual(later.get('bob'), monday, 'a later scan does not move it');
      assert.deepEqual(later.get('carol'), saturday);
      const outOfOrder = await firstSeen.recordMany(['carol'], earlier);
      assert.deepEqual(outOfOrder.get('carol'), earlier, 'a scan that started earlier but wrote later');
      assert.deepEqual(await firstSeen.get('alice'), monday);
      assert.deepEqual(await firstSeen.get('carol'), earlier);
    });

    it('keeps milliseconds exactly', async () => {
      const at = new Date('2026-11-24T07:08:09.123Z');
      const seen = await firstSeen.recordMany(['millis'], at);
      assert.equal(seen.get('millis')?.toISOString(), at.toISOString());
      assert.equal((await firstSeen.get('millis'))?.toISOString(), at.toISOString());
    });

    it('records a scan page of thousands of users in batches, one row per user', async () => {
      const keys = Array.from({ length: 2500 }, (_, i) => `JIRAUSER${20000 + i}`);
      const seen = await firstSeen.recordMany(keys, saturday);
      assert.equal(seen.size, 2500);
      assert.ok([...seen.values()].every((d) => d.getTime() === saturday.getTime()));
      assert.deepEqual(await firstSeen.get('JIRAUSER22499'), saturday);
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM first_seen WHERE user_key LIKE 'JIRAUSER2%'",
      );
      assert.equal(rows[0]!.n, 2500);
    });

    it('gives every user a time when two processes record the same new users at once', async () => {
      const other = new FirstSeenStore(db, redis, scope.prefix);
      for (let round = 0; round < 5; round++) {
        const keys = Array.from({ length: 300 }, (_, i) => `race-${round}-${i}`);
        const [a, b] = await Promise.all([
          firstSeen.recordMany(keys, monday),
          other.recordMany(keys, monday),
        ]);
        assert.equal(a.size, 300);
        assert.equal(b.size, 300);
        for (const key of keys) {
          assert.deepEqual(a.get(key), monday);
          assert.deepEqual(b.get(key), monday);
        }
      }
    });
  });

  it('remembers when the very first scan recorded anyone', async () => {
    const { store } = await freshStore();
    await store.recordMany([], monday);
    assert.equal(await store.firstScanAt(), null, 'a scan that saw nobody');
    await store.recordMany(['alice'], saturday);
    await store.recordMany(['bob'], monday);
    await store.recordMany(['carol'], saturday);
    assert.deepEqual(await store.firstScanAt(), monday, 'the earliest of them');
  });

  describe('upgrading from the Redis hash of earlier versions', () => {
    const upgrade = usePrefix('runs-first-seen-upgrade');

    async function seedRedis(users: Record<string, Date>, firstScan: Date): Promise<void> {
      const keys = firstSeenKeys(upgrade.prefix);
      await redis.hset(
        keys.users,
        Object.fromEntries(Object.entries(users).map(([key, at]) => [key, String(at.getTime())])),
      );
      await redis.set(keys.firstScan, String(firstScan.getTime()));
    }

    it('imports every date into an empty table, then deletes the hash', async () => {
      const records = await openTestRecords('first-seen-import');
      opened.push(records);
      const many = Object.fromEntries(
        Array.from({ length: 2345 }, (_, i) => [`JIRAUSER${i}`, new Date(earlier.getTime() + i * 1000)]),
      );
      await seedRedis({ ...many, alice: new Date('2025-03-04T05:06:07.089Z') }, earlier);

      const store = new FirstSeenStore(records.db, redis, upgrade.prefix);
      const seen = await store.recordMany(['alice', 'JIRAUSER2000', 'newcomer'], saturday);
      assert.equal(seen.get('alice')?.toISOString(), '2025-03-04T05:06:07.089Z', 'the date from before');
      assert.deepEqual(seen.get('JIRAUSER2000'), new Date(earlier.getTime() + 2000 * 1000));
      assert.deepEqual(seen.get('newcomer'), saturday);
      assert.deepEqual(await store.firstScanAt(), earlier, 'the first scan of the earlier version');
      assert.deepEqual(await store.get('JIRAUSER2344'), new Date(earlier.getTime() + 2344 * 1000));
      const { rows } = await records.db.query<{ n: number }>('SELECT count(*)::int AS n FROM first_seen');
      assert.equal(rows[0]!.n, 2345 + 2);

      const keys = firstSeenKeys(upgrade.prefix);
      assert.equal(await redis.exists(keys.users, keys.firstScan), 0, 'nothing of it stays in Redis');
      // A second process starting later finds nothing to import and reads the same dates.
      const later = new FirstSeenStore(records.db, redis, upgrade.prefix);
      assert.equal((await later.get('alice'))?.toISOString(), '2025-03-04T05:06:07.089Z');
    });

    it('merges a hash left behind into a table that has dates, keeping the earlier of each', async () => {
      const records = await openTestRecords('first-seen-merge');
      opened.push(records);
      // Written by the table's store first (the hash is not there yet).
      const store = new FirstSeenStore(records.db, redis, upgrade.prefix);
      await store.recordMany(['alice', 'bob'], monday);
      await seedRedis({ alice: earlier, bob: saturday, dave: saturday }, saturday);

      const restarted = new FirstSeenStore(records.db, redis, upgrade.prefix);
      assert.deepEqual(await restarted.get('alice'), earlier, 'the hash had it earlier');
      assert.deepEqual(await restarted.get('bob'), monday, 'the table had it earlier');
      assert.deepEqual(await restarted.get('dave'), saturday);
      assert.deepEqual(await restarted.firstScanAt(), monday);
      const keys = firstSeenKeys(upgrade.prefix);
      assert.equal(await redis.exists(keys.users, keys.firstScan), 0);
    });
  });

  describe('on the embedded store', () => {
    let dir: string;
    let db: RecordsDb;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'reclaim-first-seen-'));
      db = openEmbeddedRecords({ dataDir: dir, appRole: 'reclaim_app' });
    });
    after(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps the earliest time and the first scan the same way', async () => {
      const store = new FirstSeenStore(db, redis, scope.prefix);
      assert.equal(await store.firstScanAt(), null);
      const first = await store.recordMany(['alice', 'bob'], saturday);
      assert.deepEqual([...first.values()], [saturday, saturday]);
      const second = await store.recordMany(['bob', 'carol'], monday);
      assert.deepEqual(second.get('bob'), monday);
      assert.deepEqual(second.get('carol'), monday);
      const third = await store.recordMany(['alice', 'bob'], saturday);
      assert.deepEqual([...third.values()], [saturday, monday]);
      assert.deepEqual(await store.firstScanAt(), monday);
      assert.equal(await store.get('nobody'), null);
    });
  });
});
