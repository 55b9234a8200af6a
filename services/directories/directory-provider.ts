import type { DirectoryAnswer, DirectoryEntry } from './directory-answer.js';

/**
 * An external directory that knows who still works for the company (SCIM, LDAP, Okta, Entra
 * ID, an HR export…). Implementations throw {@link DirectoryUnavailableError} when the
 * directory cannot answer; they never turn a failure into "absent".
 */
export interface DirectoryProvider {
  /** The source's name as the plan shows it (`directories.sources[].name`, else its type). */
  readonly name: string;

  /**
   * Looks up a handful of usernames one by one. The map has an entry for every username
   * asked, keyed as asked; a username the directory does not know is `absent`.
   */
  lookup(usernames: readonly string[]): Promise<Map<string, DirectoryAnswer>>;

  /**
   * Lists every account once, for a run: far fewer requests than one lookup per Jira user.
   * Absent when the directory cannot be listed; a run then looks users up page by page.
   */
  loadAll?(): AsyncIterable<DirectoryEntry>;
}
