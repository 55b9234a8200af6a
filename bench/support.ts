import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { validateConfig } from '../config/load.js';
import { createApp, type App } from '../runtime/app.js';
import { silentLogger } from '../runtime/logger.js';
import { createThrowawayDatabase } from '../test/support/sql-databases.js';

/** Where a bench creates its records database (and drops it afterwards). */
const BENCH_POSTGRES_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchStack {
  /** The producer side, in this process. */
  app: App;
  /** The worker processes' ids (for their peak memory in /proc). */
  workerPids: number[];
  /** Sends SIGTERM to every worker process and waits for each to exit. */
  stopWorkers(): Promise<void>;
  /** Deletes the temporary configuration file and drops the records database. */
  removeConfig(): Promise<void>;
}

/**
 * Creates a records database of the bench's own, writes `raw` (pointed at it) to a temporary
 * configuration file, starts `workerCount` `reclaim worker`
 * processes on it and a producer app in this process, then gives the workers three seconds to
 * connect. REDIS_URL is cleared so the workers use the file's URL.
 */
export async function startBenchStack(
  raw: Record<string, unknown>,
  workerCount: number,
): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'reclaim-bench-'));
  const records = await createThrowawayDatabase(BENCH_POSTGRES_URL, 'bench');
  raw = { ...raw, records: { ...(raw.records as object | undefined), url: records.url } };
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
    workerPids: workers.map((worker) => worker.pid ?? 0),
    async stopWorkers() {
      for (const worker of workers) worker.kill('SIGTERM');
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
    },
    async removeConfig() {
      rmSync(dir, { recursive: true, force: true });
      await records.drop();
    },
  };
}
