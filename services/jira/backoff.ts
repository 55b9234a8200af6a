/*
 * Delays between the client's own retries (5xx, resets, timeouts). "Full jitter": a random
 * delay up to the exponential bound, so many workers that failed together do not retry together.
 */

export interface BackoffOptions {
  /** Upper bound of the first delay. */
  baseDelayMs: number;
  /** No single delay is longer than this. */
  maxDelayMs: number;
}

/** Delay before retry number `retry` (1 = the first retry). */
export function backoffDelay(
  retry: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const bound = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(bound * random());
}
