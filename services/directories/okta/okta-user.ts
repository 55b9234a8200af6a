import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { PresentAnswer } from '../directory-answer.js';

/*
 * The parts of an Okta user (Users API, /api/v1/users) Reclaim reads: its lifecycle `status`
 * and its `profile`, where the matching key lives (`login`, `email`, or a custom attribute).
 */

export const oktaUsersPageSchema = z.array(
  z.object({
    id: z.string().min(1),
    status: z.string().optional(),
    profile: z.record(z.string(), z.unknown()),
  }),
);

export type OktaUser = z.infer<typeof oktaUsersPageSchema>[number];

/** Still with the company: the account exists and can (or will be able to) sign in. */
const PRESENT = new Set(['ACTIVE', 'PROVISIONED', 'STAGED', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT']);
/** Switched off by an administrator or a deprovisioning workflow. */
const DISABLED = new Set(['SUSPENDED', 'DEPROVISIONED']);

/**
 * SUSPENDED and DEPROVISIONED are the evidence of a leaver. A status Okta may add later is
 * not: the account is listed, so it is present.
 */
export function answerForOktaUser(user: OktaUser): PresentAnswer {
  const status = user.status?.trim().toUpperCase();
  if (status !== undefined && DISABLED.has(status))
    return { status: 'disabled', attribute: `status=${status}` };
  if (status !== undefined && PRESENT.has(status)) return { status: 'active', attribute: `status=${status}` };
  return { status: 'active', attribute: `listed with status=${status ?? '(none)'}, taken as present` };
}

/** The `rel="next"` URL of a Link header, if any. */
export function nextLink(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers.link;
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  if (!value) return undefined;
  for (const part of value.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /\brel\s*=\s*"?next"?/i.test(match[2]!)) return match[1];
  }
  return undefined;
}

/**
 * How long an Okta 429 asks to wait: until `X-Rate-Limit-Reset` (epoch seconds), measured
 * against the server's own clock (`Date`) so that a skewed local clock neither hammers nor stalls.
 */
export function oktaRateLimitWaitMs(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const reset = headers['x-rate-limit-reset'];
  if (typeof reset !== 'string' || !/^\d+$/.test(reset.trim())) return undefined;
  const serverNow = typeof headers.date === 'string' ? Date.parse(headers.date) : Number.NaN;
  const base = Number.isNaN(serverNow) ? now : serverNow;
  return Math.max(0, Number(reset) * 1000 - base);
}

/** A quoted string of an Okta filter or search expression: `"` and `\` escaped. */
export function oktaString(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
