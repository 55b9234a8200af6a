import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ApiRole } from '../../config/schema.js';

export const SESSION_COOKIE = 'reclaim_session';

export interface Session {
  name: string;
  role: ApiRole;
  /** Expiry, epoch milliseconds. */
  expires: number;
}

/**
 * The board's and the console's login, as a signed cookie: `base64url(json).base64url(hmac-sha256)`. Nothing is
 * stored server-side; the signature is what makes it unforgeable and the expiry is inside it.
 */
export class SessionCookies {
  private readonly secret: Buffer;

  constructor(
    secret: string | null,
    private readonly hours: number,
  ) {
    // Without a configured secret each process has its own: logins end when it restarts.
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  issue(res: Response, req: Request, caller: { name: string; role: ApiRole }): void {
    const session: Session = { ...caller, expires: Date.now() + this.hours * 3600_000 };
    const payload = Buffer.from(JSON.stringify(session), 'utf8').toString('base64url');
    res.cookie(SESSION_COOKIE, `${payload}.${this.sign(payload)}`, {
      ...this.attributes(req),
      maxAge: this.hours * 3600_000,
    });
  }

  clear(res: Response, req: Request): void {
    res.clearCookie(SESSION_COOKIE, this.attributes(req));
  }

  /** The request's session, if its cookie is ours, intact and not expired. */
  read(req: Request): Session | undefined {
    const value = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!value) return undefined;
    const [payload, signature] = value.split('.', 2);
    if (!payload || !signature) return undefined;
    const expected = Buffer.from(this.sign(payload), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
      if (typeof session.expires !== 'number' || session.expires <= Date.now()) return undefined;
      return session;
    } catch {
      return undefined;
    }
  }

  /**
   * The console's form token for this session: bound to the cookie (an HMAC of its value), so
   * only a page we served to this browser knows it. Undefined without a valid session.
   */
  csrfToken(req: Request): string | undefined {
    if (!this.read(req)) return undefined;
    const value = cookieValue(req.headers.cookie, SESSION_COOKIE)!;
    return createHmac('sha256', this.secret).update(`csrf:${value}`).digest('base64url');
  }

  /** Whether a form's token is this session's. */
  csrfTokenMatches(req: Request, given: unknown): boolean {
    const expected = this.csrfToken(req);
    if (expected === undefined || typeof given !== 'string') return false;
    const a = Buffer.from(expected, 'utf8');
    const b = Buffer.from(given, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  private attributes(req: Request) {
    return {
      httpOnly: true,
      // A browser on the same machine talks plain HTTP to 127.0.0.1; anywhere else, TLS only.
      secure: req.secure || !isLoopback(req.socket.remoteAddress),
      sameSite: 'strict' as const,
      // The board (/admin) and the console (/, /runs …) share the login.
      path: '/',
    };
  }
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
