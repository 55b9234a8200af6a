import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ's prefix, hash-tagged so that every key of Reclaim lands in one Redis Cluster slot
 * (BullMQ's Lua scripts touch several keys of a queue at once).
 */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}`;
}

/** Reclaim's own keys (runs, plans, audit) under the same hash tag. */
export function stateKey(prefix: string, ...parts: string[]): string {
  return [bullPrefix(prefix), ...parts].join(':');
}

export type ConnectionRole =
  /** Workers and blocking readers: wait for Redis forever instead of failing jobs. */
  | 'worker'
  /** HTTP handlers and the CLI: fail fast so a caller sees an error, not a hang. */
  | 'producer';

export function createRedis(url: string, role: ConnectionRole, name = 'reclaim'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name }
      : {
          maxRetriesPerRequest: 1,
          connectTimeout: 5_000,
          // Give up reconnecting after a few tries so a caller gets an error instead of a hang.
          retryStrategy: (attempt) => (attempt > 3 ? null : attempt * 200),
          connectionName: name,
        };
  return new Redis(url, { ...options, lazyConnect: false });
}
