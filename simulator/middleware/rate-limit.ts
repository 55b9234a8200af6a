import type { RequestHandler, Response } from 'express';
import { sendJiraError } from '../jira-error.js';
import type { TokenBucket } from './token-bucket.js';

/** Jira's rate-limit headers, describing the bucket as it is now. */
export function setRateLimitHeaders(res: Response, bucket: TokenBucket): void {
  res.setHeader('X-RateLimit-Limit', String(bucket.capacity));
  res.setHeader('X-RateLimit-Remaining', String(bucket.remaining));
  res.setHeader('X-RateLimit-FillRate', String(bucket.fillRate));
  res.setHeader('X-RateLimit-Interval-Seconds', '1');
}

/** Takes a token per request: headers on every response, 429 with Retry-After when the bucket is empty. */
export function rateLimit(bucket: TokenBucket): RequestHandler {
  return (_req, res, next) => {
    const outcome = bucket.take();
    setRateLimitHeaders(res, bucket);
    if (outcome.allowed) {
      // Jira sends 0 while tokens remain.
      res.setHeader('Retry-After', '0');
      next();
      return;
    }
    res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
    sendJiraError(res, 429, ['Rate limit exceeded.']);
  };
}
