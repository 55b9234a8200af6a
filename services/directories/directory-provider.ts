import type { DirectoryAnswer, DirectoryEntry } from './directory-answer.js';
import type { MatchBy } from './match-key.js';

/**
 * An external directory that knows who still works for the company (SCIM, LDAP, Okta, Entra
 * ID, an HR export…). Implementations throw {@link DirectoryUnavailableError} when the
 * directory cannot answer; they never turn a failure into "absent".
 */
export interface DirectoryProvider {
  /** The source's name as the plan shows it (`directories.sources[].name`, else its type). */
  readonly name: string;

  /**
   * The Jira-side value this source is matched by (from its `match`): the Jira username, or
   * the Jira e-mail address. Every key handed to {@link lookup}, and every
   * {@link DirectoryEntry.userName} listed, is such a value; the provider compares it with
   * its own attribute (username, e-mail or `matchAttribute`) case-insensitively.
   */
  readonly matchBy: MatchBy;

  /**
   * Looks up a handful of keys (Jira usernames or e-mail addresses, as {@link matchBy} says)
   * one by one. The map has an entry for every key asked, keyed as asked; a key the directory
   * does not know is `absent`.
   */
  lookup(keys: readonly string[]): Promise<Map<string, DirectoryAnswer>>;

  /**
   * Lists every account once, for a run: far fewer requests than one lookup per Jira user.
   * Each entry is keyed by the account's value of the matched attribute (an account with
   * several, e.g. several e-mail addresses, may be listed once per value).
   * Absent when the directory cannot be listed; a run then looks users up page by page.
   */
  loadAll?(): AsyncIterable<DirectoryEntry>;
}
