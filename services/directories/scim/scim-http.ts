import got, { HTTPError, ParseError, RequestError, TimeoutError, type Got } from 'got';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { directoryRetry } from '../directory-retry.js';
import { listResponseSchema, type ListResponse } from './scim-list-response.js';

export interface ScimHttpOptions {
  /** The source's name, for error messages. */
  source: string;
  /** The SCIM base URL, e.g. `https://idp.example.com/scim/v2`. */
  url: string;
  /** Bearer token. */
  token?: string;
  /** One request's time limit. */
  timeoutMs: number;
  /** Retries of a request that failed with 408, 429, 5xx, a reset or a timeout. */
  retries: number;
  /** The first retry's delay; each further retry waits twice as long. */
  retryDelayMs: number;
}

/** Query parameters that carry a credential (`?api_key=…`, `?access_token=…`, `?sig=…`). */
const SECRET_PARAM = /key|token|secret|password|passwd|sig|auth/i;

/** The URL as it may appear in a message: without credentials, in its user part or its query. */
export function printable(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()])
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '***');
  return parsed.toString();
}

function attemptsOf(error: RequestError): string {
  const attempts = (error.request?.retryCount ?? 0) + 1;
  return attempts > 1 ? `, ${attempts} attempts` : '';
}

export function unavailable(
  error: unknown,
  options: ScimHttpOptions,
  url: string,
): DirectoryUnavailableError {
  const where = `GET ${printable(url)}`;
  const { source } = options;
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const text = `${status} ${error.response.statusMessage ?? ''}`.trim();
    return new DirectoryUnavailableError(
      source,
      'http-status',
      `request failed: ${text} (${where}${attemptsOf(error)})`,
      status,
      { cause: error },
    );
  }
  if (error instanceof TimeoutError) {
    return new DirectoryUnavailableError(
      source,
      'timeout',
      `request timed out after ${options.timeoutMs} ms (${where}${attemptsOf(error)})`,
      undefined,
      { cause: error },
    );
  }
  if (error instanceof ParseError) {
    return new DirectoryUnavailableError(
      source,
      'bad-response',
      `response is not JSON (${where})`,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (error instanceof RequestError) {
    return new DirectoryUnavailableError(
      source,
      'network',
      `request failed: ${error.code ?? error.message} (${where}${attemptsOf(error)})`,
      undefined,
      { cause: error },
    );
  }
  return new DirectoryUnavailableError(
    source,
    'network',
    `request failed: ${String(error)} (${where})`,
    undefined,
    {
      cause: error,
    },
  );
}

/** GETs of SCIM list responses, with time limits, retries and typed failures. */
export class ScimHttp {
  private readonly http: Got;
  private readonly base: string;

  constructor(private readonly options: ScimHttpOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.http = got.extend({
      headers: {
        accept: 'application/scim+json, application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      timeout: { request: options.timeoutMs },
      retry: directoryRetry(options.retries, options.retryDelayMs),
      responseType: 'json',
      throwHttpErrors: true,
    });
  }

  /** GET `{url}/{path}?{query}` and read it as a ListResponse. */
  async list(path: string, query: string): Promise<ListResponse> {
    const url = `${this.base}/${path}?${query}`;
    let body: unknown;
    try {
      body = (await this.http.get(url)).body;
    } catch (error) {
      throw unavailable(error, this.options, url);
    }
    const parsed = listResponseSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue?.path.join('.') || 'body';
      throw new DirectoryUnavailableError(
        this.options.source,
        'bad-response',
        `not a SCIM ListResponse: ${at}: ${issue?.message ?? 'invalid'} (GET ${printable(url)})`,
      );
    }
    return parsed.data;
  }
}
