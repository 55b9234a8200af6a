import { ABSENT, type DirectoryAnswer, type DirectoryEntry } from '../directory-answer.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { ScimHttp, type ScimHttpOptions } from './scim-http.js';
import { answerForScimUser } from './scim-list-response.js';
import { matchByOf, type MatchBy, type MatchSetting } from '../match-key.js';
import { scimMatch, type ScimMatch } from './scim-match.js';
import { queryString, scimString } from './scim-query.js';

export interface ScimProviderOptions extends Omit<ScimHttpOptions, 'source'> {
  name: string;
  /** Accounts per page of the bulk listing (SCIM `count`); the server may send fewer. */
  pageSize: number;
  /** Lookups in flight at once. @defaultValue 4 */
  lookupConcurrency?: number;
  /** What Jira users are matched by (`match`). @defaultValue 'username' */
  match?: MatchSetting;
  /** The SCIM attribute compared with the Jira username under `match: attribute`. */
  matchAttribute?: string;
}

/** A SCIM 2.0 service provider (RFC 7643 / 7644): Okta, Entra ID, OneLogin, an HR system. */
export class ScimDirectoryProvider implements DirectoryProvider {
  readonly name: string;
  readonly matchBy: MatchBy;
  private readonly http: ScimHttp;
  private readonly match: ScimMatch;
  /** Only these attributes are asked for: a bulk listing of a large directory stays small. */
  private readonly attributes: string;

  constructor(private readonly options: ScimProviderOptions) {
    this.name = options.name;
    this.matchBy = matchByOf(options.match ?? 'username');
    this.match = scimMatch(options.match, options.matchAttribute);
    this.attributes = [...new Set(['userName', 'active', this.match.path])].join(',');
    this.http = new ScimHttp({ ...options, source: options.name });
  }

  /**
   * Pages through `/Users` with `startIndex` / `count`. The listing must reach the
   * `totalResults` the server announced: a listing that ends early would make the missing
   * accounts look absent.
   */
  async *loadAll(): AsyncIterable<DirectoryEntry> {
    let startIndex = 1;
    let listed = 0;
    for (;;) {
      const page = await this.http.list(
        'Users',
        queryString({ startIndex, count: this.options.pageSize, attributes: this.attributes }),
      );
      // An account without the matched attribute cannot be matched: no Jira user is it.
      for (const user of page.Resources) {
        const answer = answerForScimUser(user);
        for (const value of this.match.valuesOf(user)) yield { userName: value, answer };
      }
      listed += page.Resources.length;
      startIndex += page.Resources.length;
      if (startIndex > page.totalResults) return;
      if (page.Resources.length === 0) {
        throw new DirectoryUnavailableError(
          this.name,
          'bad-response',
          `the listing ended after ${listed} of ${page.totalResults} accounts`,
        );
      }
    }
  }

  async lookup(usernames: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    const answers = new Map<string, DirectoryAnswer>();
    const queue = [...new Set(usernames)];
    const worker = async () => {
      for (let username = queue.shift(); username !== undefined; username = queue.shift()) {
        try {
          answers.set(username, await this.lookupOne(username));
        } catch (error) {
          queue.length = 0; // one failure fails the lookup: stop asking
          throw error;
        }
      }
    };
    const concurrency = Math.max(1, Math.min(this.options.lookupConcurrency ?? 4, queue.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    return answers;
  }

  /** One account by the matched attribute (`userName eq "…"`, `emails.value eq "…"`, …). */
  private async lookupOne(key: string): Promise<DirectoryAnswer> {
    const page = await this.http.list(
      'Users',
      queryString({ filter: `${this.match.path} eq ${scimString(key)}`, attributes: this.attributes }),
    );
    // Compared case-insensitively; a server that ignores the filter must not match others.
    const wanted = key.toLowerCase();
    const found = page.Resources.filter((user) =>
      this.match.valuesOf(user).some((value) => value.toLowerCase() === wanted),
    );
    // Two accounts with one e-mail: an active one wins, as in the bulk listing.
    const answers = found.map(answerForScimUser);
    return answers.find((a) => a.status === 'active') ?? answers[0] ?? ABSENT;
  }
}
