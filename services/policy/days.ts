/*
 * Date arithmetic of the policy. A "day" is exactly 24 hours counted back from `asOf`, so the
 * result does not depend on the time zone of the machine that evaluates, nor on DST.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant `days` days before `asOf`. */
export function daysBefore(asOf: Date, days: number): Date {
  return new Date(asOf.getTime() - days * DAY_MS);
}

/** The instant `days` days after `at`. */
export function daysAfter(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/**
 * True when `at` lies more than `days` days before `asOf`: exactly `days` days is not more,
 * one millisecond earlier is.
 */
export function isMoreThanDaysBefore(at: Date, asOf: Date, days: number): boolean {
  return at.getTime() < daysBefore(asOf, days).getTime();
}

/** `yyyyMMdd` of the UTC calendar date of `at`. */
export function utcCompactDate(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll('-', '');
}
