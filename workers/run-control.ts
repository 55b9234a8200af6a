import type { Job } from 'bullmq';
import { jobIds } from '../queues/job-ids.js';
import { JOBS, QUEUES } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import type { App } from '../runtime/app.js';
import { launchRun } from '../runtime/launch-run.js';
import { startApply } from '../services/apply/start-apply.js';
import { finishRun, type FinishDependencies } from '../services/pipeline/finish-run.js';
import { pruneRuns } from '../services/runs/prune-runs.js';
import { actionSink } from './action-sink.js';
import { recordFinalFailure } from './final-failure.js';
import { asJobOutcome } from './job-errors.js';

/** Queues a run's apply stage (fixed id: queued once however often asked). */
export function queueApply(app: App) {
  return (runId: string) => app.registry.add(JOBS.startApply, { runId }, jobIds.startApply(runId));
}

/** `finish-run`: every user is evaluated; the run becomes planned, then done or on to the brake. */
export async function processFinishRun(job: Job, app: App, signal: AbortSignal) {
  const { runId } = parsePayload(JOBS.finishRun, job.data);
  await asJobOutcome(
    job,
    app.registry.queue(QUEUES.runControl),
    signal,
    () => finishRun(finishDeps(app), runId),
    {
      onFinalFailure: (error) => recordFinalFailure(app, job, error.message),
    },
  );
}

export function finishDeps(app: App): FinishDependencies {
  return {
    brake: app.config.brake,
    runs: app.runs,
    lifecycle: app.lifecycle,
    plans: app.plans,
    progress: app.applyProgress,
    startApply: queueApply(app),
  };
}

/** `start-apply`: an apply run that passed the brake (or was approved) starts acting. */
export async function processStartApply(job: Job, app: App, signal: AbortSignal) {
  const { runId } = parsePayload(JOBS.startApply, job.data);
  return asJobOutcome(job, app.registry.queue(QUEUES.runControl), signal, () => startApplyNow(app, runId), {
    onFinalFailure: (error) => recordFinalFailure(app, job, error.message),
  });
}

function startApplyNow(app: App, runId: string) {
  return startApply(
    { runs: app.runs, lifecycle: app.lifecycle, plans: app.plans, progress: app.applyProgress },
    runId,
    actionSink(app),
  );
}

/** `scheduled-run`: a schedule of the configuration fired; start its run. */
export async function processScheduledRun(job: Job, app: App) {
  const { schedule, mode, only } = parsePayload(JOBS.scheduledRun, job.data);
  const run = await launchRun(app, {
    mode,
    ...(only ? { only } : {}),
    trigger: { type: 'schedule', schedule },
  });
  return { runId: run.id };
}

/** `prune-runs`: retention removes the plans of old finished runs (hourly job scheduler). */
export async function processPruneRuns(_job: Job, app: App) {
  const result = await pruneRuns(
    { redis: app.redis, prefix: app.prefix, runs: app.runs, plans: app.plans },
    app.config.runs,
  );
  if (result.runs.length > 0) {
    app.logger.info(
      { runs: result.runs.map((r) => r.id), lines: result.lines, keys: result.keys },
      'retention removed the plans of old runs',
    );
  }
  return { pruned: result.runs.length, lines: result.lines, keys: result.keys };
}
