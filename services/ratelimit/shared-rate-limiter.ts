import type { Redis } from 'ioredis';

/*
 * A ceiling of calls per second shared by every process on every machine: a fixed one-second
 * window counted in Redis. A caller over the ceiling waits for the next window. Fixed windows
 * allow a burst of up to twice the ceiling across a window edge; for protecting Jira from a
 * fleet of workers that is close enough, and it costs one round trip per call.
 */

const ACQUIRE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
return count`;

export class SharedRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly perSecond: number,
  ) {}

  /** Resolves when the caller may make one call. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      const window = Math.floor(now / 1000);
      const count = Number(await this.redis.eval(ACQUIRE, 1, `${this.key}:${window}`));
      if (count <= this.perSecond) return;
      // Wait for the next window, spread a little so waiters do not all wake at once.
      await sleep((window + 1) * 1000 - now + Math.floor(Math.random() * 50));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
