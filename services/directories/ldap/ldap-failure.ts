import { InvalidCredentialsError, ResultCodeError } from 'ldapts';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';

/*
 * An LDAP failure as the run record shows it: the source, what was attempted and what went
 * wrong — never the bind password (it is scrubbed from anything the server or the client
 * library wrote, in case either echoes it).
 */

export interface FailureContext {
  source: string;
  /** The server, without credentials. */
  server: string;
  /** The secret to keep out of every message. */
  secret?: string | undefined;
  timeoutMs: number;
}

/** `ldaps://dc1.example.com:636` as it may appear in a message: no user, no password. */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the configured url';
  }
}

function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

/** What `step` (e.g. "bind as cn=reclaim,…", "search under dc=…") failed with, typed. */
export function ldapFailure(error: unknown, step: string, ctx: FailureContext): DirectoryUnavailableError {
  const where = `${step} on ${ctx.server}`;
  const raw = error instanceof Error ? error.message : String(error);
  const detail = scrub(raw, ctx.secret).split('\n')[0]!.trim();
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const options = { cause: error };
  if (error instanceof InvalidCredentialsError)
    return new DirectoryUnavailableError(
      ctx.source,
      'auth',
      `${where} refused: invalid credentials (LDAP result 49); check bindDN and the bind password`,
      undefined,
      options,
    );
  if (error instanceof ResultCodeError)
    return new DirectoryUnavailableError(
      ctx.source,
      step.startsWith('bind') ? 'auth' : 'ldap-result',
      `${where} failed: LDAP result ${error.code}${detail ? ` (${detail})` : ''}`,
      undefined,
      options,
    );
  if (/timed? ?out/i.test(raw))
    return new DirectoryUnavailableError(
      ctx.source,
      'timeout',
      `${where} timed out after ${ctx.timeoutMs} ms`,
      undefined,
      options,
    );
  return new DirectoryUnavailableError(
    ctx.source,
    'network',
    `${where} failed: ${typeof code === 'string' ? code : detail || 'connection failed'}`,
    undefined,
    options,
  );
}
