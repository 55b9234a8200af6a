import type { Request } from 'express';
import { JiraError } from '../jira-error.js';
import { stringParam } from '../query-params.js';
import type { UserStore } from '../user-store.js';

/** Finds the user named by `?username=` or `?key=`, or throws Jira's 404. */
export function userFromQuery(req: Request, store: UserStore, usernameParam = 'username'): number {
  const username = stringParam(req, usernameParam);
  const key = stringParam(req, 'key');
  if (username) {
    const index = store.indexOfName(username);
    if (index === undefined) throw new JiraError(404, [`The user named '${username}' does not exist`]);
    return index;
  }
  if (key) {
    const index = store.indexOfKey(key);
    if (index === undefined) throw new JiraError(404, [`The user with the key '${key}' does not exist`]);
    return index;
  }
  throw new JiraError(404, [`The user named 'null' does not exist`]);
}
