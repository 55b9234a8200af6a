/** Why a directory could not answer. */
export type DirectoryFailureKind = 'http-status' | 'timeout' | 'network' | 'bad-response' | 'configuration';

/**
 * The directory could not answer (after the client's own retries). Its message is written for
 * the run record and the plan: it names the source and what went wrong, never a secret.
 */
export class DirectoryUnavailableError extends Error {
  override readonly name = 'DirectoryUnavailableError';

  constructor(
    readonly source: string,
    readonly kind: DirectoryFailureKind,
    detail: string,
    /** The HTTP status, for `http-status`. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}
