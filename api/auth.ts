import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiRole, ReclaimConfig } from '../config/schema.js';
import { HttpError } from './http-error.js';

const RANK: Record<ApiRole, number> = { viewer: 1, operator: 2, admin: 3 };

export interface Caller {
  name: string;
  role: ApiRole;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

/** Tokens compared by their digests in constant time, so a timing probe learns nothing. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function tokenAuthenticator(tokens: ReclaimConfig['api']['tokens']) {
  const known = tokens.map((t) => ({ ...t, digest: digest(t.token) }));
  return (presented: string | undefined): Caller | undefined => {
    if (!presented) return undefined;
    const candidate = digest(presented);
    const match = known.find((t) => timingSafeEqual(t.digest, candidate));
    return match ? { name: match.name, role: match.role } : undefined;
  };
}

/**
 * Bearer tokens for scripts; Basic auth with the token as the password for browsers (Bull
 * Board), so a person gets the browser's own login prompt.
 */
function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

export function requireRole(
  authenticate: ReturnType<typeof tokenAuthenticator>,
  role: ApiRole,
  options: { browserPrompt?: boolean } = {},
): RequestHandler {
  return (req, res, next) => {
    const caller = authenticate(presentedToken(req.headers.authorization));
    if (!caller) {
      if (options.browserPrompt) res.setHeader('WWW-Authenticate', 'Basic realm="Reclaim", charset="UTF-8"');
      next(new HttpError(401, 'unauthorized', 'a valid API token is required (Authorization: Bearer …)'));
      return;
    }
    if (RANK[caller.role] < RANK[role]) {
      next(
        new HttpError(
          403,
          'forbidden',
          `this needs the ${role} role; token "${caller.name}" is ${caller.role}`,
        ),
      );
      return;
    }
    req.caller = caller;
    next();
  };
}
