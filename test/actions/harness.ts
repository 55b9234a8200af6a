import { executeAction } from '../../services/actions/execute-action.js';
import { getSimUser, postSimHook, type SimUserState } from '../support/sim-hooks.js';
import type { ActionRequest, ActionResult } from '../../services/actions/types.js';
import type { JiraDirectory } from '../../services/jira/jira-directory.js';
import type { PlannedAction } from '../../services/policy/types.js';
import { orderActions } from '../../services/actions/action-order.js';
import { PLAN } from './fixture.js';

/* Builds action requests from the test plan and reads the simulator's view of a user. */

export const RUN_ID = 'run-actions-1';

export function requestFor(username: string, action: PlannedAction): ActionRequest {
  const planned = PLAN[username];
  if (!planned) throw new Error(`no plan for ${username}`);
  return {
    runId: RUN_ID,
    actionId: `${RUN_ID}-${planned.key}-${action.type}`,
    user: { key: planned.key, name: planned.name },
    action,
    planned: { lastLogin: planned.lastLogin, verdict: planned.verdict },
  };
}

/** Every planned action of the user, in the safe order. */
export function requestsFor(username: string): ActionRequest[] {
  return orderActions(PLAN[username]!.actions).map((action) => requestFor(username, action));
}

export async function applyPlanOf(jira: JiraDirectory, username: string): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  for (const request of requestsFor(username)) results.push(await executeAction({ jira }, request));
  return results;
}

export { type SimUserState } from '../support/sim-hooks.js';

export function simState(simUrl: string, username: string): Promise<SimUserState> {
  return getSimUser(simUrl, username);
}

export function simPost(simUrl: string, path: string): Promise<void> {
  return postSimHook(simUrl, path);
}

/** What an undo must restore: everything the actions touch. */
export function restorable(state: SimUserState) {
  return { name: state.name, key: state.key, active: state.active, groups: state.groups };
}
