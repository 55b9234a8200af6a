import type { Request, RequestHandler, Response } from 'express';
import type { RedisClient } from '../queues/connection.js';
import { sendError } from './error-handler.js';

/*
 * While Redis is away (restarted, failed over, unreachable) the API says so at once: 503 with
 * Retry-After, never a 500 and never a request left hanging. Its connection reconnects by
 * itself (queues/connection.ts, role `api`), and the routes answer again once it has.
 */

/** What a client is told to wait before trying again. */
export const REDIS_RETRY_AFTER_SECONDS = 5;

/** ioredis' errors for a Redis (or a Redis Cluster) it cannot reach or that stopped answering. */
const UNREACHABLE =
  /Connection is closed|max retries per request|Command timed out|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Stream isn't writeable|connect ETIMEDOUT|CLUSTERDOWN|None of startup nodes is available|Failed to refresh slots cache/i;

/** True when a request failed because Redis is unreachable, not because of a fault of ours. */
export function isRedisUnavailable(error: unknown, redis: RedisClient): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return UNREACHABLE.test(message) || redis.status !== 'ready';
}

export function sendRedisUnavailable(req: Request, res: Response, redis: RedisClient): void {
  res.setHeader('Retry-After', String(REDIS_RETRY_AFTER_SECONDS));
  sendError(req, res, 503, {
    code: 'unavailable',
    message: `Redis is unavailable (connection ${redis.status}): try again shortly`,
  });
}

/** The connection's first attempt, still under way: its commands wait in ioredis' queue. */
const FIRST_CONNECT = new Set(['wait', 'connecting', 'connect']);

/**
 * In front of the routes that need Redis: a 503 straight away once the connection is lost,
 * until it is back. A request during the first connection waits for it, bounded by the
 * connection's own limits.
 */
export function redisGate(redis: RedisClient): RequestHandler {
  let wasReady = redis.status === 'ready';
  redis.on('ready', () => (wasReady = true));
  return (req, res, next) => {
    if (redis.status === 'ready' || (!wasReady && FIRST_CONNECT.has(redis.status))) next();
    else sendRedisUnavailable(req, res, redis);
  };
}
