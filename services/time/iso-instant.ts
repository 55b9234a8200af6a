import { z } from 'zod';

/*
 * The one reading of a time given by a person (`--as-of`, `asOf` in the API,
 * `policy.existingUsersSeenSince`): an ISO-8601 instant with its offset, or a bare date taken
 * as 00:00 UTC. A local time without an offset is refused: read on a server in another time
 * zone it would name another instant, and a verdict counted from it could shift by a day.
 */

/** How far a "now" may lie ahead of this machine's clock: other machines' clocks drift. */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

const EXAMPLES = 'e.g. 2026-11-29T00:00:00Z, 2026-11-29T02:00+02:00, or 2026-11-29 (00:00 UTC)';
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export type IsoInstantResult = { ok: true; instant: Date } | { ok: false; problem: string };

export interface IsoInstantOptions {
  /** Refuse an instant after now (plus the clock-skew allowance). */
  notInFuture?: boolean;
  /** @defaultValue new Date() */
  now?: Date;
}

/** Parses `value`; the problem, when there is one, is worded to follow the field's name. */
export function parseIsoInstant(value: string, options: IsoInstantOptions = {}): IsoInstantResult {
  const instant = readInstant(value.trim());
  if (typeof instant === 'string') return { ok: false, problem: instant };
  const now = options.now ?? new Date();
  if (options.notInFuture && instant.getTime() > now.getTime() + CLOCK_SKEW_ALLOWANCE_MS) {
    return {
      ok: false,
      problem:
        `${instant.toISOString()} is in the future (now is ${now.toISOString()}, with ` +
        `${CLOCK_SKEW_ALLOWANCE_MS / 60_000} minutes allowed for clock skew): a run can only look back`,
    };
  }
  return { ok: true, instant };
}

/** A zod string that must be such an instant; it parses to its canonical form (UTC, `Z`). */
export function isoInstantString(options: Omit<IsoInstantOptions, 'now'> = {}) {
  return z
    .string({ error: `expected an ISO-8601 time with an offset, ${EXAMPLES}` })
    .transform((value, ctx) => {
      const parsed = parseIsoInstant(value, options);
      if (parsed.ok) return parsed.instant.toISOString();
      ctx.addIssue({ code: 'custom', message: parsed.problem, input: value });
      return z.NEVER;
    });
}

function readInstant(value: string): Date | string {
  const date = DATE.exec(value);
  if (date) return instantOf(value, date[1]!, date[2]!, date[3]!, '00', '00', undefined, undefined, 'Z');
  const time = DATE_TIME.exec(value);
  if (!time) return `expected an ISO-8601 time with an offset, ${EXAMPLES}; got "${value}"`;
  const [, year, month, day, hour, minute, second, fraction, offset] = time;
  if (offset === undefined) {
    return (
      `"${value}" is a local time without an offset, which names a different instant in each ` +
      `time zone: add Z (UTC) or the offset meant, e.g. "${value}Z" or "${value}+02:00"`
    );
  }
  return instantOf(value, year!, month!, day!, hour!, minute!, second, fraction, offset);
}

function instantOf(
  value: string,
  year: string,
  month: string,
  day: string,
  hour: string,
  minute: string,
  second: string | undefined,
  fraction: string | undefined,
  offset: string,
): Date | string {
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second ?? '0'].map(Number) as number[];
  const ms = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  const offsetMinutes = offsetMinutesOf(offset);
  const valid =
    mo! >= 1 &&
    mo! <= 12 &&
    d! >= 1 &&
    d! <= daysInMonth(y!, mo!) &&
    h! <= 23 &&
    mi! <= 59 &&
    s! <= 59 &&
    offsetMinutes !== undefined;
  if (!valid) return `"${value}" is not a real date and time`;
  const instant = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0–99 as 1900–1999.
  instant.setUTCFullYear(y!, mo! - 1, d!);
  instant.setUTCHours(h!, mi!, s!, ms);
  return new Date(instant.getTime() - offsetMinutes! * 60_000);
}

/** `Z`, `+02:00`, `-0530` → minutes east of UTC; undefined when out of range. */
function offsetMinutesOf(offset: string): number | undefined {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  const end = new Date(0);
  end.setUTCFullYear(year, month, 0);
  return end.getUTCDate();
}
