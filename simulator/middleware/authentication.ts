import type { Request } from 'express';

/** Jira's PAT (Bearer) or Basic admin/admin: the simulator knows one administrator. */
export function isAuthenticated(req: Request, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const [scheme, credentials] = header.split(' ', 2);
  if (!credentials) return false;
  if (scheme?.toLowerCase() === 'bearer') return credentials === token;
  if (scheme?.toLowerCase() === 'basic') {
    return Buffer.from(credentials, 'base64').toString('utf8') === 'admin:admin';
  }
  return false;
}
