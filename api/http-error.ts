/** An error with its HTTP status and a stable code, rendered as `{error: {code, message, details?}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  static badRequest(field: string, message: string): HttpError {
    return new HttpError(400, 'bad_request', `${field}: ${message}`, { field });
  }

  /** The resource existed and was removed on purpose (e.g. a plan taken by retention). */
  static gone(message: string): HttpError {
    return new HttpError(410, 'gone', message);
  }

  static notFound(what: string): HttpError {
    return new HttpError(404, 'not_found', `${what} not found`);
  }
}
