import { ABSENT, type DirectoryAnswer, type DirectoryEntry } from '../directory-answer.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { AccessTokenCache } from '../idp/access-token-cache.js';
import { IdpHttp } from '../idp/idp-http.js';
import { lookupEach } from '../idp/lookup-each.js';
import { checkNextPage } from '../idp/next-page.js';
import { matchAttributeOf } from '../idp/match-setting.js';
import { idpHttpOptionsOf, type IdpProviderOptions } from '../idp/idp-provider-options.js';
import { matchByOf, type MatchBy } from '../match-key.js';
import { parseBody } from '../idp/parse-body.js';
import { tokenResponseSchema } from '../idp/token-response.js';
import { sameKey, stringAt } from '../idp/read-path.js';
import { resolveSecret, type SecretSetting } from '../idp/secret.js';
import { answerForGraphUser, graphUsersPageSchema, odataString, type GraphUser } from './entra-user.js';

export interface EntraProviderOptions extends IdpProviderOptions {
  tenantId: string;
  clientId: string;
  clientSecret: SecretSetting;
  /** The client-credentials token endpoint (login.microsoftonline.com, a sovereign cloud's, a test's). */
  tokenUrl: string;
  /** The OAuth scope asked for. */
  scope: string;
  /** Microsoft Graph's base, e.g. `https://graph.microsoft.com/v1.0`. */
  graphUrl: string;
  /** Users per page (`$top`, at most 999). */
  pageSize: number;
}

/*
 * Graph's advanced queries ($count, and $filter on attributes such as
 * onPremisesSamAccountName) need this header. The listing asks for `@odata.count` with it.
 */
const ADVANCED = { consistencylevel: 'eventual' };
/** Properties a plain (strongly consistent) `$filter … eq` can match. */
const PLAIN_FILTERS = new Set(['userPrincipalName', 'mail']);

/**
 * Microsoft Entra ID through Microsoft Graph (`/users`), authenticated as an application by
 * the client-credentials grant. The listing asks for `@odata.count` and must reach it: one
 * that ends early would make the missing accounts look absent.
 */
export class EntraDirectoryProvider implements DirectoryProvider {
  readonly name: string;
  readonly matchBy: MatchBy;
  private readonly http: IdpHttp;
  private readonly graph: string;
  private readonly keyAttribute: string;
  private readonly select: string;
  private readonly tokens: AccessTokenCache;
  private secret: string | undefined;

  constructor(private readonly options: EntraProviderOptions) {
    this.name = options.name;
    this.matchBy = matchByOf(options.match);
    this.graph = options.graphUrl.replace(/\/+$/, '');
    this.keyAttribute = matchAttributeOf(options, { username: 'userPrincipalName', email: 'mail' });
    this.select = [...new Set(['id', 'accountEnabled', this.keyAttribute.split('.')[0]!])].join(',');
    this.tokens = new AccessTokenCache(() => this.fetchToken());
    this.http = new IdpHttp({
      ...idpHttpOptionsOf(options),
      secrets: () => [this.secret, this.tokens.token].filter((s): s is string => s !== undefined),
    });
  }

  async *loadAll(): AsyncIterable<DirectoryEntry> {
    const first = `${this.graph}/users?$select=${encodeURIComponent(this.select)}&$top=${this.options.pageSize}&$count=true`;
    const seen = new Set<string>([first]);
    let listed = 0;
    let announced: number | undefined;
    for (let url: string | undefined = first; url !== undefined;) {
      const page = await this.page(url);
      announced ??= page['@odata.count'];
      listed += page.value.length;
      for (const user of page.value) {
        const key = this.keyOf(user);
        if (key !== undefined) yield { userName: key, answer: answerForGraphUser(user) };
      }
      url = page['@odata.nextLink'];
      if (url !== undefined) checkNextPage(this.name, this.graph, url, seen);
    }
    if (announced !== undefined && listed < announced) {
      throw new DirectoryUnavailableError(
        this.name,
        'bad-response',
        `the listing ended after ${listed} of ${announced} accounts`,
      );
    }
  }

  async lookup(keys: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    return lookupEach(keys, this.options.lookupConcurrency ?? 4, (key) => this.lookupOne(key));
  }

  /**
   * One `$filter` per user. On userPrincipalName and mail it is a plain query, read from
   * Graph's current data; any other attribute needs an advanced query (its index lags).
   */
  private async lookupOne(key: string): Promise<DirectoryAnswer> {
    const filter = `${this.keyAttribute} eq ${odataString(key)}`;
    const advanced = !PLAIN_FILTERS.has(this.keyAttribute);
    const url =
      `${this.graph}/users?$filter=${encodeURIComponent(filter)}&$select=${encodeURIComponent(this.select)}` +
      (advanced ? '&$count=true' : '');
    const page = await this.page(url, advanced);
    const match = page.value.find((user) => sameKey(this.keyOf(user), key));
    return match ? answerForGraphUser(match) : ABSENT;
  }

  private async page(url: string, advanced = true) {
    const response = await this.http.get(url, advanced ? ADVANCED : {}, this.tokens);
    return parseBody(graphUsersPageSchema, response.body, this.name, 'a Microsoft Graph list of users', url);
  }

  private keyOf(user: GraphUser): string | undefined {
    return stringAt(user, this.keyAttribute);
  }

  private async fetchToken() {
    this.secret ??= resolveSecret(this.name, this.options.clientSecret, 'clientSecret');
    const { tokenUrl } = this.options;
    const response = await this.http.postForm(tokenUrl, {
      grant_type: 'client_credentials',
      client_id: this.options.clientId,
      client_secret: this.secret,
      scope: this.options.scope,
    });
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
