import { Cluster, Redis, type ChainableCommander, type ClusterOptions, type RedisOptions } from 'ioredis';

/*
 * Connections and key names. Keys carry Redis Cluster hash tags so that each Lua script's keys
 * (BullMQ's, which touch several keys of one queue; Reclaim's, which touch several keys of one
 * run) share a slot, while the queues and the runs spread over the cluster's masters:
 *   {prefix}:…            the installation's own keys (run index, audit, limiter, metrics, …)
 *   {prefix:QUEUE}:QUEUE:… one BullMQ queue (BullMQ's prefix is per queue)
 *   {prefix:run:ID}…       everything of one run (record, counters, plan, scratch)
 * On a single Redis the tags change nothing but the names.
 */

/** BullMQ's prefix for one queue, hash-tagged by queue: each queue has its own slot. */
export function bullPrefix(prefix: string, queue: string): string {
  return `{${prefix}:${queue}}`;
}

/** Reclaim's own installation-wide keys, under the prefix's hash tag. */
export function stateKey(prefix: string, ...parts: string[]): string {
  return [`{${prefix}}`, ...parts].join(':');
}

/** A key of one run, under that run's hash tag: a run's keys share one slot. */
export function runKey(prefix: string, runId: string, ...parts: string[]): string {
  return [`{${prefix}:run:${runId}}`, ...parts].join(':');
}

/**
 * SCAN MATCH pattern for every key of an installation: `{prefix}…` and `{prefix:…}…`. A prefix
 * holds no ":" (config/schema.ts), so another installation's prefix never matches.
 */
export function prefixPattern(prefix: string): string {
  return `{${prefix}[}:]*`;
}

/** A single Redis or a Redis Cluster: the commands Reclaim uses are the same on both. */
export type RedisClient = Redis | Cluster;

export interface ClusterNode {
  host: string;
  port: number;
}

/** Where Redis is: a URL, or the `redis` section of the configuration (`cluster` wins). */
export type RedisTarget = string | { url: string; cluster?: readonly ClusterNode[] | undefined };

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

function roleOptions(role: ConnectionRole, name: string): RedisOptions {
  return role === 'worker'
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
}

export function createRedis(target: RedisTarget, role: ConnectionRole, name = 'reclaim'): RedisClient {
  const options = roleOptions(role, name);
  const nodes = typeof target === 'string' ? undefined : target.cluster;
  if (!nodes) {
    return new Redis(typeof target === 'string' ? target : target.url, { ...options, lazyConnect: false });
  }
  // The cluster reconnects its nodes itself (a node's own retryStrategy stays ioredis' null);
  // the role's strategy is the cluster's. A failover is ridden out by ioredis' MOVED /
  // CLUSTERDOWN retries and by the role's maxRetriesPerRequest on each node.
  const { retryStrategy, ...redisOptions } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions,
    enableReadyCheck: true,
    ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
    // CLUSTERDOWN and redirections are retried every 300 ms, up to 64 times: about 20 s, a
    // cluster-node-timeout of 15 s (Redis' default) plus the replica's election.
    retryDelayOnClusterDown: 300,
    retryDelayOnFailover: 300,
    maxRedirections: 64,
  };
  return new Cluster(
    nodes.map((node) => ({ host: node.host, port: node.port })),
    clusterOptions,
  );
}

/**
 * The masters of a cluster, or the one Redis: what a key scan by prefix must visit. A cluster
 * knows its masters once it is ready, so this waits for that.
 */
export async function scanTargets(redis: RedisClient): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const ended = () => reject(new Error('the Redis Cluster connection ended before it was ready'));
      redis.once('end', ended);
      redis.once('ready', () => {
        redis.off('end', ended);
        resolve();
      });
    });
  }
  return redis.nodes('master');
}

type Reply = [Error | null, unknown];

/**
 * A pipeline whose commands may name keys of several slots (several runs, several queues). On a
 * single Redis it is a pipeline. ioredis refuses a Cluster pipeline whose keys are on more than
 * one master, so on a cluster each command is sent on its own, all at once (ioredis batches
 * them per master), and exec() gives the replies in order like a pipeline's. Not a transaction
 * on either: a caller that needs one keeps its keys in one slot and uses multi().
 */
export function crossSlotPipeline(redis: RedisClient): ChainableCommander {
  if (!(redis instanceof Cluster)) return redis.pipeline();
  const commands: Array<{ name: string; args: unknown[] }> = [];
  const recorder: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_target, name) {
      if (name === 'exec') {
        return async (): Promise<Reply[]> =>
          Promise.all(
            commands.map(async ({ name, args }): Promise<Reply> => {
              try {
                const command = (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
                  name
                ]!;
                return [null, await command.apply(redis, args)];
              } catch (error) {
                return [error instanceof Error ? error : new Error(String(error)), null];
              }
            }),
          );
      }
      if (name === 'length') return commands.length;
      if (
        typeof name !== 'string' ||
        typeof (redis as unknown as Record<string, unknown>)[name] !== 'function'
      ) {
        return undefined;
      }
      return (...args: unknown[]) => {
        commands.push({ name, args });
        return recorder;
      };
    },
  });
  return recorder;
}
