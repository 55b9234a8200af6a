import type { Server } from 'node:http';
import type { ReclaimConfig } from '../config/schema.js';
import { ACTION_QUEUES, ALL_QUEUES, QUEUES, type QueueName } from '../queues/names.js';
import { PROCESSORS } from '../workers/processors.js';
import { recordFinalFailure } from '../workers/final-failure.js';
import { WorkerHost } from '../workers/host.js';
import { scheduleLoginPoll } from '../workers/restore.js';
import { scheduleLicenceCheck } from '../workers/license-check.js';
import { scheduleRunSweeper } from '../workers/sweep-runs.js';
import { createApp, type App } from './app.js';
import type { Logger } from './logger.js';
import { syncRetentionSchedule, syncSchedules } from './schedules.js';

/** A started role: `stop()` ends it in order (bounded) and closes every connection. */
export interface RunningRole {
  app: App;
  stop(): Promise<void>;
}

export interface ApiRole extends RunningRole {
  url: string;
  server: Server;
}

export async function startWorkerRole(
  config: Readonly<ReclaimConfig>,
  logger: Logger,
  queues: QueueName[] = ALL_QUEUES,
): Promise<RunningRole> {
  const app = await openApp(config, 'worker', logger);
  const host = new WorkerHost({
    connection: app.redis,
    prefix: app.prefix,
    queues,
    processors: PROCESSORS,
    context: app,
    logger,
    concurrency: config.worker.concurrency as Partial<Record<QueueName, number>>,
    shutdownTimeoutMs: config.worker.shutdownTimeoutMs,
    lockDurationMs: config.worker.lockDurationMs,
    // Each action makes a few Jira calls: the action queues together stay near the ceiling,
    // and the shared limiter inside the Jira client enforces it request by request.
    jobsPerSecond: Object.fromEntries(
      [...ACTION_QUEUES, QUEUES.userUpdate, QUEUES.restore].map((q) => [q, config.jira.requestsPerSecond]),
    ),
    onFailedForGood: (job, reason, ctx) => recordFinalFailure(ctx, job, reason),
    onJobEnded: (queue, outcome, seconds) => app.metrics.recordJobDuration(queue, outcome, seconds),
  });
  host.start();
  await host.ready();
  // Job schedulers live in Redis: every worker writing the same ones is harmless (upsert), and
  // BullMQ fires each occurrence once, however many workers there are.
  if (queues.includes('run-control')) {
    await syncSchedules(app.registry, config.schedule, logger);
    await syncRetentionSchedule(app.registry);
    await scheduleRunSweeper(app.registry, config.runs.sweepEveryMinutes);
    await scheduleLicenceCheck(app.registry, config.license.checkEveryMinutes);
  }
  if (queues.includes('restore')) await scheduleLoginPoll(app.registry, config);
  return {
    app,
    async stop() {
      await host.stop();
      await app.close();
    },
  };
}

export async function startApiRole(config: Readonly<ReclaimConfig>, logger: Logger): Promise<ApiRole> {
  // Loaded here: a worker process has no use for express, Bull Board and the console.
  const { createApiApp } = await import('../api/app.js');
  const app = await openApp(config, 'api', logger);
  const server = createApiApp(app).listen(config.api.port, config.api.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  const url = `http://${config.api.host}:${port}`;
  logger.info({ url }, 'API listening');
  return {
    app,
    server,
    url,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      await app.close();
    },
  };
}

/** An app whose records store is open and migrated: a role that cannot reach it does not start. */
async function openApp(
  config: Readonly<ReclaimConfig>,
  role: 'worker' | 'api',
  logger: Logger,
): Promise<App> {
  const app = createApp(config, role, logger);
  try {
    await app.records.ready();
  } catch (error) {
    await app.close().catch(() => {});
    throw error;
  }
  return app;
}
