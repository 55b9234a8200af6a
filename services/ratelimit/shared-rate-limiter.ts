import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../queues/connection.js';
import { LuaScript } from '../runs/lua-script.js';

/*
 * A ceiling of calls per second shared by every process on every machine: a sliding log in
 * Redis of the calls let through, timed by Redis's own clock so that workers whose clocks differ
 * still share one second. A call goes through when fewer than the ceiling went through in the
 * last second (plus a small allowance, below); otherwise the caller waits until the oldest of
 * them leaves the window. Unlike fixed windows, no burst of twice the ceiling can straddle a
 * window edge: any second holds at most the ceiling.
 */

/**
 * Added to the one-second window. Jira counts arrivals, not departures: two calls let through
 * exactly a second apart may arrive a few milliseconds closer together, and land in one second.
 */
const ARRIVAL_JITTER_ALLOWANCE_US = 25_000;
const WINDOW_US = 1_000_000 + ARRIVAL_JITTER_ALLOWANCE_US;

/*
 * KEYS[1] the log (sorted set, scored by the microsecond each call went through);
 * ARGV[1] the ceiling, ARGV[2] the window in µs, ARGV[3] a unique member.
 * Returns 0 when the call may go, else the microseconds until a place frees up.
 */
const ACQUIRE = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local ceiling = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < ceiling then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)`;

/** Run by its SHA: every Jira request asks, so the script's text is not sent each time. */
const acquireScript = new LuaScript(ACQUIRE);

export class SharedRateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly perSecond: number,
  ) {
    if (!(Number.isInteger(perSecond) && perSecond > 0)) {
      throw new Error(`the rate limiter's ceiling must be a positive whole number, got ${perSecond}`);
    }
  }

  /** Resolves when the caller may make one call. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const waitUs = Number(
        await acquireScript.run(this.redis, [this.key], [this.perSecond, WINDOW_US, randomUUID()]),
      );
      if (waitUs === 0) return;
      // Spread a little so that waiters do not all wake at once and race for one place.
      await sleep(Math.ceil(waitUs / 1000) + Math.floor(Math.random() * 20));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
