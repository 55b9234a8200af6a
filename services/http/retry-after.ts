/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds: delta-seconds or an HTTP date; undefined
 * when missing or unreadable. Shared by every HTTP adapter (Jira, the identity providers).
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1_000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
