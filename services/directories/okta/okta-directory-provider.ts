import { ABSENT, type DirectoryAnswer, type DirectoryEntry } from '../directory-answer.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { IdpHttp, type Authorizer } from '../idp/idp-http.js';
import { lookupEach } from '../idp/lookup-each.js';
import { checkNextPage } from '../idp/next-page.js';
import { matchAttributeOf } from '../idp/match-setting.js';
import { idpHttpOptionsOf, type IdpProviderOptions } from '../idp/idp-provider-options.js';
import { matchByOf, type MatchBy } from '../match-key.js';
import { parseBody } from '../idp/parse-body.js';
import { sameKey, stringAt } from '../idp/read-path.js';
import { resolveSecret, type SecretSetting } from '../idp/secret.js';
import {
  answerForOktaUser,
  nextLink,
  oktaRateLimitWaitMs,
  oktaString,
  oktaUsersPageSchema,
  type OktaUser,
} from './okta-user.js';

export interface OktaProviderOptions extends IdpProviderOptions {
  /** The Okta org, e.g. `https://example.okta.com`. */
  url: string;
  /** The API token (`Authorization: SSWS …`), or the variable that holds it. */
  token: SecretSetting;
  /** Users per page (`limit`, at most 200). */
  pageSize: number;
}

/** Profile attributes Okta's `filter` can match; any other needs `search`. */
const FILTERABLE = new Set(['login', 'email', 'firstName', 'lastName']);

/**
 * Okta's Users API. The listing pages with `limit` and the `after` cursor of the Link header's
 * `rel="next"` URL. Okta leaves DEPROVISIONED users out of a plain listing, so they are
 * listed by a second, filtered pass: a deactivated account is a leaver, not a stranger.
 */
export class OktaDirectoryProvider implements DirectoryProvider {
  readonly name: string;
  readonly matchBy: MatchBy;
  private readonly http: IdpHttp;
  private readonly base: string;
  /** The profile attribute the matching key is read from. */
  private readonly keyAttribute: string;
  private token: string | undefined;

  constructor(private readonly options: OktaProviderOptions) {
    this.name = options.name;
    this.matchBy = matchByOf(options.match);
    this.base = options.url.replace(/\/+$/, '');
    this.keyAttribute = matchAttributeOf(options, { username: 'login', email: 'email' }).replace(
      /^profile\./,
      '',
    );
    this.http = new IdpHttp({
      ...idpHttpOptionsOf(options),
      rateLimitWaitMs: (headers) => oktaRateLimitWaitMs(headers),
      secrets: () => (this.token ? [this.token] : []),
    });
  }

  async *loadAll(): AsyncIterable<DirectoryEntry> {
    const limit = `limit=${this.options.pageSize}`;
    yield* this.entries(`${this.base}/api/v1/users?${limit}`);
    const deprovisioned = encodeURIComponent('status eq "DEPROVISIONED"');
    yield* this.entries(`${this.base}/api/v1/users?filter=${deprovisioned}&${limit}`);
  }

  async lookup(keys: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    return lookupEach(keys, this.options.lookupConcurrency ?? 4, (key) => this.lookupOne(key));
  }

  /**
   * `filter` reads Okta's current data but compares case-sensitively; `search` ignores case
   * but reads an index that lags a little. A user is absent only when neither finds them.
   */
  private async lookupOne(key: string): Promise<DirectoryAnswer> {
    const expression = encodeURIComponent(`profile.${this.keyAttribute} eq ${oktaString(key)}`);
    const ways = FILTERABLE.has(this.keyAttribute) ? ['filter', 'search'] : ['search'];
    for (const parameter of ways) {
      const users = await this.page(`${this.base}/api/v1/users?${parameter}=${expression}&limit=10`);
      // A server that ignores the expression must not make a stranger match.
      const match = users.users.find((user) => sameKey(this.keyOf(user), key));
      if (match) return answerForOktaUser(match);
    }
    return ABSENT;
  }

  private async *entries(first: string): AsyncIterable<DirectoryEntry> {
    const seen = new Set<string>([first]);
    for (let url: string | undefined = first; url !== undefined;) {
      const page = await this.page(url);
      for (const user of page.users) {
        const key = this.keyOf(user);
        if (key !== undefined) yield { userName: key, answer: answerForOktaUser(user) };
      }
      url = page.next;
      if (url !== undefined) checkNextPage(this.name, this.base, url, seen);
    }
  }

  private async page(url: string): Promise<{ users: OktaUser[]; next: string | undefined }> {
    const response = await this.http.get(url, {}, this.authorizer());
    const users = parseBody(oktaUsersPageSchema, response.body, this.name, 'an Okta list of users', url);
    return { users, next: nextLink(response.headers) };
  }

  /** The next page must be on the same org (the token goes with it) and not one already read. */
  private keyOf(user: OktaUser): string | undefined {
    return stringAt(user.profile, this.keyAttribute);
  }

  private authorizer(): Authorizer {
    return {
      header: async () => {
        this.token ??= resolveSecret(this.name, this.options.token, 'token');
        return `SSWS ${this.token}`;
      },
    };
  }
}
