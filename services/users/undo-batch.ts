import { orderForUndo } from '../actions/action-order.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEntry } from '../audit/types.js';
import { undoOneAction } from '../apply/undo.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { RunStore } from '../runs/run-store.js';
import type { BatchStore } from './batch-store.js';
import type { BatchUndoSummary } from './types.js';

export interface BatchUndoDeps {
  jira: JiraDirectory;
  audit: AuditLog;
  runs: RunStore;
  batches: BatchStore;
}

/**
 * Reverses every change of a batch through its audit entries, newest first, each undo audited
 * like a run's: an undo that meets a changed state (the old username taken meanwhile) is
 * reported as not possible, never forced. `undoKey` identifies the request: a retried job logs
 * once, a later request anew.
 */
export async function undoBatch(
  deps: BatchUndoDeps,
  batchId: string,
  actor: string,
  undoKey: string,
): Promise<BatchUndoSummary> {
  const entries: AuditEntry[] = [];
  for await (const entry of deps.audit.stream({ runId: batchId })) {
    if (entry.action === 'update-user' && entry.changes.length > 0) entries.push(entry);
  }
  const summary: BatchUndoSummary = { at: '', by: actor, done: 0, skipped: 0, notPossible: 0 };
  for (const entry of orderForUndo(entries)) {
    const logged = await undoOneAction(deps, entry, actor, undoKey);
    if (logged.outcome === 'done') summary.done += 1;
    else if (logged.outcome === 'not-possible') summary.notPossible += 1;
    else summary.skipped += 1;
  }
  summary.at = new Date().toISOString();
  await deps.batches.recordUndo(batchId, summary);
  return summary;
}
