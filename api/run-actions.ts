import type { App } from '../runtime/app.js';
import { requestUndo, type UndoTarget } from '../runtime/undo-requests.js';
import { approveRun } from '../services/pipeline/finish-run.js';
import { RunNotFinishedError } from '../services/runs/run-lifecycle.js';
import type { Run } from '../services/runs/types.js';
import { queueApply } from '../workers/run-control.js';
import type { Caller } from './auth.js';
import { HttpError } from './http-error.js';

/*
 * A person's approve, cancel and undo of a run, as the JSON API and the console both do them:
 * the same calls, and the same words naming the token in the run and the audit log.
 */

/** How a token is named as the actor of an approve or undo. */
export const actorOf = (caller: Caller): string => `api:${caller.name}`;

export async function cancelRunAs(app: App, run: Run, caller: Caller): Promise<void> {
  const cancelled = await app.lifecycle.cancel(run.id, `cancelled by ${caller.name}`);
  if (!cancelled)
    throw new HttpError(409, 'conflict', `run ${run.id} is ${run.status} and cannot be cancelled`);
}

export async function approveRunAs(app: App, run: Run, caller: Caller): Promise<void> {
  const approved = await approveRun(
    { runs: app.runs, lifecycle: app.lifecycle, startApply: queueApply(app) },
    run.id,
    actorOf(caller),
  );
  if (!approved)
    throw new HttpError(
      409,
      'conflict',
      `run ${run.id} is ${run.status}: only a run awaiting approval can be approved`,
    );
}

/** Queues the undo; its job id. A run still under way cannot be undone yet: 409 with what to do. */
export async function undoAs(app: App, target: UndoTarget, caller: Caller): Promise<string> {
  try {
    return await requestUndo(app, target, actorOf(caller));
  } catch (error) {
    if (error instanceof RunNotFinishedError) {
      throw new HttpError(409, 'conflict', error.message, { runId: error.run.id, status: error.run.status });
    }
    throw error;
  }
}
