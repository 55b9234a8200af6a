import got, { HTTPError, type Got } from 'got';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { directoryRetry } from '../directory-retry.js';
import { printable, unavailable } from '../scim/scim-http.js';
import type { SourceAuth } from '../source-credentials.js';

export interface SourceHttpOptions {
  /** The source's name, for error messages. */
  source: string;
  auth: SourceAuth;
  /** One request's time limit. */
  timeoutMs: number;
  /** Retries of a request that failed with 408, 429, 5xx, a reset or a timeout. */
  retries: number;
  /** The first retry's delay; each further retry waits twice as long. */
  retryDelayMs: number;
}

/**
 * GETs against an HR system (JSON or CSV), with time limits, retries and typed failures: every
 * failure is a {@link DirectoryUnavailableError} naming the source and the URL, never a secret.
 */
export class SourceHttp {
  private readonly http: Got;

  constructor(private readonly options: SourceHttpOptions) {
    this.http = got.extend({
      headers: options.auth.header ? { authorization: options.auth.header } : {},
      timeout: { request: options.timeoutMs },
      retry: directoryRetry(options.retries, options.retryDelayMs),
      throwHttpErrors: true,
    });
  }

  /** The parsed JSON body; undefined for a 404 when `notFoundIsAbsent` (a look-up). */
  async json(url: string, notFoundIsAbsent = false): Promise<unknown> {
    const text = await this.text(url, 'application/json', notFoundIsAbsent);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.failure('bad-response', `response is not JSON (GET ${printable(url)})`);
    }
  }

  /** The body as text; undefined for a 404 when `notFoundIsAbsent`. */
  async text(url: string, accept: string, notFoundIsAbsent = false): Promise<string | undefined> {
    this.checkConfigured();
    try {
      return (await this.http.get(url, { headers: { accept } })).body;
    } catch (error) {
      if (notFoundIsAbsent && error instanceof HTTPError && error.response.statusCode === 404)
        return undefined;
      throw unavailable(error, { ...this.options, url }, url);
    }
  }

  failure(kind: 'bad-response' | 'config', detail: string): DirectoryUnavailableError {
    return new DirectoryUnavailableError(this.options.source, kind, detail);
  }

  private checkConfigured(): void {
    if (this.options.auth.problem) throw this.failure('config', this.options.auth.problem);
  }
}
