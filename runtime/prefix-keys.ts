import { Cluster } from 'ioredis';
import {
  createRedis,
  prefixPattern,
  scanTargets,
  type RedisClient,
  type RedisTarget,
} from '../queues/connection.js';

/**
 * Removes every key under a prefix (the demo's own data, a test's data). Returns how many.
 * On a cluster every master is scanned, and each key goes on its own (keys of several slots
 * cannot share one UNLINK).
 */
export async function deletePrefixKeys(target: RedisTarget, prefix: string): Promise<number> {
  const redis = createRedis(target, 'producer', 'reclaim-prefix-keys');
  redis.on('error', () => undefined); // reported by the command that fails
  try {
    let deleted = 0;
    for (const node of await scanTargets(redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', prefixPattern(prefix), 'COUNT', 1000);
        cursor = next;
        if (keys.length === 0) continue;
        if (redis instanceof Cluster) {
          const pipeline = node.pipeline();
          for (const key of keys) pipeline.unlink(key);
          for (const [error, removed] of (await pipeline.exec()) ?? [])
            if (!error) deleted += Number(removed);
        } else {
          deleted += await node.unlink(...keys);
        }
      } while (cursor !== '0');
    }
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
  redis: RedisClient,
  prefix: string,
): Promise<{ keys: number; bytes: number }> {
  let keys = 0;
  let bytes = 0;
  for (const node of await scanTargets(redis)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', prefixPattern(prefix), 'COUNT', 1000);
      cursor = next;
      const pipeline = node.pipeline();
      for (const key of found) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      for (const [error, usage] of (await pipeline.exec()) ?? []) {
        if (error || usage === null) continue; // gone between SCAN and MEMORY USAGE
        keys += 1;
        bytes += Number(usage);
      }
    } while (cursor !== '0');
  }
  return { keys, bytes };
}

/** Redis' own figure for all the memory it holds (INFO memory: used_memory; summed over masters). */
export async function usedMemory(redis: RedisClient): Promise<number> {
  let total = 0;
  for (const node of await scanTargets(redis)) {
    const info = await node.info('memory');
    const match = /^used_memory:(\d+)/m.exec(info);
    if (!match) throw new Error('INFO memory carries no used_memory');
    total += Number(match[1]);
  }
  return total;
}

/**
 * used_memory once Redis has freed what UNLINK handed to its background thread (waiting up to
 * `waitMs` for it), as the median of five readings: a reading taken while a client's last
 * replies sit in a buffer is an outlier.
 */
export async function settledUsedMemory(redis: RedisClient, waitMs = 30_000): Promise<number> {
  for (let waited = 0; waited < waitMs; waited += 100) {
    const infos = await Promise.all((await scanTargets(redis)).map((node) => node.info('memory')));
    if (infos.every((info) => /^lazyfree_pending_objects:0\r?$/m.test(info))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(await usedMemory(redis));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return readings.sort((a, b) => a - b)[2]!;
}
