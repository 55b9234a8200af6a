import type { Job } from 'bullmq';
import { JOBS } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import type { App } from '../runtime/app.js';
import { launchRun } from '../runtime/launch-run.js';
import { finishRun } from '../services/pipeline/finish-run.js';

/** `finish-run`: every user is evaluated; the run becomes planned (and a dry run done). */
export async function processFinishRun(job: Job, app: App) {
  const { runId } = parsePayload(JOBS.finishRun, job.data);
  await finishRun({ redis: app.redis, prefix: app.prefix, runs: app.runs }, runId);
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
