import type { JiraDirectory } from '../jira/jira-directory.js';
import type { JiraUser } from '../jira/types.js';
import type { ActionRequest } from './types.js';

/** Verdicts that rest on the user not logging in, and so lapse when the user logs in. */
const LOGIN_BASED_VERDICTS = new Set(['inactive', 'never-logged-in']);

/**
 * Why the user must not be acted on because of a login since the plan, or undefined when the
 * plan still holds. An unknown last login also stops the action: unknown is not "absent".
 * Leavers are acted on whatever their logins: the external directory decided.
 */
export async function loginSincePlan(
  jira: JiraDirectory,
  user: JiraUser,
  planned: ActionRequest['planned'],
): Promise<string | undefined> {
  if (!LOGIN_BASED_VERDICTS.has(planned.verdict)) return undefined;
  const current = await jira.lastLogin(user);
  if (current.status === 'unknown') return `last login unknown now (${current.reason}): not acted on`;
  if (current.status === 'never') return undefined;
  const plannedAt = planned.lastLogin === null ? null : Date.parse(planned.lastLogin);
  if (plannedAt !== null && Number.isNaN(plannedAt)) {
    return `the plan's last login "${planned.lastLogin}" is not a date-time: not acted on`;
  }
  if (plannedAt !== null && current.at.getTime() <= plannedAt) return undefined;
  return `logged in since the plan (last login ${current.at.toISOString()}, plan had ${planned.lastLogin ?? 'never'})`;
}
