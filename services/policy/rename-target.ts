import { utcCompactDate } from './days.js';
import type { UserFacts } from './types.js';

/**
 * The new username of an offboarded user, from `policy.rename.pattern`.
 *
 * Placeholders: `{username}` (the current username), `{key}` (Jira's immutable user key) and
 * `{yyyyMMdd}` (the UTC date of the run's `asOf`, so a re-run of the same run names the
 * user the same way). Any other text, including unknown placeholders, is kept as written.
 */
export function renameTarget(pattern: string, user: Pick<UserFacts, 'name' | 'key'>, asOf: Date): string {
  const values: Record<string, string> = {
    username: user.name,
    key: user.key,
    yyyyMMdd: utcCompactDate(asOf),
  };
  return pattern.replace(
    /\{(username|key|yyyyMMdd)\}/g,
    (_match, placeholder: string) => values[placeholder]!,
  );
}
