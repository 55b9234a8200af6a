export { executeAction } from './execute-action.js';
export { undoAction, NOTHING_TO_UNDO } from './undo-action.js';
export { ACTION_ORDER, orderActions, orderForUndo } from './action-order.js';
export { auditEntryForAction, auditEntryForUndo } from './audit-entry.js';
export { MAX_RENAME_CANDIDATES, renameCandidates } from './rename-user.js';
export * from './types.js';
