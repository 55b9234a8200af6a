import type { Job } from 'bullmq';
import { JOBS, QUEUES } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import { jiraRequestScope, type App } from '../runtime/app.js';
import { undoActionById, undoRun } from '../services/apply/undo.js';
import { asJobOutcome } from './job-errors.js';

/** `undo-action` and `undo-run`: restore the state before, each change audited. */
export async function processUndo(job: Job, app: App, signal: AbortSignal) {
  const deps = { jira: app.jira(), audit: app.audit, runs: app.runs };
  // The job's own id: its retries log once; a later undo request logs anew.
  const undoKey = job.id!;
  return asJobOutcome(job, app.registry.queue(QUEUES.undo), signal, async () => {
    if (job.name === JOBS.undoRun) {
      const { runId, actor } = parsePayload(JOBS.undoRun, job.data);
      return countedFor(app, runId, () => undoRun(deps, runId, actor, undoKey));
    }
    const { actionId, actor } = parsePayload(JOBS.undoAction, job.data);
    const runId = (await app.audit.findByAction(actionId))?.runId;
    const entry = await countedFor(app, runId, () => undoActionById(deps, actionId, actor, undoKey));
    return { outcome: entry.outcome, reason: entry.reason, auditId: entry.id };
  });
}

/**
 * An undo's Jira requests count for the run whose actions it reverses — while that run is still
 * kept: the audit log outlives runs, and a count must not bring back a run retention removed.
 */
async function countedFor<T>(app: App, runId: string | undefined, undo: () => Promise<T>): Promise<T> {
  if (runId === undefined || !(await app.runs.get(runId))) return undo();
  return jiraRequestScope.run({ runId }, undo);
}
