import { z } from 'zod';
import type { PresentAnswer } from '../directory-answer.js';

/*
 * The parts of a SCIM ListResponse (RFC 7644 §3.4.2) and User (RFC 7643 §4.1) Reclaim reads.
 * A directory's answer is untrusted input: a malformed page fails the load instead of
 * silently dropping accounts, which would make them look absent.
 */

// Loose: a source matched by e-mail or another attribute reads more than these two.
const scimUserSchema = z.looseObject({
  userName: z.string().min(1),
  // Some servers send the flag as a string; an unreadable value is not evidence of a leaver.
  active: z.unknown().optional(),
});

export const listResponseSchema = z.object({
  totalResults: z.int().min(0),
  startIndex: z.int().optional(),
  itemsPerPage: z.int().optional(),
  // RFC 7644: "Resources" may be left out when there are no results.
  Resources: z.array(scimUserSchema).default([]),
});

export type ListResponse = z.infer<typeof listResponseSchema>;
export type ScimUser = z.infer<typeof scimUserSchema>;

/**
 * `active: false` is the only evidence of a disabled account. `active` is optional in SCIM:
 * an account listed without it is present, and so not a leaver.
 */
export function answerForScimUser(user: ScimUser): PresentAnswer {
  const active = typeof user.active === 'string' ? user.active.trim().toLowerCase() : user.active;
  if (active === false || active === 'false') return { status: 'disabled', attribute: 'active=false' };
  if (active === true || active === 'true') return { status: 'active', attribute: 'active=true' };
  return { status: 'active', attribute: 'listed without a readable active attribute' };
}
