import { ABSENT, type DirectoryAnswer, type DirectoryEntry } from '../directory-answer.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { AccessTokenCache } from '../idp/access-token-cache.js';
import { IdpHttp, printableUrl } from '../idp/idp-http.js';
import { lookupEach } from '../idp/lookup-each.js';
import { matchAttributeOf } from '../idp/match-setting.js';
import { idpHttpOptionsOf, type IdpProviderOptions } from '../idp/idp-provider-options.js';
import { matchByOf, type MatchBy } from '../match-key.js';
import { parseBody } from '../idp/parse-body.js';
import { tokenResponseSchema } from '../idp/token-response.js';
import { sameKey, stringAt } from '../idp/read-path.js';
import {
  DIRECTORY_READONLY_SCOPE,
  loadServiceAccount,
  signAssertion,
  type ServiceAccount,
  type ServiceAccountSetting,
} from './google-service-account.js';
import {
  answerForGoogleUser,
  googleUserGetSchema,
  googleUsersPageSchema,
  isUserNotFound,
  type GoogleUser,
} from './google-user.js';

export interface GoogleProviderOptions extends IdpProviderOptions, ServiceAccountSetting {
  /** The Workspace administrator the service account acts for (JWT `sub`). */
  subject: string;
  /** `my_customer`, or the account's customer id. */
  customer: string;
  /** The Admin SDK's base, e.g. `https://admin.googleapis.com`. */
  url: string;
  /** Users per page (`maxResults`, at most 500). */
  pageSize: number;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Google Workspace through the Admin SDK Directory API. The key is the account's
 * `primaryEmail` (for `username` and `email`), or a custom schema field `Schema.field`
 * (for `attribute`). A user that `users.get` does not find is absent.
 */
export class GoogleDirectoryProvider implements DirectoryProvider {
  readonly name: string;
  readonly matchBy: MatchBy;
  private readonly http: IdpHttp;
  private readonly base: string;
  private readonly tokens: AccessTokenCache;
  /** Set for a custom-schema key: the schema's name and the field's. */
  private readonly custom: { schema: string; field: string } | undefined;
  private account: ServiceAccount | undefined;

  constructor(private readonly options: GoogleProviderOptions) {
    this.name = options.name;
    this.matchBy = matchByOf(options.match);
    this.base = `${options.url.replace(/\/+$/, '')}/admin/directory/v1`;
    const attribute = matchAttributeOf(options, { username: 'primaryEmail', email: 'primaryEmail' });
    const [schema, field] = attribute.split('.');
    this.custom = attribute !== 'primaryEmail' && schema && field ? { schema, field } : undefined;
    this.tokens = new AccessTokenCache(() => this.fetchToken());
    this.http = new IdpHttp({
      ...idpHttpOptionsOf(options),
      secrets: () => (this.tokens.token ? [this.tokens.token] : []),
    });
  }

  async *loadAll(): AsyncIterable<DirectoryEntry> {
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    do {
      const url = `${this.base}/users?${this.query({
        customer: this.options.customer,
        maxResults: String(this.options.pageSize),
        fields: `nextPageToken,users(${this.fields()})`,
        ...(pageToken ? { pageToken } : {}),
      })}`;
      const page = parseBody(
        googleUsersPageSchema,
        (await this.http.get(url, {}, this.tokens)).body,
        this.name,
        'a Directory API list of users',
        url,
      );
      for (const user of page.users) {
        const key = this.keyOf(user);
        if (key !== undefined) yield { userName: key, answer: answerForGoogleUser(user) };
      }
      pageToken = page.nextPageToken;
      if (pageToken !== undefined && seenTokens.has(pageToken)) {
        throw new DirectoryUnavailableError(
          this.name,
          'bad-response',
          `the listing loops: the same nextPageToken came twice (${printableUrl(url)})`,
        );
      }
      if (pageToken !== undefined) seenTokens.add(pageToken);
    } while (pageToken !== undefined);
  }

  async lookup(keys: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    return lookupEach(keys, this.options.lookupConcurrency ?? 4, (key) =>
      this.custom ? this.lookupByField(key, this.custom) : this.lookupByEmail(key),
    );
  }

  /** users.get: found, or Google's own "not found". */
  private async lookupByEmail(key: string): Promise<DirectoryAnswer> {
    const url = `${this.base}/users/${encodeURIComponent(key)}?${this.query({ fields: this.fields() })}`;
    const response = await this.http.get(url, {}, this.tokens, [404]);
    if (response.status === 404) {
      if (isUserNotFound(response.body)) return ABSENT;
      throw new DirectoryUnavailableError(
        this.name,
        'http-status',
        `request failed: 404 that is not the Directory API's "user not found" (GET ${printableUrl(url)})`,
        404,
      );
    }
    const user = parseBody(googleUserGetSchema, response.body, this.name, 'a Directory API user', url);
    // users.get also finds a user by an alias: the same person, so present.
    return answerForGoogleUser(user);
  }

  /** users.list with `query=Schema.field='value'`; a value the query syntax cannot quote stays unknown. */
  private async lookupByField(
    key: string,
    custom: { schema: string; field: string },
  ): Promise<DirectoryAnswer | undefined> {
    if (/['\\]/.test(key)) return undefined;
    const url = `${this.base}/users?${this.query({
      customer: this.options.customer,
      query: `${custom.schema}.${custom.field}='${key}'`,
      fields: `nextPageToken,users(${this.fields()})`,
    })}`;
    const page = parseBody(
      googleUsersPageSchema,
      (await this.http.get(url, {}, this.tokens)).body,
      this.name,
      'a Directory API list of users',
      url,
    );
    const match = page.users.find((user) => sameKey(this.keyOf(user), key));
    return match ? answerForGoogleUser(match) : ABSENT;
  }

  /** projection, customFieldMask and the partial-response fields of every request. */
  private query(params: Record<string, string>): string {
    const all: Record<string, string> = {
      ...params,
      projection: this.custom ? 'custom' : 'basic',
      ...(this.custom ? { customFieldMask: this.custom.schema } : {}),
    };
    return Object.entries(all)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
  }

  private fields(): string {
    return `primaryEmail,suspended,archived${this.custom ? ',customSchemas' : ''}`;
  }

  private keyOf(user: GoogleUser): string | undefined {
    return this.custom
      ? stringAt(user, `customSchemas.${this.custom.schema}.${this.custom.field}`)
      : stringAt(user, 'primaryEmail');
  }

  private async fetchToken() {
    this.account ??= loadServiceAccount(this.name, this.options);
    const assertion = signAssertion(this.account, this.options.subject, DIRECTORY_READONLY_SCOPE);
    const { tokenUrl } = this.account;
    const response = await this.http.postForm(tokenUrl, { grant_type: JWT_BEARER, assertion });
    const token = parseBody(
      tokenResponseSchema,
      response.body,
      this.name,
      'an OAuth token response',
      tokenUrl,
    );
    return { accessToken: token.access_token, expiresInSec: token.expires_in };
  }
}
