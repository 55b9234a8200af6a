import http from 'node:http';
import https from 'node:https';
import got, { RequestError, TimeoutError, type Method } from 'got';
import { backoffDelay } from './backoff.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { errorForResponse, parseErrorBody } from './error-envelope.js';
import {
  JiraConnectionError,
  JiraRateLimitError,
  JiraServerError,
  JiraTimeoutError,
  JiraUnexpectedResponseError,
  type JiraError,
} from './errors.js';

/** Either a personal access token (Bearer) or a username and password (Basic). */
export type JiraCredentials = { token: string } | { username: string; password: string };

/** Told about every HTTP attempt, retries included, so callers can count Jira requests. */
export interface JiraRequestEvent {
  method: string;
  /** Path and query relative to the base URL. */
  path: string;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
}

/** How one HTTP attempt ended: Jira's status, or `error` for a timeout or a lost connection. */
export interface JiraResponseEvent extends JiraRequestEvent {
  status: number | 'error';
}

export interface JiraHttpOptions {
  baseUrl: string;
  credentials: JiraCredentials;
  /** @defaultValue 30_000 */
  timeoutMs?: number;
  /** Retries after a 5xx, a reset or a timeout (never after a 429). @defaultValue 2 */
  retries?: number;
  /** Upper bound of the first retry delay; later ones double. @defaultValue 250 */
  retryBaseDelayMs?: number;
  /** No retry starts once this much time has passed since the first attempt. @defaultValue 60_000 */
  retryBudgetMs?: number;
  /** Open connections kept per host. @defaultValue 16 */
  maxSockets?: number;
  /**
   * Awaited before every HTTP attempt, retries and in-place 429 waits included: where the
   * shared ceiling of requests per second and the run's count of Jira requests sit, so that
   * each holds for what Jira actually receives. An error thrown here fails the request unsent.
   */
  beforeAttempt?: (event: JiraRequestEvent) => Promise<void>;
  /** Told about every HTTP attempt (after `beforeAttempt`), e.g. to count requests in memory. */
  onRequest?: (event: JiraRequestEvent) => void;
  /** Told how every HTTP attempt ended (a status, or `error` when no response came), for metrics. */
  onResponse?: (event: JiraResponseEvent) => void;
  /**
   * Asked on a 429: true makes the request wait for `Retry-After` and try again in place (for a
   * long job, such as a scan, that a paused queue cannot help), false hands the 429 to the caller.
   * @defaultValue never waits
   */
  waitOnRateLimit?: () => boolean;
}

/** How long one request may spend waiting out 429s in place, in all. */
const RATE_LIMIT_WAIT_BUDGET_MS = 10 * 60_000;

export type QueryValue = string | number | boolean | undefined;

export interface JiraRequest {
  method: Method;
  /** Under the base URL, starting with `/`; path segments already encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Credentials for this request instead of the client's (Jira's Crowd API takes application credentials). */
  credentials?: JiraCredentials;
}

export interface JiraResponse {
  status: number;
  /** Parsed JSON; undefined for an empty body. */
  body: unknown;
}

const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Jira's HTTP transport: authentication, encoding, keep-alive, timeouts, retries of transient
 * failures, and Jira's error envelope turned into typed errors. Knows no endpoint.
 */
export class JiraHttp {
  readonly baseUrl: string;
  private readonly credentials: JiraCredentials;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryBudgetMs: number;
  private readonly beforeAttempt: ((event: JiraRequestEvent) => Promise<void>) | undefined;
  private readonly onRequest: ((event: JiraRequestEvent) => void) | undefined;
  private readonly onResponse: ((event: JiraResponseEvent) => void) | undefined;
  private readonly waitOnRateLimit: (() => boolean) | undefined;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private attempts = 0;

  constructor(options: JiraHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 2;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 250;
    this.retryBudgetMs = options.retryBudgetMs ?? 60_000;
    this.beforeAttempt = options.beforeAttempt;
    this.onRequest = options.onRequest;
    this.onResponse = options.onResponse;
    this.waitOnRateLimit = options.waitOnRateLimit;
    const maxSockets = options.maxSockets ?? 16;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets }),
    };
  }

  /** HTTP attempts sent so far, retries included. */
  get requestCount(): number {
    return this.attempts;
  }

  async request(request: JiraRequest): Promise<JiraResponse> {
    const path = request.path + encodeQuery(request.query);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const event = { method: request.method, path, attempt };
      await this.beforeAttempt?.(event);
      this.attempts++;
      this.onRequest?.(event);
      let outcome;
      try {
        outcome = await this.attempt(request, path, attempt);
        this.onResponse?.({
          ...event,
          status: 'retryable' in outcome ? statusOf(outcome.retryable) : outcome.status,
        });
      } catch (error) {
        this.onResponse?.({ ...event, status: statusOf(error) });
        const waitInPlace =
          error instanceof JiraRateLimitError &&
          this.waitOnRateLimit?.() === true &&
          Date.now() + error.retryAfterMs - started < RATE_LIMIT_WAIT_BUDGET_MS;
        if (!waitInPlace) throw error;
        await sleep(error.retryAfterMs);
        // A rate-limited try is not a failed one: it does not use up a retry.
        attempt -= 1;
        continue;
      }
      if (!('retryable' in outcome)) return outcome;
      const delay = Math.max(
        backoffDelay(attempt, { baseDelayMs: this.retryBaseDelayMs, maxDelayMs: MAX_RETRY_DELAY_MS }),
        Math.min(outcome.retryAfterMs ?? 0, MAX_RETRY_DELAY_MS),
      );
      const withinBudget = Date.now() + delay - started < this.retryBudgetMs;
      if (attempt > this.retries || !withinBudget) throw outcome.retryable;
      await sleep(delay);
    }
  }

  /**
   * One GET whose answer is handed over chunk by chunk as it arrives (a body too large to hold,
   * or one that is not JSON: `accept` says what is asked for). Counted and limited like any
   * request, but tried once: a consumer has already acted on the chunks of a broken attempt,
   * so the caller decides what a failure means. `consume` is awaited before the next chunk.
   */
  async stream(
    request: Omit<JiraRequest, 'method' | 'body'> & { accept: string },
    consume: (chunk: string) => Promise<void> | void,
  ): Promise<void> {
    const path = request.path + encodeQuery(request.query);
    const where = { method: 'GET', path };
    const event = { ...where, attempt: 1 };
    await this.beforeAttempt?.(event);
    this.attempts++;
    this.onRequest?.(event);
    const body = got.stream(this.baseUrl + path, {
      method: 'GET',
      headers: {
        accept: request.accept,
        authorization: authorizationHeader(request.credentials ?? this.credentials),
      },
      agent: this.agents,
      // Waiting for the answer, and then for each chunk, not for the whole body: it may be long.
      timeout: { response: this.timeoutMs, socket: this.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
    });
    try {
      const response = await new Promise<{ statusCode: number; headers: http.IncomingHttpHeaders }>(
        (resolve, reject) => {
          body.once('response', resolve);
          body.once('error', reject);
        },
      );
      const status = response.statusCode;
      if (status < 200 || status >= 300) {
        let text = '';
        for await (const chunk of body) text += String(chunk);
        const errorBody = parseErrorBody(text);
        throw status >= 500
          ? new JiraServerError({ ...where, status, ...errorBody, attempts: 1 })
          : errorForResponse(status, errorBody, response.headers, where);
      }
      body.setEncoding('utf8');
      for await (const chunk of body) await consume(chunk as string);
      this.onResponse?.({ ...event, status });
    } catch (error) {
      body.destroy();
      this.onResponse?.({ ...event, status: statusOf(error) });
      if (error instanceof TimeoutError) {
        throw new JiraTimeoutError({ ...where, attempts: 1, timeoutMs: this.timeoutMs, cause: error });
      }
      if (error instanceof RequestError) {
        throw new JiraConnectionError({ ...where, attempts: 1, code: error.code, cause: error });
      }
      throw error;
    }
  }

  /** Ends the kept-alive connections; the client cannot be used afterwards. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async attempt(
    request: JiraRequest,
    path: string,
    attempt: number,
  ): Promise<JiraResponse | { retryable: JiraError; retryAfterMs?: number }> {
    const where = { method: request.method, path };
    let response;
    try {
      response = await got(this.baseUrl + path, {
        method: request.method,
        headers: {
          accept: 'application/json',
          authorization: authorizationHeader(request.credentials ?? this.credentials),
          // Jira's XSRF check rejects some non-GET REST calls from browser-like clients without it.
          'x-atlassian-token': 'no-check',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        agent: this.agents,
        timeout: { request: this.timeoutMs },
        // Retries are ours: got would also retry a 429, which must reach the queue's rate limiter.
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
      });
    } catch (error) {
      if (error instanceof TimeoutError) {
        return {
          retryable: new JiraTimeoutError({
            ...where,
            attempts: attempt,
            timeoutMs: this.timeoutMs,
            cause: error,
          }),
        };
      }
      const code = error instanceof RequestError ? error.code : undefined;
      return { retryable: new JiraConnectionError({ ...where, attempts: attempt, code, cause: error }) };
    }

    const { statusCode: status, body: text, headers } = response;
    if (status >= 200 && status < 300) {
      try {
        return { status, body: text.trim() === '' ? undefined : JSON.parse(text) };
      } catch (cause) {
        throw new JiraUnexpectedResponseError(
          { ...where, status, cause },
          'Jira answered with a body that is not JSON',
        );
      }
    }
    const errorBody = parseErrorBody(text);
    if (status >= 500) {
      const retryAfterMs = parseRetryAfter(firstHeader(headers['retry-after']));
      return {
        retryable: new JiraServerError({ ...where, status, ...errorBody, attempts: attempt }),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    throw errorForResponse(status, errorBody, headers, where);
  }
}

/** Every key and value percent-encoded (`%20` for a space, `%2B` for `+`), in the order given. */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const pairs = Object.entries(query)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
}

function authorizationHeader(credentials: JiraCredentials): string {
  if ('token' in credentials) return `Bearer ${credentials.token}`;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** The HTTP status behind a typed Jira error, or `error` when Jira never answered. */
function statusOf(error: unknown): number | 'error' {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : 'error';
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
