import type { PlannedAction } from '../policy/types.js';
import { loginSincePlan } from './login-since-plan.js';
import { readUser, UserGoneError } from './read-user.js';
import { renameToFreeName } from './rename-user.js';
import { applyChanges, changesBetween, snapshotOf } from './snapshot.js';
import {
  ALREADY_IN_PLANNED_STATE,
  USER_GONE,
  type ActionDeps,
  type ActionRequest,
  type ActionResult,
} from './types.js';
import { UserEditor } from './user-editor.js';

/**
 * Carries out one planned action on one user, exactly once in effect however often it is
 * delivered: the user is re-read by key first and only what is still needed is done. An action
 * whose user is already in the planned state reports `done` with no changes and the reason
 * "already in the planned state". A user the re-check (`deps.recheck`) or the login check says
 * the plan no longer holds for is `skipped`, untouched.
 *
 * Throws whatever a retry may cure (5xx after the client's retries, 429, timeouts), unchanged,
 * so the queue layer can retry or pause.
 */
export async function executeAction(deps: ActionDeps, request: ActionRequest): Promise<ActionResult> {
  // The previous step's state when it is fresh enough (carried-user.ts), else Jira's now.
  const readAt = deps.carried?.readAt ?? Date.now();
  const user = deps.carried?.user ?? (await readUser(deps.jira, request.user.key));
  if (user === null) return { outcome: 'skipped', reason: USER_GONE, before: null, after: null, changes: [] };
  const before = snapshotOf(user);
  const original = deps.rememberBefore ? await deps.rememberBefore(before) : before;

  // The re-check may match a directory by e-mail: it gets the address Jira holds now.
  const noLongerPlanned = await deps.recheck?.(
    user.emailAddress !== undefined ? { ...before, emailAddress: user.emailAddress } : before,
  );
  if (noLongerPlanned !== undefined)
    return { outcome: 'skipped', reason: noLongerPlanned, before, after: before, changes: [] };

  const loggedIn = await loginSincePlan(deps.jira, user, request.planned);
  if (loggedIn !== undefined)
    return { outcome: 'skipped', reason: loggedIn, before, after: before, changes: [] };

  const editor = new UserEditor(deps.jira, user);
  try {
    await perform(deps, editor, request.action);
  } catch (error) {
    if (!(error instanceof UserGoneError)) throw error;
    const changes = editor.changes;
    return { outcome: 'skipped', reason: USER_GONE, before, after: applyChanges(before, changes), changes };
  }
  const result = editor.result(before);
  deps.leaveState?.({ readAt, user: editor.current });
  if (result.after === null || changesBetween(original, before).length === 0) return result;
  // An earlier attempt already changed the user: report the action's whole effect.
  const changes = changesBetween(original, result.after);
  return {
    ...result,
    before: original,
    changes,
    ...(changes.length > 0 && result.reason === ALREADY_IN_PLANNED_STATE ? { reason: undefined } : {}),
  };
}

async function perform(deps: ActionDeps, editor: UserEditor, action: PlannedAction): Promise<void> {
  switch (action.type) {
    case 'revoke-license':
    case 'remove-groups':
      return editor.leaveGroups(action.groups);
    case 'add-groups':
      return editor.joinGroups(action.groups);
    case 'deactivate':
      return editor.setActive(false);
    case 'rename':
      return renameToFreeName(deps.jira, editor, action.to);
  }
}
