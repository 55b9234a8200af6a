import type { Request, RequestHandler } from 'express';
import { LOGIN_PATH } from '../admin/admin-router.js';
import { isSameOrigin } from '../admin/same-origin.js';
import type { SessionCookies } from '../admin/session.js';
import { bearerToken, forbidden, hasRole, type Authenticator, type Caller } from '../auth.js';
import { HttpError } from '../http-error.js';

export interface ConsoleAuth {
  authenticate: Authenticator;
  sessions: SessionCookies;
  /** The token a session names, as api.tokens has it now. */
  knownCaller: (name: string) => Caller | undefined;
}

/**
 * The console's pages need the board's login (the session cookie) or a Bearer token, with at
 * least the viewer role. A browser without a session is sent to the login and back here.
 */
export function consoleReader(auth: ConsoleAuth): RequestHandler {
  return (req, res, next) => {
    const bearer = bearerToken(req.headers.authorization);
    const session = bearer ? undefined : auth.sessions.read(req);
    // A session is only as good as its token: one removed from api.tokens, or demoted, ends it.
    const caller = bearer ? auth.authenticate(bearer) : session ? auth.knownCaller(session.name) : undefined;
    if (!caller) {
      if (req.method === 'GET') {
        res.redirect(303, `${LOGIN_PATH}?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      throw new HttpError(401, 'unauthorized', `sign in at ${LOGIN_PATH}`);
    }
    req.caller = caller;
    next();
  };
}

/**
 * A console action (approve, cancel, undo): an operator, from a form of ours. The form carries
 * the session's token and must come from this origin, as the board's changes must: a cookie
 * is sent by the browser on its own, so neither alone is trusted to mean the person asked.
 */
export function consoleActor(auth: ConsoleAuth): RequestHandler {
  return (req, _res, next) => {
    const caller = req.caller;
    if (!caller) throw new HttpError(401, 'unauthorized', `sign in at ${LOGIN_PATH}`);
    if (!hasRole(caller, 'operator')) throw forbidden(caller, 'operator');
    if (!isSameOrigin(req))
      throw new HttpError(403, 'forbidden', 'cross-site request refused: Origin does not match this host');
    if (!auth.sessions.csrfTokenMatches(req, formField(req, 'csrf')))
      throw new HttpError(403, 'forbidden', 'the form is not one of this session: reload the page and retry');
    next();
  };
}

export function formField(req: Request, name: string): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return body && typeof body === 'object' ? body[name] : undefined;
}
