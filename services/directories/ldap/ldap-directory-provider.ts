import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, type Entry } from 'ldapts';
import {
  ABSENT,
  type DirectoryAnswer,
  type DirectoryEntry,
  type PresentAnswer,
} from '../directory-answer.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { matchByOf, type MatchBy, type MatchSetting } from '../match-key.js';
import { answerForLdapEntry, disabledAttributeOf, type DisabledRule } from './ldap-account-status.js';
import { attributeValues } from './ldap-entry.js';
import { ldapFailure, printableUrl, type FailureContext } from './ldap-failure.js';
import { andFilter, equalityFilter } from './ldap-filter.js';

export interface LdapProviderOptions {
  name: string;
  url: string;
  bindDN: string;
  /** Undefined: none configured; the source then fails, naming `bindPasswordFrom`. */
  bindPassword: string | undefined;
  /** Where the password was to come from, for the message when it is missing. */
  bindPasswordFrom: string;
  baseDN: string;
  userFilter: string;
  usernameAttribute: string;
  emailAttribute: string;
  disabled: DisabledRule;
  tls: { starttls: boolean; caFile: string | null; rejectUnauthorized: boolean };
  pageSize: number;
  timeoutMs: number;
  match: MatchSetting;
  /** The attribute compared with the Jira username under `match: attribute`. */
  matchAttribute?: string;
}

/**
 * An LDAP directory or Active Directory. A run lists it once with a paged search (RFC 2696),
 * so a directory larger than the server's size limit (AD's MaxPageSize is 1000) loads whole;
 * an account the search does not return is absent. A bind that is refused, a connection that
 * drops, or a search that ends in an error fails the whole source: its users are `unknown`,
 * never absent.
 */
export class LdapDirectoryProvider implements DirectoryProvider {
  readonly name: string;
  readonly matchBy: MatchBy;
  /** The directory attribute compared with the Jira user's key. */
  private readonly matchAttribute: string;
  private readonly attributes: string[];
  private readonly failure: FailureContext;

  constructor(private readonly options: LdapProviderOptions) {
    this.name = options.name;
    this.matchBy = matchByOf(options.match);
    this.matchAttribute =
      options.match === 'email'
        ? options.emailAttribute
        : options.match === 'attribute'
          ? (options.matchAttribute ?? options.usernameAttribute)
          : options.usernameAttribute;
    this.attributes = [...new Set([this.matchAttribute, disabledAttributeOf(options.disabled)])];
    this.failure = {
      source: options.name,
      server: printableUrl(options.url),
      secret: options.bindPassword,
      timeoutMs: options.timeoutMs,
    };
  }

  /** Every account under `baseDN` matching `userFilter`, page by page, once per matched value. */
  async *loadAll(): AsyncIterable<DirectoryEntry> {
    const client = await this.connect();
    try {
      const pages = client.searchPaginated(this.options.baseDN, {
        scope: 'sub',
        filter: this.options.userFilter,
        attributes: this.attributes,
        paged: { pageSize: this.options.pageSize },
      });
      for (;;) {
        let page: IteratorResult<{ searchEntries: Entry[] }>;
        try {
          page = await pages.next();
        } catch (error) {
          throw this.fail(error, `search under ${this.options.baseDN}`);
        }
        if (page.done) return;
        for (const entry of page.value.searchEntries) {
          const answer = this.answerFor(entry);
          // An account without the matched attribute cannot be any Jira user.
          for (const value of attributeValues(entry, this.matchAttribute)) yield { userName: value, answer };
        }
      }
    } finally {
      await this.close(client);
    }
  }

  /** One search per key, `(&userFilter(attribute=key))` with the key escaped (RFC 4515). */
  async lookup(keys: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    const answers = new Map<string, DirectoryAnswer>();
    const unique = [...new Set(keys)];
    if (unique.length === 0) return answers;
    const client = await this.connect();
    try {
      for (const key of unique) answers.set(key, await this.lookupOne(client, key));
    } finally {
      await this.close(client);
    }
    return answers;
  }

  private async lookupOne(client: Client, key: string): Promise<DirectoryAnswer> {
    let entries: Entry[];
    try {
      ({ searchEntries: entries } = await client.search(this.options.baseDN, {
        scope: 'sub',
        filter: andFilter(this.options.userFilter, equalityFilter(this.matchAttribute, key)),
        attributes: this.attributes,
      }));
    } catch (error) {
      throw this.fail(error, `look-up under ${this.options.baseDN}`);
    }
    // Only an account whose value equals the key, case-insensitively as in the listing, counts:
    // a server whose matching rule is looser (one that ignores spaces, say) must not match others.
    const wanted = key.toLowerCase();
    const answers = entries
      .filter((entry) =>
        attributeValues(entry, this.matchAttribute).some((value) => value.toLowerCase() === wanted),
      )
      .map((entry) => this.answerFor(entry));
    // Two accounts with one value (an e-mail, say): an active one wins, as in the listing.
    return answers.find((a) => a.status === 'active') ?? answers[0] ?? ABSENT;
  }

  private answerFor(entry: Entry): PresentAnswer {
    return answerForLdapEntry(entry, this.options.disabled);
  }

  /** A bound connection (StartTLS first, when configured). */
  private async connect(): Promise<Client> {
    const { options } = this;
    if (options.bindPassword === undefined)
      throw new DirectoryUnavailableError(
        this.name,
        'auth',
        `no bind password for ${options.bindDN}: set bindPassword or ${options.bindPasswordFrom}`,
      );
    const tlsOptions = await this.tlsOptions();
    const client = new Client({
      url: options.url,
      timeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      // For ldaps:// only: given to the client as well, they break a StartTLS upgrade.
      ...(tlsOptions && !options.tls.starttls ? { tlsOptions } : {}),
    });
    try {
      if (options.tls.starttls) {
        try {
          await client.startTLS(tlsOptions ?? {});
        } catch (error) {
          throw this.fail(error, 'StartTLS');
        }
      }
      try {
        await client.bind(options.bindDN, options.bindPassword);
      } catch (error) {
        throw this.fail(error, `bind as ${options.bindDN}`);
      }
      return client;
    } catch (error) {
      await this.close(client);
      throw error;
    }
  }

  private async tlsOptions(): Promise<ConnectionOptions | undefined> {
    const { tls, url } = this.options;
    if (!tls.starttls && !url.toLowerCase().startsWith('ldaps:')) return undefined;
    let ca: string | undefined;
    if (tls.caFile !== null) {
      try {
        ca = await readFile(tls.caFile, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new DirectoryUnavailableError(
          this.name,
          'network',
          `cannot read tls.caFile ${tls.caFile} (${code})`,
        );
      }
    }
    // StartTLS upgrades a socket ldapts opened, and Node would check the certificate against
    // "localhost": name the server (and send it as SNI when it is a DNS name).
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    return {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(ca !== undefined ? { ca } : {}),
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
    };
  }

  private fail(error: unknown, step: string): DirectoryUnavailableError {
    if (error instanceof DirectoryUnavailableError) return error;
    return ldapFailure(error, step, this.failure);
  }

  /** Unbinds; a connection already gone is closed all the same. */
  private async close(client: Client): Promise<void> {
    try {
      await client.unbind();
    } catch {
      // The server is gone or the connection dropped: nothing is left to close.
    }
  }
}
