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

/** Tokens are kept only as SHA-256 digests, and compared digest to digest in constant time. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export type Authenticator = (presented: string | undefined) => Caller | undefined;

export function tokenAuthenticator(tokens: ReclaimConfig['api']['tokens']): Authenticator {
  // Hashed once at start-up: the plain tokens are not looked at again.
  const known = tokens.map((t) => ({ name: t.name, role: t.role, digest: digest(t.token) }));
  return (presented) => {
    if (!presented) return undefined;
    const candidate = digest(presented);
    // Every token is compared, whichever matches: the time taken says nothing about which.
    let match: (typeof known)[number] | undefined;
    for (const token of known) if (timingSafeEqual(token.digest, candidate)) match ??= token;
    return match ? { name: match.name, role: match.role } : undefined;
  };
}

/** A token given as `Authorization: Bearer …` (scripts, dashboards, Prometheus). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value || scheme?.toLowerCase() !== 'bearer') return undefined;
  return value.trim();
}

export function hasRole(caller: Caller, role: ApiRole): boolean {
  return RANK[caller.role] >= RANK[role];
}

export function forbidden(caller: Caller, role: ApiRole): HttpError {
  return new HttpError(
    403,
    'forbidden',
    `this needs the ${role} role; token "${caller.name}" is ${caller.role}`,
  );
}

export function requireRole(authenticate: Authenticator, role: ApiRole): RequestHandler {
  return (req, _res, next) => {
    const caller = authenticate(bearerToken(req.headers.authorization));
    if (!caller) {
      next(new HttpError(401, 'unauthorized', 'a valid API token is required (Authorization: Bearer …)'));
      return;
    }
    if (!hasRole(caller, role)) {
      next(forbidden(caller, role));
      return;
    }
    req.caller = caller;
    next();
  };
}
