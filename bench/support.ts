import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { validateConfig } from '../config/load.js';
import { createApp, type App } from '../runtime/app.js';
import { silentLogger } from '../runtime/logger.js';

export interface BenchStack {
  /** The producer side, in this process. */
  app: App;
  /** Sends SIGTERM to every worker process and waits for each to exit. */
  stopWorkers(): Promise<void>;
  /** Deletes the temporary configuration file. */
  removeConfig(): void;
}

/**
 * Writes `raw` to a temporary configuration file, starts `workerCount` `reclaim worker`
 * processes on it and a producer app in this process, then gives the workers three seconds to
 * connect. REDIS_URL is cleared so the workers use the file's URL.
 */
export async function startBenchStack(
  raw: Record<string, unknown>,
  workerCount: number,
): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'reclaim-bench-'));
  writeFileSync(join(dir, 'reclaim.yaml'), stringify(raw));
  const workers: ChildProcess[] = Array.from({ length: workerCount }, () =>
    spawn(process.execPath, ['bin/reclaim.js', 'worker', '--config', join(dir, 'reclaim.yaml')], {
      stdio: 'ignore',
      env: { ...process.env, LOG_LEVEL: 'warn', REDIS_URL: '' },
    }),
  );
  const app = createApp(validateConfig(raw), 'producer', silentLogger());
  await new Promise((resolve) => setTimeout(resolve, 3000));
  return {
    app,
    async stopWorkers() {
      for (const worker of workers) worker.kill('SIGTERM');
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
    },
    removeConfig: () => rmSync(dir, { recursive: true, force: true }),
  };
}
