import type { Command } from 'commander';
import type { App } from '../runtime/app.js';
import { silentLogger } from '../runtime/logger.js';
import type { Run } from '../services/runs/types.js';
import { loadCliConfig } from './load-cli-config.js';
import { reportRedisOutages } from './redis-outage.js';

/**
 * Runs the action with an app, closed afterwards: on a fail-fast Redis connection, or for a
 * command that waits for a run on one that reconnects through a Redis restart (and says so).
 */
export async function withApp<T>(
  program: Command,
  action: (app: App) => Promise<T>,
  role: 'producer' | 'waiter' = 'producer',
): Promise<T> {
  const { config } = await loadCliConfig(program);
  const { createApp } = await import('../runtime/app.js');
  const app = createApp(config, role, silentLogger());
  if (role === 'waiter') reportRedisOutages(app.redis);
  try {
    return await action(app);
  } finally {
    await app.close();
  }
}

export async function requireRun(app: App, id: string): Promise<Run> {
  const run = await app.runs.get(id);
  if (!run) throw new Error(`no run ${id}`);
  return run;
}
