import { createHash } from 'node:crypto';
import { stateKey } from '../../queues/connection.js';

/*
 * The notify service's Redis keys, each with an end:
 * - `mail-sent:{jobId}`: a message went out (or was logged); a retry or a re-queued duplicate
 *   of the same message id finds it and sends nothing. Expires after MAIL_SENT_TTL_SECONDS,
 *   longer than BullMQ keeps the job itself.
 * - `warning:{digest of the user key}`: the warning a user was given and its grace date;
 *   expires WARNING_KEEP_DAYS after the grace ends.
 */

export const MAIL_SENT_TTL_SECONDS = 35 * 24 * 3600;
export const WARNING_KEEP_DAYS = 90;

export function mailSentKey(prefix: string, messageId: string): string {
  return stateKey(prefix, 'mail-sent', messageId);
}

export function warningKey(prefix: string, userKey: string): string {
  return stateKey(prefix, 'warning', createHash('sha256').update(userKey).digest('base64url').slice(0, 22));
}
