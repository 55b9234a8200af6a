import type { Command } from 'commander';
import { createApp, type App } from '../runtime/app.js';
import { silentLogger } from '../runtime/logger.js';
import type { Run } from '../services/runs/types.js';
import { loadCliConfig } from './load-cli-config.js';

/** Runs the action with an app on a fail-fast Redis connection, closed afterwards. */
export async function withApp<T>(program: Command, action: (app: App) => Promise<T>): Promise<T> {
  const { config } = await loadCliConfig(program);
  const app = createApp(config, 'producer', silentLogger());
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
