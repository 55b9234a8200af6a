import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ's prefix, hash-tagged so that every key of Reclaim lands in one Redis Cluster slot
 * (BullMQ's Lua scripts touch several keys of a queue at once).
 */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}`;
}

/** Reclaim's own keys (runs and plans in flight, scratch, marks) under the same hash tag. */
export function stateKey(prefix: string, ...parts: string[]): string {
  return [bullPrefix(prefix), ...parts].join(':');
}

export type ConnectionRole =
  /** Workers and blocking readers: wait for Redis forever instead of failing jobs. */
  | 'worker'
  /** HTTP handlers and the CLI: fail fast so a caller sees an error, not a hang. */
  | 'producer'
  /**
   * A CLI that waits for a run (`scan --wait`, `runs ID --wait`): the workers go on through a
   * Redis restart, so the waiter does too — it reconnects for as long as it takes, and its
   * commands wait for the connection instead of failing. The CLI says so on stderr.
   */
  | 'waiter'
  /**
   * The HTTP API: each command fails fast (so a request is answered with a 503, never left
   * hanging) but the connection itself reconnects for as long as Redis is away, so the API is
   * ready again by itself once Redis is back.
   */
  | 'api';

/** Between reconnection attempts of a waiter: quick at first, then every 2 s. */
const WAITER_MAX_DELAY_MS = 2_000;
/** Between reconnection attempts of the API: a request meanwhile waits at most this long. */
const API_MAX_DELAY_MS = 1_000;
/** A command the API sends to a Redis that accepted the connection but stopped answering. */
export const API_COMMAND_TIMEOUT_MS = 5_000;

export function createRedis(url: string, role: ConnectionRole, name = 'reclaim'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name }
      : role === 'waiter'
        ? {
            maxRetriesPerRequest: null,
            enableReadyCheck: true,
            connectTimeout: 5_000,
            retryStrategy: (attempt) => Math.min(attempt * 200, WAITER_MAX_DELAY_MS),
            connectionName: name,
          }
        : role === 'api'
          ? {
              maxRetriesPerRequest: 1,
              enableReadyCheck: true,
              connectTimeout: 5_000,
              commandTimeout: API_COMMAND_TIMEOUT_MS,
              retryStrategy: (attempt) => Math.min(attempt * 200, API_MAX_DELAY_MS),
              connectionName: name,
            }
          : {
              maxRetriesPerRequest: 1,
              connectTimeout: 5_000,
              // Give up reconnecting after a few tries so a caller gets an error instead of a hang.
              retryStrategy: (attempt) => (attempt > 3 ? null : attempt * 200),
              connectionName: name,
            };
  return new Redis(url, { ...options, lazyConnect: false });
}
