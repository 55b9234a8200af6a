import { createHmac, timingSafeEqual } from 'node:crypto';
import { restoreKeys, SIGNATURE_TOLERANCE_SECONDS, SIGNATURE_TTL_SECONDS } from './keys.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * The login webhook's signature: `X-Reclaim-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">` under `api.loginWebhookSecret`. Accepted once: the signature must match
 * (compared in constant time), its timestamp be within five minutes of now, and it must not have
 * been accepted before (a replay cache in Redis that outlives the tolerance).
 */

export const SIGNATURE_HEADER = 'x-reclaim-signature';

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/** The header's value for a body (what a sender computes; tests and scripts use it). */
export function signLoginEvent(
  secret: string,
  body: string | Buffer,
  unixSeconds = Math.floor(Date.now() / 1000),
): string {
  return `t=${unixSeconds},v1=${hmac(secret, String(unixSeconds), Buffer.from(body))}`;
}

/** Over the body's bytes as they came: two bodies never share a signature, whatever their encoding. */
function hmac(secret: string, unixSeconds: string, body: Buffer): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.`, 'utf8').update(body).digest('hex');
}

function parseHeader(header: string): { t: string; v1: string[] } | undefined {
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (name === 't') t = value;
    else if (name === 'v1') v1.push(value);
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}

/** Checks the signature of a raw body; an accepted one is remembered, so it is accepted once. */
export async function verifyLoginSignature(
  redis: RedisClient,
  prefix: string,
  secret: string,
  header: string | undefined,
  rawBody: Buffer,
  now = Date.now(),
): Promise<SignatureVerdict> {
  const parsed = header === undefined ? undefined : parseHeader(header);
  if (parsed === undefined || !/^\d{1,12}$/.test(parsed.t)) {
    return { ok: false, reason: 'missing or malformed X-Reclaim-Signature (t=<unix seconds>,v1=<hex>)' };
  }
  const expected = Buffer.from(hmac(secret, parsed.t, rawBody), 'hex');
  // Every candidate is compared, whichever matches: the time taken says nothing about which.
  let matched: string | undefined;
  for (const candidate of parsed.v1) {
    const given = /^[0-9a-f]{64}$/i.test(candidate)
      ? Buffer.from(candidate, 'hex')
      : Buffer.alloc(expected.length);
    const equal = timingSafeEqual(given, expected) && given.length === expected.length;
    if (equal && /^[0-9a-f]{64}$/i.test(candidate)) matched ??= candidate.toLowerCase();
  }
  if (matched === undefined) return { ok: false, reason: 'the signature does not match' };
  const age = Math.abs(now / 1000 - Number(parsed.t));
  if (age > SIGNATURE_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: `the signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from now`,
    };
  }
  const fresh = await redis.set(
    restoreKeys(prefix).loginSignature(`${parsed.t}.${matched}`),
    '1',
    'EX',
    SIGNATURE_TTL_SECONDS,
    'NX',
  );
  if (fresh !== 'OK') return { ok: false, reason: 'this signature was accepted before (a replay)' };
  return { ok: true };
}
