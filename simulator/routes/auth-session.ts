import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { sendJiraError } from '../jira-error.js';
import { sessionCookie } from '../middleware/authentication.js';
import type { SimulatorContext } from '../simulator-context.js';

/*
 * Jira's cookie sessions (`/rest/auth/1/session`): scripts log in with a username and password,
 * then send the JSESSIONID cookie back; `GET` tells them who they are.
 */

const ADMIN = { username: 'admin', password: 'admin' };

/** What Jira answers without credentials: serverInfo, and the login itself. */
export function isAnonymousAllowed(req: Request): boolean {
  if (req.method === 'GET' && req.path === '/api/2/serverInfo') return true;
  return req.method === 'POST' && req.path === '/auth/1/session';
}

function loginInfo() {
  return {
    failedLoginCount: 0,
    loginCount: 1,
    lastFailedLoginTime: '2026-01-15T09:00:00.000+0000',
    previousLoginTime: '2026-01-15T09:00:00.000+0000',
  };
}

export function authSessionRoutes(context: SimulatorContext): Router {
  const router = Router();

  router.post('/rest/auth/1/session', (req, res) => {
    const body = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (body.username !== ADMIN.username || body.password !== ADMIN.password) {
      sendJiraError(res, 401, ['Login failed']);
      return;
    }
    const value = randomUUID().replaceAll('-', '').toUpperCase();
    context.sessions.add(value);
    res.setHeader('Set-Cookie', `JSESSIONID=${value}; Path=/; HttpOnly`);
    res.json({ session: { name: 'JSESSIONID', value }, loginInfo: loginInfo() });
  });

  router.get('/rest/auth/1/session', (_req, res) => {
    res.json({
      self: `${context.baseUrl}/rest/api/latest/user?username=${ADMIN.username}`,
      name: ADMIN.username,
      loginInfo: loginInfo(),
    });
  });

  router.delete('/rest/auth/1/session', (req, res) => {
    const session = sessionCookie(req);
    if (session !== undefined) context.sessions.delete(session);
    res.status(204).end();
  });

  return router;
}
