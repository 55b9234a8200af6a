import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { ApiRole } from '../../config/schema.js';
import type { QueueRegistry } from '../../queues/registry.js';
import { bearerToken, forbidden, hasRole, type Authenticator, type Caller } from '../auth.js';
import { BULL_BOARD_PATH, bullBoardRouter } from '../bull-board.js';
import { sendError } from '../error-handler.js';
import { CONSOLE_HOME, isConsolePath } from '../console/console-paths.js';
import { HttpError } from '../http-error.js';
import { isSameOrigin, STATE_CHANGING } from './same-origin.js';
import type { SessionCookies } from './session.js';

export const LOGIN_PATH = '/admin/login';
export const LOGOUT_PATH = '/admin/logout';

const loginForm = z.object({
  token: z.string({ error: 'expected a token' }).min(1, { error: 'expected a token' }).max(1024),
  next: z.string().max(2048).optional(),
});

/**
 * Only back into the board or the console: a `next` elsewhere would make the login an open
 * redirect. Without one, an operator lands on the board (as before the console) and a viewer
 * on the console.
 */
function nextPath(next: string | undefined, role?: ApiRole): string {
  if (next && (/^\/admin\/queues(\/[A-Za-z0-9/_.?=&%-]*)?$/.test(next) || isConsolePath(next))) return next;
  return role === undefined || hasRole({ name: '', role }, 'operator') ? BULL_BOARD_PATH : CONSOLE_HOME;
}

function isBoardPath(path: string): boolean {
  return path.startsWith(BULL_BOARD_PATH);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(message?: string, next?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reclaim — sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"></head>
<body style="font-family:sans-serif;max-width:24rem;margin:4rem auto">
<h1>Reclaim</h1>
${message ? `<p role="alert" style="color:#b00">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${LOGIN_PATH}">
<label for="token">API token (viewer: the console; operator: also the queues and the console's actions)</label><br>
<input id="token" name="token" type="password" autocomplete="current-password" required style="width:100%"><br>
${next ? `<input type="hidden" name="next" value="${escapeHtml(nextPath(next))}">` : ''}
<button type="submit">Sign in</button>
</form></body></html>`;
}

/**
 * Bull Board behind a login: `/admin/login` (a form taking an API token) sets a signed
 * session cookie, which the console (api/console/) reads too; the board and its API need that session (or a Bearer token, for scripts)
 * with the operator role; a state-changing board request carried by the cookie must also be
 * same-origin. `POST /admin/logout` ends the session.
 */
export function adminRouter(
  registry: QueueRegistry,
  authenticate: Authenticator,
  sessions: SessionCookies,
  knownCaller: (name: string) => Caller | undefined,
): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });

  router.get(LOGIN_PATH, (req, res) => {
    const next = typeof req.query.next === 'string' ? req.query.next : undefined;
    res.type('html').send(loginPage(undefined, next));
  });

  router.post(LOGIN_PATH, form, (req, res) => {
    if (!isSameOrigin(req)) throw new HttpError(403, 'forbidden', 'cross-site login refused');
    const parsed = loginForm.safeParse(req.body ?? {});
    const caller = parsed.success ? authenticate(parsed.data.token) : undefined;
    const next = parsed.success ? parsed.data.next : undefined;
    if (!caller) {
      res.status(401).type('html').send(loginPage('That token is not valid.', next));
      return;
    }
    const destination = nextPath(next, caller.role);
    if (isBoardPath(destination) && !hasRole(caller, 'operator')) {
      res
        .status(403)
        .type('html')
        .send(loginPage(`Token "${caller.name}" is ${caller.role}: the queues need operator.`, next));
      return;
    }
    sessions.issue(res, req, caller);
    res.redirect(303, destination);
  });

  router.post(LOGOUT_PATH, (req, res) => {
    if (!isSameOrigin(req)) throw new HttpError(403, 'forbidden', 'cross-site logout refused');
    sessions.clear(res, req);
    res.redirect(303, LOGIN_PATH);
  });

  const guard: RequestHandler = (req, res, next) => {
    const bearer = bearerToken(req.headers.authorization);
    const session = bearer ? undefined : sessions.read(req);
    // A session is only as good as its token: one removed from api.tokens, or demoted, ends it.
    const caller = bearer ? authenticate(bearer) : session ? knownCaller(session.name) : undefined;
    if (!caller) {
      const wantsPage =
        req.method === 'GET' && !req.path.startsWith('/api/') && req.accepts(['html', 'json']) === 'html';
      if (wantsPage) {
        res.redirect(303, `${LOGIN_PATH}?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      sendError(req, res, 401, {
        code: 'unauthorized',
        message: `sign in at ${LOGIN_PATH}, or send a Bearer token`,
      });
      return;
    }
    if (!hasRole(caller, 'operator')) throw forbidden(caller, 'operator');
    // The cookie is sent by the browser on its own: a change it carries must come from our page.
    if (!bearer && STATE_CHANGING.has(req.method) && !isSameOrigin(req))
      throw new HttpError(403, 'forbidden', 'cross-site request refused: Origin does not match this host');
    req.caller = caller;
    next();
  };

  router.use(BULL_BOARD_PATH, guard, bullBoardRouter(registry));
  return router;
}
