import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import { ZodError } from 'zod';
import { JiraNotConfiguredError } from '../runtime/app.js';
import {
  JiraBadRequestError,
  JiraForbiddenError,
  JiraNotFoundError,
  JiraRateLimitError,
  JiraUnauthorizedError,
} from '../services/jira/errors.js';

/** Errors that another attempt cannot fix: fail at once, with the reason. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof ZodError ||
    error instanceof JiraNotConfiguredError ||
    error instanceof JiraUnauthorizedError ||
    error instanceof JiraForbiddenError ||
    error instanceof JiraNotFoundError ||
    error instanceof JiraBadRequestError
  );
}

export interface FailureHandling {
  /** Called once when the job will not be tried again (permanent error or attempts used up). */
  onFinalFailure?(error: Error): Promise<void>;
}

/**
 * Runs a job's work and maps what it throws onto BullMQ: Jira's 429 pauses the whole queue for
 * `Retry-After` and puts the job back without spending an attempt; a permanent error fails it
 * without retries; anything else is retried with the queue's backoff.
 */
export async function asJobOutcome<T>(
  job: Job,
  queue: Queue,
  signal: AbortSignal,
  work: () => Promise<T>,
  handling: FailureHandling = {},
): Promise<T> {
  try {
    return await work();
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    if (signal.aborted) throw error;
    if (error instanceof JiraRateLimitError) {
      await queue.rateLimit(error.retryAfterMs);
      throw Worker.RateLimitError();
    }
    const permanent = isPermanent(error);
    const lastAttempt = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (lastAttempt) await handling.onFinalFailure?.(error);
    throw permanent ? new UnrecoverableError(error.message) : error;
  }
}
