import { Router } from 'express';
import { JiraError } from '../jira-error.js';
import { boolParam, intParam, stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import { userBean } from '../user-json.js';
import type { UserStore } from '../user-store.js';

const DEFAULT_MAX_RESULTS = 50;
/** The query many admins use to mean "everybody". */
const EVERYONE = '.';

/** Whether `text` has `lowerQuery` at `offset`, ignoring case, without allocating for ASCII. */
function startsWithAt(text: string, offset: number, lowerQuery: string): boolean {
  if (text.length - offset < lowerQuery.length) return false;
  for (let i = 0; i < lowerQuery.length; i++) {
    let code = text.charCodeAt(offset + i);
    if (code >= 65 && code <= 90) code += 32;
    else if (code > 127) return text.slice(offset, offset + lowerQuery.length).toLowerCase() === lowerQuery;
    if (code !== lowerQuery.charCodeAt(i)) return false;
  }
  return true;
}

/** Jira's user picker match: prefix of the username, of any word of the display name, or of the e-mail. */
function matches(store: UserStore, index: number, query: string): boolean {
  if (query === EVERYONE) return true;
  if (store.lowerName(index).startsWith(query)) return true;
  if (startsWithAt(store.emailAddress(index), 0, query)) return true;
  const displayName = store.displayName(index);
  if (startsWithAt(displayName, 0, query)) return true;
  for (let space = displayName.indexOf(' '); space >= 0; space = displayName.indexOf(' ', space + 1)) {
    if (startsWithAt(displayName, space + 1, query)) return true;
  }
  return false;
}

/**
 * GET /rest/api/2/user/search: a bare array sorted by username. Jira 9 pages with startAt
 * through any number of results, up to 1000 at a time; Jira 10+ only ever reaches the first
 * 100 results (JRASERVER-78520).
 */
export function userSearchRoutes(context: SimulatorContext): Router {
  const router = Router();

  router.get('/rest/api/2/user/search', (req, res) => {
    const query = stringParam(req, 'username')?.trim().toLowerCase();
    if (!query) throw new JiraError(400, ['The username query parameter was not provided']);
    const startAt = intParam(req, 'startAt', 0);
    const requestedMax = intParam(req, 'maxResults', DEFAULT_MAX_RESULTS);
    if (startAt < 0) throw JiraError.fieldError(400, 'startAt', 'startAt must not be negative');
    if (requestedMax < 0) throw JiraError.fieldError(400, 'maxResults', 'maxResults must not be negative');
    const includeActive = boolParam(req, 'includeActive', true);
    const includeInactive = boolParam(req, 'includeInactive', false);

    const traits = context.traits;
    const maxResults = Math.min(requestedMax, traits.searchPageCap);
    const end = Math.min(startAt + maxResults, traits.searchReachableCap);
    const store = context.world.store;
    const found: Record<string, unknown>[] = [];
    let position = 0;
    if (startAt < end) {
      for (const index of store.usernameOrder) {
        const active = store.isActive(index);
        if (active ? !includeActive : !includeInactive) continue;
        if (!matches(store, index, query)) continue;
        if (position >= startAt) found.push(userBean(context, index));
        position++;
        if (position >= end) break;
      }
    }
    res.json(found);
  });

  return router;
}
