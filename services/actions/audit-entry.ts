import type { AuditedChange, AuditEntry, NewAuditEntry } from '../audit/types.js';
import type { ActionRequest, ActionResult } from './types.js';

/*
 * What the audit log keeps of an action or an undo. Worth using rather than building entries by
 * hand: the undo reads `changes`, and the idempotency key decides whether a retry logs twice.
 */

export function auditEntryForAction(
  request: ActionRequest,
  result: ActionResult,
  actor: string,
): NewAuditEntry {
  return {
    runId: request.runId,
    actionId: request.actionId,
    actor,
    action: request.action.type,
    user: { key: request.user.key, name: request.user.name },
    ...resultFields(result),
  };
}

/**
 * The entry of an undo. It belongs to the original action's run and action id, unless the undo
 * is logged under another run (e.g. a whole-run undo with its own id).
 */
export function auditEntryForUndo(
  original: AuditEntry,
  result: ActionResult,
  options: { actor: string; runId?: string; idempotencyKey?: string },
): NewAuditEntry {
  const type = original.action.startsWith('undo:') ? original.action.slice('undo:'.length) : original.action;
  return {
    runId: options.runId ?? original.runId,
    actionId: original.actionId,
    actor: options.actor,
    action: `undo:${type as AuditedChange}`,
    // The username when the undo ran, which the user may have been renamed to.
    user: { key: original.user.key, name: result.before?.name ?? original.after?.name ?? original.user.name },
    undoOf: original.id,
    ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    ...resultFields(result),
  };
}

/** The part of an audit entry an action's result gives: the states, the outcome, the changes. */
export function resultFields(result: ActionResult) {
  return {
    before: result.before,
    after: result.after,
    outcome: result.outcome,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
    ...(result.notes?.length ? { notes: result.notes } : {}),
    changes: result.changes,
  };
}
