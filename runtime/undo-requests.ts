import { jobIds } from '../queues/job-ids.js';
import { JOBS } from '../queues/names.js';
import type { App } from './app.js';

export type UndoTarget = { kind: 'run'; runId: string } | { kind: 'action'; actionId: string };

/** A run id or an action id (as the audit log names it): which one, or null if neither. */
export async function resolveUndoTarget(app: App, id: string): Promise<UndoTarget | null> {
  if (await app.runs.get(id)) return { kind: 'run', runId: id };
  const entry = await app.audit.findByAction(id);
  return entry && !entry.action.startsWith('undo:') ? { kind: 'action', actionId: id } : null;
}

/**
 * Queues an undo; returns the job id to follow. Each request gets its own job, so an undo that
 * met a conflict can be asked for again once an admin has fixed it.
 * @throws RunNotFinishedError when the run (of the action) has not finished.
 */
export async function requestUndo(app: App, target: UndoTarget, actor: string): Promise<string> {
  // Undoing a run that may still act would race its own steps: refused until it is over.
  const runId = target.kind === 'run' ? target.runId : (await app.audit.findByAction(target.actionId))?.runId;
  const run = runId === undefined ? null : await app.runs.get(runId);
  if (run) app.lifecycle.assertUndoable(run);
  const stamp = Date.now().toString(36);
  if (target.kind === 'run') {
    const jobId = `${jobIds.undoRun(target.runId)}-${stamp}`;
    await app.registry.add(JOBS.undoRun, { runId: target.runId, actor }, jobId);
    return jobId;
  }
  const jobId = `${jobIds.undoAction(target.actionId)}-${stamp}`;
  await app.registry.add(JOBS.undoAction, { actionId: target.actionId, actor }, jobId);
  return jobId;
}
