import { orderForUndo } from '../actions/action-order.js';
import { auditEntryForUndo } from '../actions/audit-entry.js';
import { undoAction } from '../actions/undo-action.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEntry } from '../audit/types.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { RunStore } from '../runs/run-store.js';

export interface UndoDependencies {
  jira: JiraDirectory;
  audit: AuditLog;
  runs: RunStore;
}

export interface UndoSummary {
  done: number;
  skipped: number;
  notPossible: Array<{ actionId: string; user: string; reason: string }>;
}

export class NothingToUndoError extends Error {
  constructor(what: string) {
    super(`${what}: no such action or run in the audit log`);
    this.name = 'NothingToUndoError';
  }
}

/** An action's own entry (not an undo), which is what an undo reverses. */
function isUndoable(entry: AuditEntry): boolean {
  return !entry.action.startsWith('undo:') && entry.changes.length > 0;
}

/**
 * Restores the state before one audited action, itself audited. `undoKey` identifies this undo
 * request: a retried job logs once, a later request (after an admin fixed a conflict) anew.
 */
export async function undoOneAction(
  deps: UndoDependencies,
  entry: AuditEntry,
  actor: string,
  undoKey: string,
): Promise<AuditEntry> {
  const result = await undoAction({ jira: deps.jira }, entry);
  return deps.audit.append(
    auditEntryForUndo(entry, result, { actor, idempotencyKey: `${entry.actionId}:undo:${undoKey}` }),
  );
}

export async function undoActionById(
  deps: UndoDependencies,
  actionId: string,
  actor: string,
  undoKey: string,
): Promise<AuditEntry> {
  const entry = await deps.audit.findByAction(actionId);
  if (!entry || !isUndoable(entry)) throw new NothingToUndoError(`action ${actionId}`);
  return undoOneAction(deps, entry, actor, undoKey);
}

/**
 * Undoes every change of a run, newest first, each as its own audited action. An undo that
 * meets a changed state (the old username taken, the user renamed again) is reported, never
 * forced.
 */
export async function undoRun(
  deps: UndoDependencies,
  runId: string,
  actor: string,
  undoKey: string,
): Promise<UndoSummary> {
  const entries: AuditEntry[] = [];
  for await (const entry of deps.audit.stream({ runId })) if (isUndoable(entry)) entries.push(entry);
  if (entries.length === 0 && !(await deps.runs.get(runId))) throw new NothingToUndoError(`run ${runId}`);
  const summary: UndoSummary = { done: 0, skipped: 0, notPossible: [] };
  for (const entry of orderForUndo(entries)) {
    const logged = await undoOneAction(deps, entry, actor, undoKey);
    if (logged.outcome === 'done') summary.done += 1;
    else if (logged.outcome === 'not-possible')
      summary.notPossible.push({
        actionId: entry.actionId,
        user: entry.user.name,
        reason: logged.reason ?? '',
      });
    else summary.skipped += 1;
  }
  await deps.runs.addNote(
    runId,
    `undone by ${actor}: ${summary.done} action(s) reversed, ${summary.skipped} with nothing to reverse, ${summary.notPossible.length} not possible`,
  );
  return summary;
}
