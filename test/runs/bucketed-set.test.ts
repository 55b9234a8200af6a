import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { runKey } from '../../queues/connection.js';
import { BucketedSet, SET_BUCKETS, bucketOf, bucketedSetKeys } from '../../services/runs/bucketed-set.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

/** The bytes MEMORY USAGE gives for these keys, summed (absent keys count nothing). */
async function bytesOf(redis: Redis, keys: readonly string[]): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + 1000)) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    for (const [, usage] of (await pipeline.exec()) ?? []) bytes += Number(usage ?? 0);
  }
  return bytes;
}

describe('bucketed set', () => {
  const scope = usePrefix('bucketed-set');
  let redis: Redis;
  before(() => {
    redis = new Redis(testRedisUrl());
  });
  after(async () => {
    await redis.quit();
  });

  it('counts each member once, however often it is added, in one call or in many at once', async () => {
    const set = new BucketedSet(redis, runKey(scope.prefix, 'r1', 'seen-users'), 60);
    const page = Array.from({ length: 2500 }, (_, i) => `JIRAUSER${i}`);
    assert.equal(await set.add(page), 2500);
    // A retried page, a page repeating itself, and duplicated pages at the same time.
    assert.equal(await set.add(page), 2500);
    await Promise.all([
      set.add([...page.slice(0, 10), 'new-1', 'new-1']),
      set.add(['new-1', 'new-2']),
      set.add(['new-2', 'JIRAUSER7']),
    ]);
    assert.equal(await set.size(), 2502);
    assert.deepEqual(await set.has(['JIRAUSER0', 'JIRAUSER2499', 'new-2', 'JIRAUSER2500', '']), [
      true,
      true,
      true,
      false,
      false,
    ]);
    assert.equal(await set.add([]), 2502);
    assert.equal(await new BucketedSet(redis, runKey(scope.prefix, 'none', 'x'), 60).size(), 0);
  });

  it('keeps every key it writes with a TTL, and names each of them among its keys', async () => {
    const base = runKey(scope.prefix, 'r2', 'members', 'jira-software-users');
    await new BucketedSet(redis, base, 600).add(['a', 'b', 'é', 'JIRAUSER1']);
    const written = await redis.keys(`${base}:*`);
    assert.ok(written.length >= 2, written.join(', '));
    const all = new Set(bucketedSetKeys(base));
    assert.equal(all.size, SET_BUCKETS + 1);
    for (const key of written) {
      assert.ok(all.has(key), `${key} is one of the set's keys`);
      const ttl = await redis.ttl(key);
      assert.ok(ttl > 0 && ttl <= 600, `${key} has a TTL (${ttl})`);
    }
    assert.equal(await redis.unlink(...all), written.length);
  });

  it('spreads members evenly and holds 200,000 in compact hashes, in 60 % of the memory of one SET at most', async function () {
    this.timeout(120_000);
    const members = Array.from({ length: 200_000 }, (_, i) => `JIRAUSER${10_000 + i}`);
    const perBucket = new Map<number, number>();
    for (const member of members) perBucket.set(bucketOf(member), (perBucket.get(bucketOf(member)) ?? 0) + 1);
    const fullest = Math.max(...perBucket.values());
    // 12.2 on average, as good as random: every bucket used, the fullest far from the 128
    // fields a hash stays compact with.
    assert.ok(perBucket.size > SET_BUCKETS * 0.99, `${perBucket.size} buckets used`);
    assert.ok(fullest < 40, `fullest bucket ${fullest}`);
    // Keys differing in their last digits only, as a Jira's keys do, spread as well.
    const tail = new Set(Array.from({ length: 100_000 }, (_, i) => bucketOf(`user${i}`)));
    assert.ok(tail.size > SET_BUCKETS * 0.99, `${tail.size} buckets used by user0 … user99999`);

    const base = runKey(scope.prefix, 'r3', 'seen-users');
    const set = new BucketedSet(redis, base, 600);
    for (let i = 0; i < members.length; i += 1000) await set.add(members.slice(i, i + 1000));
    assert.equal(await set.size(), members.length);
    assert.equal(await redis.object('ENCODING', `${base}:${bucketOf(members[0]!)}`), 'listpack');
    const bucketed = await bytesOf(redis, bucketedSetKeys(base));

    const plain = runKey(scope.prefix, 'r3', 'plain');
    for (let i = 0; i < members.length; i += 1000) await redis.sadd(plain, ...members.slice(i, i + 1000));
    const one = await bytesOf(redis, [plain]);
    console.log(
      `      200,000 members: ${(bucketed / members.length).toFixed(1)} bytes each bucketed, ${(one / members.length).toFixed(1)} in one SET`,
    );
    // The 16,385 keys' own overhead weighs more here than at a million members.
    assert.ok(bucketed < one * 0.6, `${bucketed} bytes bucketed, ${one} in one SET`);
  });
});
