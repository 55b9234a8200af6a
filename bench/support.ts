import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { validateConfig } from '../config/load.js';
import { QUEUES } from '../queues/names.js';
import { createApp, type App } from '../runtime/app.js';
import { silentLogger } from '../runtime/logger.js';
import { createThrowawayDatabase } from '../test/support/sql-databases.js';

/** Where a bench creates its records database (and drops it afterwards). */
const BENCH_POSTGRES_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchStack {
  /** The producer side, in this process. */
  app: App;
  /** Each worker process's peak resident set so far (Linux VmHWM), in bytes; null where unreadable. */
  workerPeakRss(): Array<number | null>;
  /** Each worker process's CPU time so far (user + system, from /proc), in seconds; null where unreadable. */
  workerCpuSeconds(): Array<number | null>;
  /** The worker processes' ids (for their peak memory in /proc). */
  workerPids: number[];
  /** Sends SIGTERM to every worker process and waits for each to exit. */
  stopWorkers(): Promise<void>;
  /** Deletes the temporary configuration file and drops the records database. */
  removeConfig(): Promise<void>;
}

export interface BenchStackOptions {
  /**
   * Workers run under `node --cpu-prof`, each writing a `.cpuprofile` into this directory when
   * it exits (SIGTERM from stopWorkers lets the process end normally, so the profile is written).
   */
  cpuProfileDir?: string;
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
  options: BenchStackOptions = {},
): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'reclaim-bench-'));
  const records = await createThrowawayDatabase(BENCH_POSTGRES_URL, 'bench');
  raw = { ...raw, records: { ...(raw.records as object | undefined), url: records.url } };
  writeFileSync(join(dir, 'reclaim.yaml'), stringify(raw));
  const workers: ChildProcess[] = Array.from({ length: workerCount }, () =>
    spawn(
      process.execPath,
      [
        ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []),
        'bin/reclaim.js',
        'worker',
        '--config',
        join(dir, 'reclaim.yaml'),
      ],
      {
        stdio: 'ignore',
        env: { ...process.env, LOG_LEVEL: 'warn', REDIS_URL: '' },
      },
    ),
  );
  const app = createApp(validateConfig(raw), 'producer', silentLogger());
  await new Promise((resolve) => setTimeout(resolve, 3000));
  // On a busy machine a worker takes longer than that to start: a run launched before every
  // worker listens would count their start-up as its own time.
  await waitForWorkers(app, workerCount);
  return {
    app,
    workerPeakRss: () => workers.map((worker) => peakRssOf(worker.pid)),
    workerCpuSeconds: () => workers.map((worker) => cpuSecondsOf(worker.pid)),
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

/** A process's peak resident set (VmHWM in /proc), in bytes: null off Linux or once it has exited. */
function peakRssOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * A process's CPU time (utime + stime in /proc/PID/stat, in clock ticks of 1/100 s): a figure
 * that, unlike wall time, does not change with what else the machine runs.
 */
function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // The command name is in parentheses and may hold spaces: count fields after its end.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Waits (up to two minutes) until `count` worker processes listen on the scan and evaluate queues. */
async function waitForWorkers(app: App, count: number): Promise<void> {
  const queues = [app.registry.queue(QUEUES.scan), app.registry.queue(QUEUES.evaluate)];
  for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
    const listening = await Promise.all(queues.map((queue) => queue.getWorkersCount()));
    if (listening.every((n) => n >= count)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the ${count} worker process(es) did not start listening within two minutes`);
}
