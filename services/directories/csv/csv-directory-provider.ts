import { matchByOf, type MatchBy } from '../match-key.js';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { CsvSourceConfig } from '../../../config/schema.js';
import type { DirectoryAnswer, DirectoryEntry } from '../directory-answer.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { DirectorySnapshot } from '../directory-snapshot.js';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { printable } from '../scim/scim-http.js';
import type { SourceAuth } from '../source-credentials.js';
import { SourceHttp } from '../http/source-http.js';
import { StatusMapping } from '../status-mapping.js';
import type { RowCountBaseline } from './row-count-baseline.js';

export interface CsvProviderOptions extends Pick<
  CsvSourceConfig,
  | 'path'
  | 'url'
  | 'columns'
  | 'match'
  | 'matchAttribute'
  | 'activeValues'
  | 'disabledValues'
  | 'delimiter'
  | 'header'
  | 'timeoutMs'
> {
  name: string;
  auth: SourceAuth;
  retries: number;
  retryDelayMs: number;
  /**
   * The shrink guard: a file with more than `maxShrinkPercent` fewer accounts than the last
   * believed one is not believed. `record` (a run) sets the new count when the file is
   * believed; a check or a look-up only compares. Without it the file is not compared.
   */
  shrinkGuard?: { baseline: RowCountBaseline; maxShrinkPercent: number; record: boolean };
  /** Look-ups reuse a read this recent (confirmations follow the run's own read). @defaultValue 60000 */
  readReuseMs?: number;
}

/** A column as configured: a header name, else a 1-based position. */
type ColumnRef = string | number;

/*
 * An HR export: a CSV file on this machine or at an http(s) URL, one row per person. A person
 * whose key is in no row is absent. The whole file is read and checked before any row counts:
 * a row the configuration cannot read (no key, a short row, a header without a configured
 * column) fails the source — unknown for everyone, never a silent gap that looks like leavers.
 */
export class CsvDirectoryProvider implements DirectoryProvider {
  readonly name: string;
  readonly matchBy: MatchBy;
  private readonly http: SourceHttp | undefined;
  private readonly statuses: StatusMapping;
  private readonly keyColumn: ColumnRef;
  private recent: { at: number; snapshot: Promise<DirectorySnapshot> } | undefined;

  constructor(private readonly options: CsvProviderOptions) {
    this.name = options.name;
    this.matchBy = matchByOf(options.match);
    if (options.url !== undefined) this.http = new SourceHttp({ ...options, source: options.name });
    const { columns } = options;
    this.statuses = new StatusMapping(options, `column ${String(columns.status ?? 'status')}`);
    this.keyColumn =
      options.match === 'email'
        ? columns.email!
        : options.match === 'attribute'
          ? asColumn(options.matchAttribute!, options.header)
          : columns.username;
  }

  async *loadAll(): AsyncIterable<DirectoryEntry> {
    const entries = await this.read(this.options.shrinkGuard?.record ?? false);
    this.recent = { at: Date.now(), snapshot: DirectorySnapshot.from(iterate(entries)) };
    yield* entries;
  }

  /** Every username answered from the file (read again unless read just now). */
  async lookup(usernames: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    const snapshot = await this.snapshot();
    return new Map(usernames.map((name) => [name, snapshot.answerFor(name)]));
  }

  private snapshot(): Promise<DirectorySnapshot> {
    const now = Date.now();
    if (this.recent && now - this.recent.at <= (this.options.readReuseMs ?? 60_000))
      return this.recent.snapshot;
    const snapshot = this.read(false).then((entries) => DirectorySnapshot.from(iterate(entries)));
    this.recent = { at: now, snapshot };
    snapshot.catch(() => (this.recent = undefined));
    return snapshot;
  }

  /** The file's accounts, after the shrink guard. */
  private async read(record: boolean): Promise<DirectoryEntry[]> {
    const text = await this.fetchText();
    const entries = this.parse(text);
    await this.guardShrink(entries.length, record);
    return entries;
  }

  private where(): string {
    return this.options.path !== undefined ? this.options.path : `GET ${printable(this.options.url!)}`;
  }

  private failure(kind: 'bad-response' | 'network', detail: string, cause?: unknown) {
    return new DirectoryUnavailableError(this.name, kind, `${detail} (${this.where()})`, undefined, {
      cause,
    });
  }

  private async fetchText(): Promise<string> {
    if (this.http) return (await this.http.text(this.options.url!, 'text/csv, text/plain, */*'))!;
    try {
      return await readFile(this.options.path!, 'utf8');
    } catch (error) {
      throw this.failure(
        'network',
        `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? error}`,
        error,
      );
    }
  }

  private parse(text: string): DirectoryEntry[] {
    let rows: string[][];
    try {
      rows = parse(text, {
        delimiter: this.options.delimiter,
        bom: true,
        skip_empty_lines: true,
        trim: true,
      }) as string[][];
    } catch (error) {
      throw this.failure('bad-response', `not a readable CSV file: ${(error as Error).message}`, error);
    }
    const header = this.options.header ? rows.shift() : undefined;
    const index = (column: ColumnRef) => this.columnIndex(column, header);
    const keyAt = index(this.keyColumn);
    const statusAt =
      this.options.columns.status === undefined ? undefined : index(this.options.columns.status);
    const firstLine = header ? 2 : 1;
    return rows.map((row, i) => {
      const key = row[keyAt];
      if (key === undefined || key === '')
        throw this.failure('bad-response', `row ${firstLine + i} has no ${describe(this.keyColumn)}`);
      const answer =
        statusAt === undefined
          ? ({ status: 'active', attribute: 'listed' } as const)
          : this.statuses.answerFor(row[statusAt] === '' ? undefined : row[statusAt]);
      return { userName: key, answer };
    });
  }

  private columnIndex(column: ColumnRef, header: string[] | undefined): number {
    if (typeof column === 'number') return column - 1;
    if (header === undefined)
      throw this.failure('bad-response', `column "${column}" needs a header row (or a column number)`);
    const at = header.findIndex((name) => name.toLowerCase() === column.toLowerCase());
    if (at < 0)
      throw this.failure(
        'bad-response',
        `no column "${column}" in the header (it has: ${header.join(', ')})`,
      );
    return at;
  }

  /**
   * A file that shrank by more than the breaker's share since the last believed one — a
   * truncated export, a filter left on — is not believed, so nobody is left-company by it.
   */
  private async guardShrink(rows: number, record: boolean): Promise<void> {
    const guard = this.options.shrinkGuard;
    if (!guard) return;
    let previous: number | undefined;
    try {
      previous = await guard.baseline.previous(this.name);
    } catch (error) {
      throw this.failure('network', `cannot read the previous row count: ${(error as Error).message}`, error);
    }
    if (previous !== undefined && previous > 0) {
      const shrinkPercent = ((previous - rows) * 100) / previous;
      if (shrinkPercent > guard.maxShrinkPercent)
        throw this.failure(
          'bad-response',
          `the file has ${rows} account(s), ${shrinkPercent.toFixed(1)}% fewer than the ${previous} last believed, more than maxAbsentPercent ${guard.maxShrinkPercent}: not believed`,
        );
    }
    if (record) await guard.baseline.record(this.name, rows);
  }
}

function asColumn(attribute: string, header: boolean): ColumnRef {
  return !header && /^\d+$/.test(attribute) ? Number(attribute) : attribute;
}

function describe(column: ColumnRef): string {
  return typeof column === 'number' ? `value in column ${column}` : `"${column}"`;
}

async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
