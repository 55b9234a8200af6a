import type { RetryOptions } from 'got';

/** Retried: the directory may answer the next time. 4xx other than 408/429 are not. */
export const RETRIED_STATUSES = [408, 429, 500, 502, 503, 504];

/**
 * got's retry policy for a directory's GETs: `retries` retries of 408, 429, 5xx, a reset or a
 * timeout. A server's Retry-After is honoured; otherwise our own, shorter back-off, starting at
 * `retryDelayMs` and doubling with each retry.
 */
export function directoryRetry(retries: number, retryDelayMs: number): Partial<RetryOptions> {
  return {
    limit: retries,
    methods: ['GET'],
    statusCodes: RETRIED_STATUSES,
    calculateDelay: ({ computedValue, attemptCount, error }) => {
      if (computedValue === 0) return 0;
      if (error.response?.headers['retry-after'] !== undefined) return computedValue;
      return retryDelayMs * 2 ** (attemptCount - 1);
    },
  };
}
