import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { bullPrefix } from '../../queues/connection.js';

/*
 * Each test file gets its own key prefix on the shared Redis and removes every key under it
 * afterwards, so test files never see each other's jobs and leave nothing behind.
 */

/** The Redis the suite uses, set by the root hooks (REDIS_URL, 6379, or a throwaway server). */
export function testRedisUrl(): string {
  const url = process.env.RECLAIM_TEST_REDIS_URL;
  if (!url) throw new Error('the root hooks did not set RECLAIM_TEST_REDIS_URL');
  return url;
}

export function uniquePrefix(label: string): string {
  return `test-${label.replace(/[^A-Za-z0-9_-]/g, '')}-${randomBytes(4).toString('hex')}`;
}

export async function deletePrefix(prefix: string): Promise<number> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${bullPrefix(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

export async function countKeys(prefix: string): Promise<number> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${bullPrefix(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}

/** A prefix for one test file, with its keys removed after the file's tests. */
export function usePrefix(label: string): { readonly prefix: string } {
  const holder = { prefix: uniquePrefix(label) };
  after(async () => {
    await deletePrefix(holder.prefix);
  });
  return holder;
}
