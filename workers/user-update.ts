import type { Job } from 'bullmq';
import { jobIds } from '../queues/job-ids.js';
import { JOBS, QUEUES } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import type { App } from '../runtime/app.js';
import {
  applyUserUpdate,
  recordRowFailure,
  type UserUpdateDeps,
} from '../services/users/apply-user-update.js';
import type { RowSink } from '../services/users/ingest-batch.js';
import type { FailedJob } from './final-failure.js';
import { asJobOutcome } from './job-errors.js';

function depsOf(app: App): UserUpdateDeps {
  return { jira: app.jira(), audit: app.audit, batches: app.batches };
}

/** `update-user`: one row of a user-update batch. The job id is the audit entry's action id. */
export async function processUserUpdate(job: Job, app: App, signal: AbortSignal) {
  const { batchId, row, actor } = parsePayload(JOBS.updateUser, job.data);
  const rowJob = { batchId, row, actor, actionId: jobIds.updateUser(batchId, row) };
  const deps = depsOf(app);
  return asJobOutcome(
    job,
    app.registry.queue(QUEUES.userUpdate),
    signal,
    () => applyUserUpdate(deps, rowJob),
    {
      onFinalFailure: (error) => recordRowFailure(deps, rowJob, error.message),
    },
  );
}

/** A row job that failed for good without its processor seeing it (stalled): its row says so. */
export async function recordUserUpdateFailure(app: App, job: FailedJob, reason: string): Promise<void> {
  const { batchId, row, actor } = parsePayload(JOBS.updateUser, job.data);
  await recordRowFailure(
    depsOf(app),
    { batchId, row, actor, actionId: jobIds.updateUser(batchId, row) },
    reason,
  );
}

/** Each row to the user-update queue under its fixed id: a row queued twice runs once. */
export function userUpdateSink(app: App): RowSink {
  return {
    async enqueue(batchId, rows, actor) {
      await app.registry.addBulk(
        JOBS.updateUser,
        rows.map((row) => ({ data: { batchId, row, actor }, jobId: jobIds.updateUser(batchId, row) })),
      );
    },
  };
}

/** Queues an undo of the batch; each request is its own job. Returns the job id. */
export async function queueBatchUndo(app: App, batchId: string, actor: string): Promise<string> {
  const jobId = jobIds.undoBatch(batchId, Date.now().toString(36));
  await app.registry.add(JOBS.undoBatch, { batchId, actor }, jobId);
  return jobId;
}
