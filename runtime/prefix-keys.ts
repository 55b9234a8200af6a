import { Redis } from 'ioredis';
import { bullPrefix } from '../queues/connection.js';

/** Removes every key under a prefix (the demo's own data, a test's data). Returns how many. */
export async function deletePrefixKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
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

/**
 * Bytes of Redis memory the keys under a prefix take (MEMORY USAGE, summed): what one
 * installation's data costs, unmoved by whatever else shares the Redis.
 */
export async function prefixMemoryUsage(
  redis: Redis,
  prefix: string,
): Promise<{ keys: number; bytes: number }> {
  let keys = 0;
  let bytes = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${bullPrefix(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of found) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    for (const [error, usage] of (await pipeline.exec()) ?? []) {
      if (error || usage === null) continue; // gone between SCAN and MEMORY USAGE
      keys += 1;
      bytes += Number(usage);
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

/** Redis' own figure for all the memory it holds (INFO memory: used_memory). */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match) throw new Error('INFO memory carries no used_memory');
  return Number(match[1]);
}

/**
 * used_memory once Redis has freed what UNLINK handed to its background thread (waiting up to
 * `waitMs` for it), as the median of five readings: a reading taken while a client's last
 * replies sit in a buffer is an outlier.
 */
export async function settledUsedMemory(redis: Redis, waitMs = 30_000): Promise<number> {
  for (let waited = 0; waited < waitMs; waited += 100) {
    if (/^lazyfree_pending_objects:0\r?$/m.test(await redis.info('memory'))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(await usedMemory(redis));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return readings.sort((a, b) => a - b)[2]!;
}
