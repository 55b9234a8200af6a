import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { printableUrl } from './idp-http.js';

/**
 * A next-page URL the provider handed back must stay on the API's own origin (the credential
 * goes with it) and must not be one already read (a listing that loops never ends).
 */
export function checkNextPage(source: string, base: string, next: string, seen: Set<string>): void {
  let sameOrigin: boolean;
  try {
    sameOrigin = new URL(next).origin === new URL(base).origin;
  } catch {
    sameOrigin = false;
  }
  if (!sameOrigin) {
    throw new DirectoryUnavailableError(source, 'bad-response', `the next page is on another host (${next})`);
  }
  if (seen.has(next)) {
    throw new DirectoryUnavailableError(
      source,
      'bad-response',
      `the listing loops: the next page was already read (${printableUrl(next)})`,
    );
  }
  seen.add(next);
}
