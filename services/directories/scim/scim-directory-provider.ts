import { ABSENT, type DirectoryAnswer, type DirectoryEntry } from '../directory-answer.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { ScimHttp, type ScimHttpOptions } from './scim-http.js';
import { answerForScimUser } from './scim-list-response.js';
import { queryString, userNameFilter } from './scim-query.js';

export interface ScimProviderOptions extends Omit<ScimHttpOptions, 'source'> {
  name: string;
  /** Accounts per page of the bulk listing (SCIM `count`); the server may send fewer. */
  pageSize: number;
  /** Lookups in flight at once. @defaultValue 4 */
  lookupConcurrency?: number;
}

/** Only these attributes are asked for: a bulk listing of a large directory stays small. */
const ATTRIBUTES = 'userName,active';

/** A SCIM 2.0 service provider (RFC 7643 / 7644): Okta, Entra ID, OneLogin, an HR system. */
export class ScimDirectoryProvider implements DirectoryProvider {
  readonly name: string;
  private readonly http: ScimHttp;

  constructor(private readonly options: ScimProviderOptions) {
    this.name = options.name;
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
        queryString({ startIndex, count: this.options.pageSize, attributes: ATTRIBUTES }),
      );
      for (const user of page.Resources) yield { userName: user.userName, answer: answerForScimUser(user) };
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

  private async lookupOne(username: string): Promise<DirectoryAnswer> {
    const page = await this.http.list(
      'Users',
      queryString({ filter: userNameFilter(username), attributes: ATTRIBUTES }),
    );
    // userName is case-insensitive in SCIM; a server that ignores the filter must not match others.
    const match = page.Resources.find((user) => user.userName.toLowerCase() === username.toLowerCase());
    return match ? answerForScimUser(match) : ABSENT;
  }
}
