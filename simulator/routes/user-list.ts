import { Router } from 'express';
import { JiraError } from '../jira-error.js';
import { intParam, stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import { userBean } from '../user-json.js';

const MAX_PAGE = 2000;

/**
 * GET /rest/api/2/user/list (Jira 11, late 10.3 LTS): a cursor stream over every user,
 * active or not, each exactly once. The cursor is the position in the store, which never
 * reorders. Like Jira it never answers 404, whatever the cursor.
 */
export function userListRoutes(context: SimulatorContext): Router {
  const router = Router();

  router.get('/rest/api/2/user/list', (req, res, next) => {
    if (!context.traits.hasUserList) {
      next();
      return;
    }
    const store = context.world.store;
    const maxResults = Math.min(intParam(req, 'maxResults', MAX_PAGE), MAX_PAGE);
    if (maxResults < 1) throw JiraError.fieldError(400, 'maxResults', 'maxResults must be positive');
    const cursorText = stringParam(req, 'cursor');
    // An unknown cursor is the end of the stream, never an error.
    let start = 0;
    if (cursorText !== undefined && cursorText !== '') {
      start = /^\d+$/.test(cursorText) ? Number(cursorText) : store.size;
    }
    start = Math.min(start, store.size);
    const end = Math.min(start + maxResults, store.size);
    const values: Record<string, unknown>[] = [];
    for (let index = start; index < end; index++) values.push(userBean(context, index));
    const isLast = end >= store.size;
    const listUrl = `${context.baseUrl}/rest/api/2/user/list`;
    const page: Record<string, unknown> = {
      self: `${listUrl}?${cursorText ? `cursor=${encodeURIComponent(cursorText)}&` : ''}maxResults=${maxResults}`,
      maxResults,
      isLast,
      values,
    };
    if (!isLast) {
      page.nextCursor = String(end);
      page.nextPage = `${listUrl}?cursor=${end}&maxResults=${maxResults}`;
    }
    res.json(page);
  });

  return router;
}
