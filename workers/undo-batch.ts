import type { Job } from 'bullmq';
import { JOBS, QUEUES } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import type { App } from '../runtime/app.js';
import { undoBatch } from '../services/users/undo-batch.js';
import { asJobOutcome } from './job-errors.js';

/** `undo-batch`: reverses every change of a user-update batch, each undo audited. */
export async function processUndoBatch(job: Job, app: App, signal: AbortSignal) {
  const { batchId, actor } = parsePayload(JOBS.undoBatch, job.data);
  const deps = { jira: app.jira(), audit: app.audit, runs: app.runs, batches: app.batches };
  // The job's own id: its retries log once; a later undo request logs anew.
  return asJobOutcome(job, app.registry.queue(QUEUES.undo), signal, () =>
    undoBatch(deps, batchId, actor, job.id!),
  );
}
