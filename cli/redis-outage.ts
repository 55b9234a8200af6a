import type { RedisClient } from '../queues/connection.js';

/**
 * Says on stderr when a waiting command loses Redis and when it has it back, once per outage:
 * the wait goes on (the waiter connection retries), and the person watching knows why nothing
 * moves.
 */
export function reportRedisOutages(redis: RedisClient, stream: NodeJS.WritableStream = process.stderr): void {
  let down = false;
  const lost = (why: string) => {
    if (down) return;
    down = true;
    stream.write(`\nRedis unavailable (${why}), retrying…\n`);
  };
  redis.on('error', (error: Error) => lost(error.message || 'connection error'));
  redis.on('reconnecting', () => lost('connection lost'));
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    stream.write('Redis reachable again: still waiting for the run\n');
  });
}
