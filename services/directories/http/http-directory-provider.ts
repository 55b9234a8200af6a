import { matchByOf, type MatchBy } from '../match-key.js';
import type { HttpSourceConfig } from '../../../config/schema.js';
import {
  ABSENT,
  type DirectoryAnswer,
  type DirectoryEntry,
  type PresentAnswer,
} from '../directory-answer.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { DirectorySnapshot } from '../directory-snapshot.js';
import { printable } from '../scim/scim-http.js';
import type { SourceAuth } from '../source-credentials.js';
import { StatusMapping } from '../status-mapping.js';
import { JsonSelector } from './json-selector.js';
import { SourceHttp } from './source-http.js';

export interface HttpProviderOptions extends Pick<
  HttpSourceConfig,
  | 'listUrl'
  | 'lookupUrl'
  | 'paging'
  | 'selectors'
  | 'match'
  | 'matchAttribute'
  | 'activeValues'
  | 'disabledValues'
  | 'timeoutMs'
> {
  name: string;
  auth: SourceAuth;
  retries: number;
  retryDelayMs: number;
  /** Look-ups in flight at once. @defaultValue 4 */
  lookupConcurrency?: number;
  /**
   * A source with a listing but no `lookupUrl` answers look-ups from a listing this recent
   * (confirmations come in batches right after the run's own listing). @defaultValue 60000
   */
  listingReuseMs?: number;
}

/** Most pages a listing may take: a `next` link that never ends is a broken API, not a big one. */
const MAX_PAGES = 100_000;

/*
 * An HR system's own JSON API: a paged listing (`listUrl`), a URL per account (`lookupUrl`,
 * 404 = absent), or both. Which field is the account's key follows `match`: the username, the
 * e-mail, or `matchAttribute`. Any failure — a status, a timeout, an answer without the fields
 * the selectors name — is a DirectoryUnavailableError: the source is unknown, never absent.
 */
export class HttpDirectoryProvider implements DirectoryProvider {
  readonly name: string;
  readonly matchBy: MatchBy;
  /** Only when `listUrl` is configured: a source without a listing is asked user by user. */
  readonly loadAll?: () => AsyncIterable<DirectoryEntry>;
  private readonly http: SourceHttp;
  private readonly users: JsonSelector;
  private readonly user: JsonSelector;
  private readonly key: JsonSelector;
  private readonly status: JsonSelector | undefined;
  private readonly next: JsonSelector;
  private readonly total: JsonSelector | undefined;
  private readonly statuses: StatusMapping;
  private listing: { at: number; snapshot: Promise<DirectorySnapshot> } | undefined;

  constructor(private readonly options: HttpProviderOptions) {
    this.name = options.name;
    this.matchBy = matchByOf(options.match);
    this.http = new SourceHttp({ ...options, source: options.name });
    const { selectors } = options;
    this.users = new JsonSelector(selectors.users);
    this.user = new JsonSelector(selectors.user);
    const keyField =
      options.match === 'email'
        ? selectors.email
        : options.match === 'attribute'
          ? options.matchAttribute!
          : selectors.username;
    this.key = new JsonSelector(keyField);
    this.status = selectors.status === '' ? undefined : new JsonSelector(selectors.status);
    this.next = new JsonSelector(options.paging.next);
    this.total = selectors.total === undefined ? undefined : new JsonSelector(selectors.total);
    this.statuses = new StatusMapping(options, selectors.status || 'status');
    if (options.listUrl !== undefined) this.loadAll = () => this.listAndKeep(options.listUrl!);
  }

  /** True when the source can be listed (`listUrl`); otherwise it is asked user by user. */
  get listable(): boolean {
    return this.loadAll !== undefined;
  }

  async lookup(usernames: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    const unique = [...new Set(usernames)];
    if (this.options.lookupUrl === undefined) {
      const snapshot = await this.recentListing();
      return new Map(unique.map((name) => [name, snapshot.answerFor(name)]));
    }
    const answers = new Map<string, DirectoryAnswer>();
    const queue = [...unique];
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        try {
          answers.set(name, await this.lookupOne(name));
        } catch (error) {
          queue.length = 0; // one failure fails the look-up: stop asking
          throw error;
        }
      }
    };
    const concurrency = Math.max(1, Math.min(this.options.lookupConcurrency ?? 4, queue.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    return answers;
  }

  private async lookupOne(key: string): Promise<DirectoryAnswer> {
    const url = this.options.lookupUrl!.replaceAll('{username}', encodeURIComponent(key));
    const body = await this.http.json(url, true);
    if (body === undefined) return ABSENT;
    const account = this.user.first(body);
    if (account === undefined)
      throw this.http.failure(
        'bad-response',
        `no account at "${this.user.text}" in the answer (GET ${printable(url)})`,
      );
    return this.answerFor(account);
  }

  private async *list(listUrl: string): AsyncIterable<DirectoryEntry> {
    const { paging } = this.options;
    let url = this.pageUrl(listUrl, 0, paging.firstPage);
    const seen = new Set<string>();
    let listed = 0;
    let total: number | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      seen.add(url);
      const body = await this.http.json(url);
      const accounts = this.select(this.users, body, url);
      for (const [i, account] of accounts.entries()) yield this.entryFor(account, page, i, url);
      listed += accounts.length;
      if (this.total) total = this.totalOf(body, url);
      const nextUrl = this.following(body, url, listUrl, listed, page, accounts.length);
      if (nextUrl === undefined) {
        if (total !== undefined && listed < total)
          throw this.http.failure(
            'bad-response',
            `the listing ended after ${listed} of ${total} accounts (GET ${printable(url)})`,
          );
        return;
      }
      if (seen.has(nextUrl))
        throw this.http.failure('bad-response', `the listing's next page repeats ${printable(nextUrl)}`);
      url = nextUrl;
    }
    throw this.http.failure('bad-response', `the listing did not end within ${MAX_PAGES} pages`);
  }

  /** The next page's URL; undefined at the end of the listing. */
  private following(
    body: unknown,
    url: string,
    listUrl: string,
    listed: number,
    page: number,
    onPage: number,
  ): string | undefined {
    const { paging } = this.options;
    switch (paging.type) {
      case 'none':
        return undefined;
      case 'next': {
        const next = this.next.first(body);
        if (next === undefined || next === '') return undefined;
        if (typeof next !== 'string')
          throw this.http.failure('bad-response', `"${paging.next}" is not a URL (GET ${printable(url)})`);
        const resolved = new URL(next, url);
        // The credentials go with every page: never to a host the configuration did not name.
        if (resolved.origin !== new URL(listUrl).origin)
          throw this.http.failure(
            'bad-response',
            `the next page ${printable(resolved.toString())} is not on ${new URL(listUrl).origin}`,
          );
        return resolved.toString();
      }
      case 'page':
      case 'offset':
        // An empty page ends it: a server may cap the page size below ours, so a short page
        // says nothing about the end.
        return onPage === 0 ? undefined : this.pageUrl(listUrl, listed, paging.firstPage + page + 1);
    }
  }

  private pageUrl(listUrl: string, offset: number, page: number): string {
    const { paging } = this.options;
    if (paging.type !== 'page' && paging.type !== 'offset') return listUrl;
    const url = new URL(listUrl);
    if (paging.type === 'page') url.searchParams.set(paging.pageParam, String(page));
    else url.searchParams.set(paging.offsetParam, String(offset));
    url.searchParams.set(paging.limitParam, String(paging.pageSize));
    return url.toString();
  }

  private totalOf(body: unknown, url: string): number {
    const value = Number(this.total!.first(body));
    if (!Number.isInteger(value) || value < 0)
      throw this.http.failure(
        'bad-response',
        `"${this.total!.text}" is not a count of accounts (GET ${printable(url)})`,
      );
    return value;
  }

  private select(selector: JsonSelector, body: unknown, url: string): unknown[] {
    try {
      return selector.all(body, true);
    } catch (error) {
      throw this.http.failure('bad-response', `${(error as Error).message} (GET ${printable(url)})`);
    }
  }

  private entryFor(account: unknown, page: number, index: number, url: string): DirectoryEntry {
    const key = this.key.first(account);
    if (typeof key !== 'string' || key.trim() === '')
      throw this.http.failure(
        'bad-response',
        `account ${index + 1} of page ${page + 1} has no "${this.key.text}" (GET ${printable(url)})`,
      );
    return { userName: key, answer: this.answerFor(account) };
  }

  private answerFor(account: unknown): PresentAnswer {
    if (this.status === undefined) return { status: 'active', attribute: 'listed' };
    return this.statuses.answerFor(this.status.first(account));
  }

  /**
   * A run's listing. Without a `lookupUrl` the look-ups that confirm its absent users right
   * after are answered from it, so it is kept (a listing that failed is not); with one, a
   * look-up asks the source itself.
   */
  private async *listAndKeep(listUrl: string): AsyncIterable<DirectoryEntry> {
    if (this.options.lookupUrl !== undefined) return yield* this.list(listUrl);
    const startedAt = Date.now();
    const snapshot = new DirectorySnapshot();
    for await (const entry of this.list(listUrl)) {
      snapshot.add(entry);
      yield entry;
    }
    this.listing = { at: startedAt, snapshot: Promise.resolve(snapshot) };
  }

  /** The listing, loaded again when older than `listingReuseMs`; a failed load is not kept. */
  private recentListing(): Promise<DirectorySnapshot> {
    const now = Date.now();
    if (this.listing && now - this.listing.at <= (this.options.listingReuseMs ?? 60_000))
      return this.listing.snapshot;
    const snapshot = DirectorySnapshot.from(this.list(this.options.listUrl!));
    this.listing = { at: now, snapshot };
    snapshot.catch(() => (this.listing = undefined));
    return snapshot;
  }
}
