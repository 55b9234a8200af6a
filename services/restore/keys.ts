import { createHash } from 'node:crypto';
import { stateKey } from '../../queues/connection.js';

/*
 * The Redis keys of the restore work, owned by this module's users alone. Every one ends:
 * - `restore:seat-lock`: string — held while a restore or grant checks and takes seats, so two
 *   of them never both take the last free seat (a token, PX {@link SEAT_LOCK_MS}).
 * - `restore:seat-wait:{application}`: string — the episode of requests waiting for a seat of
 *   that application, so the admins get one alert per episode (EX {@link SEAT_WAIT_TTL_SECONDS},
 *   renewed while requests wait; removed when none is left waiting).
 * - `restore:login-signature:{sha256}`: string — a login-webhook signature already accepted, so a
 *   replay is refused (EX {@link SIGNATURE_TTL_SECONDS}: longer than the tolerance a timestamp
 *   is accepted for, after which the timestamp alone refuses it).
 */

export const SEAT_LOCK_MS = 30_000;
export const SEAT_WAIT_TTL_SECONDS = 7 * 24 * 3600;
/** A signed login event is accepted this long after its timestamp (and as long before). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
export const SIGNATURE_TTL_SECONDS = 2 * SIGNATURE_TOLERANCE_SECONDS;

export function restoreKeys(prefix: string) {
  return {
    seatLock: stateKey(prefix, 'restore', 'seat-lock'),
    seatWait: (application: string) => stateKey(prefix, 'restore', 'seat-wait', application),
    loginSignature: (signature: string) =>
      stateKey(prefix, 'restore', 'login-signature', createHash('sha256').update(signature).digest('hex')),
  };
}
