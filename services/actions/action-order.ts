import type { ActionType, PlannedAction } from '../policy/types.js';

/**
 * The order a user's actions run in: groups before deactivation (Jira still lists an inactive
 * user's groups, but some directories refuse group changes for disabled accounts), and rename
 * last, so that every earlier call can still use the name the plan knew and a refused rename
 * (read-only directory) leaves nothing half done.
 */
export const ACTION_ORDER: readonly ActionType[] = [
  'revoke-license',
  'remove-groups',
  'add-groups',
  'deactivate',
  'rename',
];

function rank(type: ActionType): number {
  return ACTION_ORDER.indexOf(type);
}

/** A copy of the actions in {@link ACTION_ORDER}; actions of the same type keep their order. */
export function orderActions<T extends Pick<PlannedAction, 'type'>>(actions: readonly T[]): T[] {
  return [...actions].sort((a, b) => rank(a.type) - rank(b.type));
}

/**
 * A copy of audited actions in the order to undo them: the reverse of the order they were
 * logged, so the last change made is the first one reverted (rename back before reactivating,
 * groups last), for one user or a whole run.
 */
export function orderForUndo<T extends { id: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
