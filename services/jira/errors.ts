/*
 * Typed errors of the Jira client, one class per way a request can end badly, so callers
 * branch on the class (a queue pauses on JiraRateLimitError, an action records "not possible"
 * on JiraReadOnlyDirectoryError) instead of on status codes or message text.
 */

export interface JiraErrorDetails {
  method: string;
  /** Path and query relative to the base URL; credentials never travel in it. */
  path: string;
  /** HTTP status; absent when no response arrived (timeout, connection failure). */
  status?: number;
  /** Jira's `errorMessages`. */
  messages?: string[];
  /** Jira's `errors`: field name → message. */
  fieldErrors?: Record<string, string>;
  cause?: unknown;
}

export class JiraError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly messages: string[];
  readonly fieldErrors: Record<string, string>;

  constructor(summary: string, details: JiraErrorDetails) {
    const jiraSays = [...(details.messages ?? []), ...Object.values(details.fieldErrors ?? {})];
    const status = details.status === undefined ? '' : ` → ${details.status}`;
    super(
      `${summary}: ${details.method} ${details.path}${status}${jiraSays.length ? `: ${jiraSays.join('; ')}` : ''}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = new.target.name;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.messages = details.messages ?? [];
    this.fieldErrors = details.fieldErrors ?? {};
  }
}

/** 404: the user, group or endpoint does not exist. */
export class JiraNotFoundError extends JiraError {
  constructor(details: JiraErrorDetails) {
    super('Jira found no such resource', details);
  }
}

/** 401: the token or password was not accepted. */
export class JiraUnauthorizedError extends JiraError {
  /** `X-Authentication-Denied-Reason`, e.g. `CAPTCHA_CHALLENGE` after repeated failed logins. */
  readonly deniedReason: string | undefined;

  constructor(details: JiraErrorDetails & { deniedReason?: string }) {
    super('Jira did not accept the credentials', details);
    this.deniedReason = details.deniedReason;
  }
}

/** 403: authenticated, but not allowed to do this. */
export class JiraForbiddenError extends JiraError {
  constructor(details: JiraErrorDetails, summary = 'Jira refused the request (no permission)') {
    super(summary, details);
  }
}

/** The account Reclaim runs as lacks Jira's ADMINISTER global permission, which every change needs. */
export class JiraNotAdministratorError extends JiraForbiddenError {
  readonly username: string;

  constructor(username: string, details: JiraErrorDetails) {
    super(
      details,
      `The Jira account "${username}" is not a Jira administrator (global permission ADMINISTER); ` +
        'Reclaim needs an administrator account or its personal access token',
    );
    this.username = username;
  }
}

/** 400: Jira rejected the request's content; `fieldErrors` names the fields. */
export class JiraBadRequestError extends JiraError {
  constructor(details: JiraErrorDetails, summary = 'Jira rejected the request') {
    super(summary, details);
  }
}

/**
 * 400 because the user lives in a directory Jira cannot write (LDAP/AD, Crowd read-only).
 * Retrying cannot help; the change has to be made in the directory itself.
 */
export class JiraReadOnlyDirectoryError extends JiraBadRequestError {
  constructor(details: JiraErrorDetails) {
    super(details, "The user's directory is read-only in Jira");
  }
}

/** Rate-limit headers Jira DC sends with a 429 (any of them may be missing). */
export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  intervalSeconds?: number;
  fillRate?: number;
}

/**
 * 429: Jira's rate limiter said stop. Not retried inside the client: the queue layer pauses
 * the whole queue for `retryAfterMs`, which helps every worker at once.
 */
export class JiraRateLimitError extends JiraError {
  readonly retryAfterMs: number;
  readonly rateLimit: RateLimitHeaders;

  constructor(details: JiraErrorDetails & { retryAfterMs: number; rateLimit: RateLimitHeaders }) {
    super(`Jira is rate limiting (retry after ${details.retryAfterMs} ms)`, details);
    this.retryAfterMs = details.retryAfterMs;
    this.rateLimit = details.rateLimit;
  }
}

/** 5xx, still failing after the client's retries. */
export class JiraServerError extends JiraError {
  readonly attempts: number;

  constructor(details: JiraErrorDetails & { attempts: number }) {
    super(`Jira failed (${details.attempts} attempt(s))`, details);
    this.attempts = details.attempts;
  }
}

/** No complete response within the per-request timeout, still after the client's retries. */
export class JiraTimeoutError extends JiraError {
  readonly attempts: number;
  readonly timeoutMs: number;

  constructor(details: JiraErrorDetails & { attempts: number; timeoutMs: number }) {
    super(`Jira did not answer within ${details.timeoutMs} ms (${details.attempts} attempt(s))`, details);
    this.attempts = details.attempts;
    this.timeoutMs = details.timeoutMs;
  }
}

/** The connection failed or was reset, still after the client's retries. */
export class JiraConnectionError extends JiraError {
  readonly attempts: number;
  /** Node's error code, e.g. `ECONNRESET`, `ECONNREFUSED`. */
  readonly code: string | undefined;

  constructor(details: JiraErrorDetails & { attempts: number; code?: string }) {
    super(
      `Could not talk to Jira${details.code ? ` (${details.code})` : ''} (${details.attempts} attempt(s))`,
      details,
    );
    this.attempts = details.attempts;
    this.code = details.code;
  }
}

/** A status this client has no meaning for, or a body that is not the shape Jira documents. */
export class JiraUnexpectedResponseError extends JiraError {
  constructor(details: JiraErrorDetails, summary = 'Jira answered something unexpected') {
    super(summary, details);
  }
}
