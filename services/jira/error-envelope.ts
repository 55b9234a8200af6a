import { parseRetryAfter } from '../http/retry-after.js';
import {
  JiraBadRequestError,
  JiraForbiddenError,
  JiraNotFoundError,
  JiraRateLimitError,
  JiraReadOnlyDirectoryError,
  JiraUnauthorizedError,
  JiraUnexpectedResponseError,
  type JiraError,
  type JiraErrorDetails,
  type RateLimitHeaders,
} from './errors.js';

/** Used when a 429 carries no usable `Retry-After`: long enough for a token bucket to refill a little. */
export const DEFAULT_RETRY_AFTER_MS = 5_000;
const MIN_RATE_LIMIT_WAIT_MS = 1_000;

export interface JiraErrorBody {
  messages: string[];
  fieldErrors: Record<string, string>;
}

/**
 * Jira's `{"errorMessages": [...], "errors": {...}}`, tolerating anything else a proxy or an
 * older endpoint may send instead (HTML, plain text, Crowd's `{"reason", "message"}`).
 */
export function parseErrorBody(text: string): JiraErrorBody {
  const messages: string[] = [];
  const fieldErrors: Record<string, string> = {};
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object') {
    const body = parsed as Record<string, unknown>;
    if (Array.isArray(body.errorMessages)) {
      messages.push(...body.errorMessages.filter((m): m is string => typeof m === 'string'));
    }
    if (body.errors && typeof body.errors === 'object') {
      for (const [field, message] of Object.entries(body.errors as Record<string, unknown>)) {
        if (typeof message === 'string') fieldErrors[field] = message;
      }
    }
    if (typeof body.message === 'string' && messages.length === 0) messages.push(body.message);
  } else if (text && text.length <= 300 && !text.trimStart().startsWith('<')) {
    messages.push(text.trim());
  }
  return { messages, fieldErrors };
}

// Jira's English text is "Cannot edit user, the user directory is read-only."; other languages
// and other operations (delete, group changes) word it differently, so match loosely.
const READ_ONLY_DIRECTORY = /read[- ]?only/i;

type HeaderValue = string | string[] | undefined;

/** Maps a non-2xx, non-5xx response to its typed error. */
export function errorForResponse(
  status: number,
  body: JiraErrorBody,
  headers: Record<string, HeaderValue>,
  request: { method: string; path: string },
): JiraError {
  const details: JiraErrorDetails = { ...request, status, ...body };
  switch (status) {
    case 400: {
      const all = [...body.messages, ...Object.values(body.fieldErrors)];
      return all.some((m) => READ_ONLY_DIRECTORY.test(m))
        ? new JiraReadOnlyDirectoryError(details)
        : new JiraBadRequestError(details);
    }
    case 401:
      return new JiraUnauthorizedError({
        ...details,
        deniedReason: firstHeader(headers['x-authentication-denied-reason']),
      });
    case 403:
      return new JiraForbiddenError(details);
    case 404:
      return new JiraNotFoundError(details);
    case 429:
      return new JiraRateLimitError({
        ...details,
        retryAfterMs: rateLimitWaitMs(firstHeader(headers['retry-after'])),
        rateLimit: parseRateLimitHeaders(headers),
      });
    default:
      return new JiraUnexpectedResponseError(details, `Jira answered with status ${status}`);
  }
}

/**
 * How long a 429 asks to wait. Jira sends `Retry-After: 0` while tokens remain, which on a 429
 * would mean "retry at once": a 1 s floor keeps a paused queue from spinning.
 */
export function rateLimitWaitMs(value: string | undefined): number {
  const parsed = parseRetryAfter(value);
  return parsed === undefined ? DEFAULT_RETRY_AFTER_MS : Math.max(MIN_RATE_LIMIT_WAIT_MS, parsed);
}

function parseRateLimitHeaders(headers: Record<string, HeaderValue>): RateLimitHeaders {
  const number = (name: string): number | undefined => {
    const value = Number(firstHeader(headers[name]));
    return firstHeader(headers[name]) === undefined || Number.isNaN(value) ? undefined : value;
  };
  const result: RateLimitHeaders = {};
  const limit = number('x-ratelimit-limit');
  const remaining = number('x-ratelimit-remaining');
  const intervalSeconds = number('x-ratelimit-interval-seconds');
  const fillRate = number('x-ratelimit-fillrate');
  if (limit !== undefined) result.limit = limit;
  if (remaining !== undefined) result.remaining = remaining;
  if (intervalSeconds !== undefined) result.intervalSeconds = intervalSeconds;
  if (fillRate !== undefined) result.fillRate = fillRate;
  return result;
}

function firstHeader(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
