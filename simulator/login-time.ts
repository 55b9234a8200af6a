/**
 * Jira renders lastLoginTime as ISO-8601 with a `±hhmm` offset ("2023-08-30T16:37:01+1000")
 * and keeps the offset the login was recorded with. The store keeps the instant (epoch ms)
 * and the offset (minutes) apart, so a million users cost two typed-array slots each.
 */
export interface LoginTime {
  epochMs: number;
  offsetMinutes: number;
}

const ISO_WITH_OFFSET = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})$/;

/** Parses an ISO-8601 date-time that carries a zone (`Z`, `+10:00` or `+1000`); undefined if invalid. */
export function parseLoginTime(text: string): LoginTime | undefined {
  const match = ISO_WITH_OFFSET.exec(text);
  if (!match) return undefined;
  const [, local, zone] = match as unknown as [string, string, string];
  const localAsUtc = Date.parse(`${local}Z`);
  if (Number.isNaN(localAsUtc)) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return { epochMs: localAsUtc - offsetMinutes * 60_000, offsetMinutes };
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Formats an instant the way Jira does: local time at the offset, then `±hhmm`. */
export function formatLoginTime(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const millis = local.getUTCMilliseconds();
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    (millis ? `.${pad(millis, 3)}` : '') +
    `${sign}${pad(Math.floor(absolute / 60))}${pad(absolute % 60)}`
  );
}
