import { ensureRedis, type LocalRedis } from '../../runtime/local-redis.js';
import { openRedisSockets } from './leaks.js';

/*
 * Suite-wide set-up: a Redis for every test (REDIS_URL, the one on 6379, or a throwaway
 * redis-server), and the leak check: a Queue, Worker or Redis client left open fails the suite.
 */

let redis: LocalRedis | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(20_000);
    redis = await ensureRedis();
    process.env.RECLAIM_TEST_REDIS_URL = redis.url;
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(20_000);
    // Connections closed with quit() need a moment to leave the handle list.
    let open = openRedisSockets(redis!.url);
    for (let i = 0; i < 40 && open.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      open = openRedisSockets(redis!.url);
    }
    await redis?.stop();
    if (open.length > 0) {
      throw new Error(
        `leak check: ${open.length} Redis connection(s) left open after the suite ` +
          '(a Queue, Worker, QueueEvents or Redis client was not closed)',
      );
    }
  },
};
