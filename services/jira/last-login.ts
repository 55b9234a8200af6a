import type { LastLogin } from './types.js';

/*
 * Reading last-login facts. Jira writes `lastLoginTime` as ISO-8601 with a `±hhmm` offset
 * (`2023-08-30T16:37:01+1000`), which `Date.parse` does not accept everywhere; `+10:00` and `Z`
 * occur too (proxies, newer versions), so all three are read here.
 */

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** The instant of a Jira `lastLoginTime`; undefined when the text is not a zoned ISO-8601 date-time. */
export function parseLastLoginTime(text: string): Date | undefined {
  const match = ISO_DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '0', zone = 'Z'] = match;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const localAsUtc = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    millis,
  );
  const date = new Date(localAsUtc);
  // Date.UTC rolls 2023-02-31 over into March; Jira never writes such a date, so reject it.
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  return new Date(localAsUtc - offsetMinutes(zone) * 60_000);
}

function offsetMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0'));
}

/** A `lastLoginTime` value (string: known; null: never) as a LastLogin. */
export function lastLoginFromField(value: string | null): LastLogin {
  if (value === null) return { status: 'never', source: 'user-field' };
  const at = parseLastLoginTime(value);
  return at
    ? { status: 'known', at, source: 'user-field' }
    : { status: 'unknown', reason: `Jira's lastLoginTime "${value}" is not a date-time` };
}

/** The Crowd attribute that records interactive logins. */
export const LAST_LOGIN_ATTRIBUTE = 'login.lastLoginMillis';

/**
 * Last login from a user's Crowd attributes. `lastAuthenticated` is deliberately ignored: every
 * REST call authenticated as the user moves it, so a bot or integration would look active.
 */
export function lastLoginFromCrowdAttributes(attributes: ReadonlyMap<string, readonly string[]>): LastLogin {
  const values = attributes.get(LAST_LOGIN_ATTRIBUTE);
  if (values === undefined || values.length === 0) return { status: 'never', source: 'crowd-attributes' };
  const millis = Number(values[0]);
  if (!Number.isFinite(millis) || millis <= 0) {
    return {
      status: 'unknown',
      reason: `Crowd attribute ${LAST_LOGIN_ATTRIBUTE} is "${values[0]}", not epoch ms`,
    };
  }
  return { status: 'known', at: new Date(millis), source: 'crowd-attributes' };
}
