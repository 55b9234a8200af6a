import { createHash } from 'node:crypto';
import type { RedisClient } from '../../queues/connection.js';

/**
 * A Lua script run by its SHA, loaded on first use or after a Redis restart (NOSCRIPT). Kept
 * apart from ioredis' defineCommand so stores do not add commands to a client they share.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
