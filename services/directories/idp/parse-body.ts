import type { z } from 'zod';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { printableUrl } from './idp-http.js';

/**
 * A response body read with its schema. A page that is not what the API documents fails the
 * load instead of silently dropping accounts, which would make them look absent.
 */
export function parseBody<T>(
  schema: z.ZodType<T>,
  body: unknown,
  source: string,
  what: string,
  url: string,
): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = issue?.path.join('.') || 'body';
  throw new DirectoryUnavailableError(
    source,
    'bad-response',
    `not ${what}: ${at}: ${issue?.message ?? 'invalid'} (${printableUrl(url)})`,
  );
}
