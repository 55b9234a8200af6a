import type { Job } from 'bullmq';
import { jobIds } from '../queues/job-ids.js';
import { JOBS, QUEUES } from '../queues/names.js';
import type { QueueRegistry } from '../queues/registry.js';
import { RunWorkReader } from '../queues/run-work.js';
import type { App } from '../runtime/app.js';
import { finishRun } from '../services/pipeline/finish-run.js';
import { sweepRuns, type SweepAction, type SweepPort } from '../services/runs/run-sweeper.js';
import { recordFinalFailure } from './final-failure.js';
import { finishDeps, queueApply } from './run-control.js';

const MINUTE_MS = 60_000;

/**
 * The sweeper as a BullMQ job scheduler on the run-control queue: it survives restarts and
 * fires once per interval however many workers run. Upserting it again only updates it.
 */
export async function scheduleRunSweeper(registry: QueueRegistry, everyMinutes: number): Promise<void> {
  await registry.queue(QUEUES.runControl).upsertJobScheduler(
    jobIds.runSweeper,
    { every: Math.max(1_000, Math.round(everyMinutes * MINUTE_MS)) },
    {
      name: JOBS.sweepRuns,
      data: {},
      // The next sweep comes soon anyway: no retries, and only the last few kept for Bull Board.
      opts: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
    },
  );
}

export function sweepPort(app: App): SweepPort {
  const reader = new RunWorkReader(app.registry);
  return {
    work: (runId) => reader.read(runId),
    async recordFailedJobs(runId, kind) {
      const jobs = await reader.failedJobs(runId, kind);
      for (const job of jobs) await recordFinalFailure(app, job, job.failedReason || 'failed');
      return jobs.length;
    },
    finishRun: (runId) => finishRun(finishDeps(app), runId),
    queueApply: queueApply(app),
    applyProgress: async (runId) => ({
      finished: await app.applyProgress.finishedUsers(runId),
      total: await app.applyProgress.total(runId),
    }),
  };
}

/** `sweep-runs`: finishes or fails, with the reason, every run whose work is gone. */
export async function processSweepRuns(_job: Job, app: App): Promise<SweepAction[]> {
  const actions = await sweepRuns({
    runs: app.runs,
    lifecycle: app.lifecycle,
    port: sweepPort(app),
    graceMs: app.config.runs.sweepEveryMinutes * MINUTE_MS,
    onError: (runId, error) =>
      app.logger.error(
        { runId, err: error instanceof Error ? error.message : String(error) },
        'run sweeper could not look at a run; it tries again next time',
      ),
  });
  for (const action of actions) app.logger.warn(action, 'run sweeper moved a run whose work was gone');
  return actions;
}
