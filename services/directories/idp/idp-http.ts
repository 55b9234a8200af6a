import { parseRetryAfter } from '../../http/retry-after.js';
import type { IncomingHttpHeaders } from 'node:http';
import got, { HTTPError, ParseError, RequestError, TimeoutError } from 'got';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';

/*
 * JSON over HTTP for the identity providers' REST APIs (Okta, Microsoft Graph, Google's Admin
 * SDK) and their token endpoints. The retry loop is ours, not got's, because each provider
 * says differently how long a rate limit lasts, and because an OAuth token refused with 401
 * is renewed once before the request counts as failed. Every failure becomes a
 * DirectoryUnavailableError whose message names the request and never a credential: the got
 * error (it holds the request's headers and form) is not kept as the cause.
 */

export interface IdpHttpOptions {
  /** The source's name, for error messages. */
  source: string;
  /** One request's time limit. */
  timeoutMs: number;
  /** Retries of a request that failed with 408, 5xx, a reset or a timeout. */
  retries: number;
  /** The first retry's delay; each further retry waits twice as long. */
  retryDelayMs: number;
  /** The longest wait a rate limit (429) may ask for; a longer one fails. @defaultValue 60000 */
  maxRateLimitWaitMs?: number;
  /** How long a 429 asks to wait (ms), from the provider's own headers; else `Retry-After`. */
  rateLimitWaitMs?: (headers: IncomingHttpHeaders) => number | undefined;
  /** Strings that must never appear in a message (tokens, secrets). */
  secrets?: () => readonly string[];
}

/** The credential of a request: an Authorization header, renewable after a 401 when `renew` is set. */
export interface Authorizer {
  header(): Promise<string>;
  /** Forgets a header the server refused, so the next `header()` fetches a fresh one. */
  renew?(refused: string): void;
}

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: IncomingHttpHeaders;
}

const RETRIED_STATUSES = new Set([408, 500, 502, 503, 504]);
/** Rate limits waited out in one request before it counts as failed. */
const MAX_RATE_LIMIT_WAITS = 5;

/** The URL as it may appear in a message: without credentials in it. */
export function printableUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `Retry-After` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const value = headers['retry-after'];
  return parseRetryAfter(typeof value === 'string' ? value : undefined, now);
}

/** An error response's body as JSON when it is JSON, else as it came. */
function parsedBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** What the server said went wrong, from the usual JSON error shapes, in one short line. */
function errorDetail(body: unknown): string | undefined {
  const value = parsedBody(body);
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const nested = typeof o.error === 'object' && o.error !== null ? (o.error as Record<string, unknown>) : {};
  // Okta: errorSummary; OAuth: error + error_description; Graph and Google: error.message.
  const parts = [
    text(o.errorSummary),
    text(o.error),
    text(o.error_description)?.split(/\r?\n/)[0],
    text(nested.code),
    text(nested.message),
  ].filter((p): p is string => p !== undefined);
  if (parts.length === 0) return undefined;
  const line = parts.join(': ');
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export class IdpHttp {
  constructor(private readonly options: IdpHttpOptions) {}

  /**
   * GET a JSON document. A status in `allow` (say 404 for a user that does not exist) is
   * returned as an answer instead of failing.
   */
  get(
    url: string,
    headers: Record<string, string> = {},
    auth?: Authorizer,
    allow: readonly number[] = [],
  ): Promise<JsonResponse> {
    return this.send('GET', url, headers, undefined, auth, allow);
  }

  /** POST a form (a token request) and read the JSON answer. */
  postForm(url: string, form: Record<string, string>): Promise<JsonResponse> {
    return this.send('POST', url, {}, form, undefined, []);
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    form: Record<string, string> | undefined,
    auth: Authorizer | undefined,
    allow: readonly number[],
  ): Promise<JsonResponse> {
    let failures = 0;
    let rateLimits = 0;
    let renewed = false;
    for (;;) {
      const authorization = auth ? await auth.header() : undefined;
      try {
        const response = await got(url, {
          method,
          headers: {
            accept: 'application/json',
            ...headers,
            ...(authorization ? { authorization } : {}),
          },
          ...(form ? { form } : {}),
          timeout: { request: this.options.timeoutMs },
          retry: { limit: 0 },
          followRedirect: false,
          responseType: 'json',
          throwHttpErrors: true,
        });
        return { status: response.statusCode, body: response.body, headers: response.headers };
      } catch (error) {
        const attempts = failures + rateLimits + (renewed ? 1 : 0) + 1;
        if (error instanceof HTTPError) {
          const status = error.response.statusCode;
          if (allow.includes(status)) {
            return { status, body: parsedBody(error.response.body), headers: error.response.headers };
          }
          if (status === 401 && auth?.renew && authorization && !renewed) {
            renewed = true;
            auth.renew(authorization);
            continue;
          }
          if (status === 429) {
            const wait = this.rateLimitWait(error.response.headers, rateLimits);
            if (wait !== undefined && rateLimits < MAX_RATE_LIMIT_WAITS) {
              rateLimits++;
              await sleep(wait);
              continue;
            }
          }
          if (RETRIED_STATUSES.has(status) && failures < this.options.retries) {
            await sleep(this.backoff(failures++));
            continue;
          }
          throw this.httpFailure(error, method, url, attempts, form !== undefined);
        }
        const transient = error instanceof RequestError && !(error instanceof ParseError);
        if (transient && failures < this.options.retries) {
          await sleep(this.backoff(failures++));
          continue;
        }
        throw this.failure(error, method, url, attempts);
      }
    }
  }

  private backoff(failures: number): number {
    return this.options.retryDelayMs * 2 ** failures;
  }

  /**
   * How long to wait out a 429: what the server asks for, else a back-off that grows with each
   * 429 of this request; undefined when it asks for longer than allowed.
   */
  private rateLimitWait(headers: IncomingHttpHeaders, rateLimits: number): number | undefined {
    const asked =
      this.options.rateLimitWaitMs?.(headers) ?? retryAfterMs(headers) ?? this.backoff(rateLimits);
    const limit = this.options.maxRateLimitWaitMs ?? 60_000;
    return asked > limit ? undefined : Math.max(0, asked);
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of this.options.secrets?.() ?? []) {
      if (secret.length >= 4) out = out.split(secret).join('***');
    }
    return out;
  }

  private httpFailure(
    error: HTTPError,
    method: string,
    url: string,
    attempts: number,
    tokenRequest: boolean,
  ): DirectoryUnavailableError {
    const status = error.response.statusCode;
    const where = this.where(method, url, attempts);
    const detail = errorDetail(error.response.body);
    const text = `${status} ${error.response.statusMessage ?? ''}`.trim() + (detail ? `: ${detail}` : '');
    let message: string;
    // A token endpoint refuses bad credentials with 400 (invalid_grant) as well as 401.
    if (tokenRequest && status >= 400 && status < 500 && status !== 408 && status !== 429)
      message = `authentication failed at the token endpoint: ${text} (${where})`;
    else if (status === 401 || status === 403) message = `authentication failed: ${text} (${where})`;
    else if (status === 429) message = `rate limited for longer than allowed: ${text} (${where})`;
    else message = `request failed: ${text} (${where})`;
    return new DirectoryUnavailableError(this.options.source, 'http-status', this.redact(message), status);
  }

  private failure(error: unknown, method: string, url: string, attempts: number): DirectoryUnavailableError {
    const where = this.where(method, url, attempts);
    const { source } = this.options;
    if (error instanceof TimeoutError) {
      return new DirectoryUnavailableError(
        source,
        'timeout',
        `request timed out after ${this.options.timeoutMs} ms (${where})`,
      );
    }
    if (error instanceof ParseError) {
      return new DirectoryUnavailableError(source, 'bad-response', `response is not JSON (${where})`);
    }
    const code = error instanceof RequestError ? (error.code ?? error.message) : String(error);
    return new DirectoryUnavailableError(
      source,
      'network',
      this.redact(`request failed: ${code} (${where})`),
    );
  }

  private where(method: string, url: string, attempts: number): string {
    return this.redact(`${method} ${printableUrl(url)}${attempts > 1 ? `, ${attempts} attempts` : ''}`);
  }
}
