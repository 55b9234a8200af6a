import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { FirstSeenStore } from '../../services/runs/first-seen-store.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

describe('first-seen store', () => {
  const scope = usePrefix('runs-first-seen');
  const firstScanScope = usePrefix('runs-first-scan');
  let redis: Redis;
  let firstSeen: FirstSeenStore;
  const monday = new Date('2026-11-23T06:00:00Z');
  const saturday = new Date('2026-11-28T06:00:00Z');
  const earlier = new Date('2026-11-01T06:00:00Z');

  before(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    firstSeen = new FirstSeenStore(redis, scope.prefix);
  });
  after(async () => {
    await redis.quit();
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

  it('remembers when the very first scan recorded anyone', async () => {
    const store = new FirstSeenStore(redis, firstScanScope.prefix);
    await store.recordMany([], monday);
    assert.equal(await store.firstScanAt(), null, 'a scan that saw nobody');
    await store.recordMany(['alice'], monday);
    await store.recordMany(['bob'], saturday);
    assert.deepEqual(await store.firstScanAt(), monday);
  });

  it('records a scan page of thousands of users in batches', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `JIRAUSER${20000 + i}`);
    const seen = await firstSeen.recordMany(keys, saturday);
    assert.equal(seen.size, 2500);
    assert.ok([...seen.values()].every((d) => d.getTime() === saturday.getTime()));
    assert.deepEqual(await firstSeen.get('JIRAUSER22499'), saturday);
  });
});
