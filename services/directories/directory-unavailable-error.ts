/**
 * Why a directory could not answer. `auth`: the directory refused our credentials (an LDAP
 * bind); `ldap-result`: an LDAP operation ended with an error result code; `config`: a
 * credential the source needs is missing or unreadable (an unset environment variable, a bad
 * key file).
 */
export type DirectoryFailureKind =
  'http-status' | 'timeout' | 'network' | 'bad-response' | 'auth' | 'ldap-result' | 'config';

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
