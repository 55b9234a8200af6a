import type { Request } from 'express';

/**
 * A state-changing request carried by a cookie must come from a page of ours: its Origin (or,
 * failing that, its Referer) must be this host. A request with neither is refused too — every
 * browser sends Origin on a cross-origin POST, and our own pages send it on every POST.
 */
export function isSameOrigin(req: Request): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const expected = `${req.protocol}://${host}`.toLowerCase();
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') return origin.toLowerCase() === expected;
  const referer = req.headers.referer;
  if (typeof referer === 'string') {
    try {
      return new URL(referer).origin.toLowerCase() === expected;
    } catch {
      return false;
    }
  }
  return false;
}

export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
