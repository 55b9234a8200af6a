import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { ReclaimConfig } from '../config/schema.js';
import { ensureRedis, type LocalRedis } from '../runtime/local-redis.js';

export interface CliConfig {
  config: Readonly<ReclaimConfig>;
  /** A throwaway redis-server this process started, to stop on exit. */
  localRedis?: LocalRedis;
}

/**
 * The configuration for a command: the file of --config / RECLAIM_CONFIG plus the
 * environment. With `startLocalRedis` (start, demo), and no Redis configured anywhere, a
 * throwaway redis-server is started when nothing answers on 127.0.0.1:6379.
 */
export async function loadCliConfig(
  program: Command,
  options: { startLocalRedis?: boolean; overrides?: Record<string, unknown> } = {},
): Promise<CliConfig> {
  const file = program.opts<{ config?: string }>().config;
  const base = loadConfig({
    ...(file ? { file } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const redisConfigured =
    Boolean(process.env.REDIS_URL) ||
    base.redis.url !== 'redis://127.0.0.1:6379' ||
    Boolean(base.redis.cluster);
  if (!options.startLocalRedis || redisConfigured) return { config: base };
  const localRedis = await ensureRedis({});
  if (!localRedis.started) return { config: base };
  return {
    config: loadConfig({
      ...(file ? { file } : {}),
      overrides: { ...options.overrides, redis: { url: localRedis.url } },
    }),
    localRedis,
  };
}
