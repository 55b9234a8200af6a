import { JiraNotFoundError } from '../jira/errors.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { JiraUser } from '../jira/types.js';

/**
 * The user as Jira holds it now, with groups, by key: the username may have changed since the
 * plan (or since an earlier attempt renamed it). Null when Jira no longer knows the user.
 */
export async function readUser(jira: JiraDirectory, key: string): Promise<JiraUser | null> {
  try {
    return await jira.getUser({ key }, { expand: ['groups'] });
  } catch (error) {
    if (error instanceof JiraNotFoundError) return null;
    throw error;
  }
}

/** The user holding a username now, or null when the name is free. */
export async function userNamed(jira: JiraDirectory, name: string): Promise<JiraUser | null> {
  try {
    return await jira.getUser(name);
  } catch (error) {
    if (error instanceof JiraNotFoundError) return null;
    throw error;
  }
}

/** Thrown inside an action when the user disappears half-way; the action reports `skipped`. */
export class UserGoneError extends Error {
  constructor(readonly key: string) {
    super(`the Jira user with key ${key} no longer exists`);
    this.name = 'UserGoneError';
  }
}
