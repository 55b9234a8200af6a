import type { Reason } from './types.js';

/*
 * The plan CSV holds reasons in one cell, separated by "; ". A ";" inside a reason (a group
 * name, a directory's error text) would split it in two, so it is written as ",".
 */

function clean(text: string): string {
  return text.replaceAll(';', ',').replace(/\s+/g, ' ').trim();
}

/** One reason as a line an admin reads: `signal: rule (value …, threshold …)`. */
export function formatReason(reason: Reason): string {
  const details = [
    reason.value === undefined ? undefined : `value ${clean(reason.value)}`,
    reason.threshold === undefined ? undefined : `threshold ${clean(reason.threshold)}`,
  ].filter((d): d is string => d !== undefined);
  const line = `${clean(reason.signal)}: ${clean(reason.rule)}`;
  return details.length > 0 ? `${line} (${details.join(', ')})` : line;
}

/** All reasons of a verdict in one line, joined by "; " (the plan CSV's `reasons` cell). */
export function formatReasons(reasons: readonly Reason[]): string {
  return reasons.map(formatReason).join('; ');
}
