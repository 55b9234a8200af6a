import { z } from 'zod';
import type { PresentAnswer } from '../directory-answer.js';

/* The parts of the Admin SDK Directory API's answers Reclaim reads (users.list, users.get). */

const googleUserSchema = z.record(z.string(), z.unknown());

export const googleUsersPageSchema = z.object({
  users: z.array(googleUserSchema).default([]),
  nextPageToken: z.string().min(1).optional(),
});

export const googleUserGetSchema = googleUserSchema;

export type GoogleUser = z.infer<typeof googleUserSchema>;

/** `suspended` or `archived` is the evidence of a leaver; an account listed without them is present. */
export function answerForGoogleUser(user: GoogleUser): PresentAnswer {
  if (user.suspended === true) return { status: 'disabled', attribute: 'suspended=true' };
  if (user.archived === true) return { status: 'disabled', attribute: 'archived=true' };
  if (user.suspended === false) return { status: 'active', attribute: 'suspended=false' };
  return { status: 'active', attribute: 'listed without suspended' };
}

/** Google's 404 for a user it does not have, told apart from a 404 of a wrong URL. */
export function isUserNotFound(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: { code?: unknown; message?: unknown; errors?: { reason?: unknown }[] } })
    .error;
  if (typeof error !== 'object' || error === null) return false;
  return (
    error.code === 404 &&
    ((Array.isArray(error.errors) && error.errors.some((e) => e?.reason === 'notFound')) ||
      (typeof error.message === 'string' && /not found/i.test(error.message)))
  );
}
