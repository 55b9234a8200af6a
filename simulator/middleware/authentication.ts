import type { Request } from 'express';

/** Basic `user:password` of a request, or undefined when it carries none. */
export function basicCredentials(req: Request): string | undefined {
  const [scheme, credentials] = (req.headers.authorization ?? '').split(' ', 2);
  if (!credentials || scheme?.toLowerCase() !== 'basic') return undefined;
  return Buffer.from(credentials, 'base64').toString('utf8');
}

/** The value of the JSESSIONID cookie, as a browser or a cookie-session client sends it back. */
export function sessionCookie(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'JSESSIONID') return value.join('=');
  }
  return undefined;
}

/**
 * Jira's PAT (Bearer), Basic admin/admin, or a cookie session opened by `POST /rest/auth/1/session`:
 * the simulator knows one administrator.
 */
export function isAuthenticated(
  req: Request,
  token: string,
  sessions: ReadonlySet<string> = new Set(),
): boolean {
  const session = sessionCookie(req);
  if (session !== undefined && sessions.has(session)) return true;
  const header = req.headers.authorization ?? '';
  const [scheme, credentials] = header.split(' ', 2);
  if (!credentials) return false;
  if (scheme?.toLowerCase() === 'bearer') return credentials === token;
  return basicCredentials(req) === 'admin:admin';
}
