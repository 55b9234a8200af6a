/*
 * The records store: what must outlast the work in flight (runs, plans, the audit log,
 * first-seen, histories), in PostgreSQL — a server (`records.url`) or, for a single process, an
 * embedded PGlite. Both speak the same SQL through this one small interface.
 *
 * Portable results: the two drivers differ in how they hand back some types (pg gives bigint
 * and numeric as strings, PGlite as numbers). Queries therefore cast what they read to the type
 * they want: `count(*)::int`, `x::float8`, timestamps as text or epoch milliseconds (`::float8`).
 */

export interface RecordsResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted (for a SELECT: rows returned). */
  rowCount: number;
}

export interface RecordsQueryable {
  /** One statement, with `$1 …` parameters. */
  query<R extends object = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<RecordsResult<R>>;
}

export type RecordsKind = 'postgres' | 'embedded';

export interface RecordsDb extends RecordsQueryable {
  readonly kind: RecordsKind;
  /** Where the records are, without credentials: for messages and `reclaim records migrate`. */
  readonly location: string;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: RecordsQueryable) => Promise<T>): Promise<T>;
  /** Resolves once the store is open and its migrations applied; every query waits for it. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The store cannot be opened or migrated; the message names what to change. */
export class RecordsUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordsUnavailableError';
  }
}

/**
 * A value holds a NUL character, which PostgreSQL text cannot hold: nothing stored can match
 * it and nothing can store it. Raised before the query is sent, so a caller's hostile input is
 * a clear 400, never a database error.
 */
export class NulCharacterError extends Error {
  constructor() {
    super('a value holds a NUL character (\\u0000), which cannot be stored or looked up');
    this.name = 'NulCharacterError';
  }
}

/** @throws NulCharacterError when a text parameter (or a text in an array parameter) holds NUL. */
export function assertNoNul(params: readonly unknown[] | undefined): void {
  for (const param of params ?? []) {
    const texts = Array.isArray(param) ? param : [param];
    for (const text of texts)
      if (typeof text === 'string' && text.includes('\u0000')) throw new NulCharacterError();
  }
}

/** A URL fit for messages: the password masked. */
export function describeRecordsUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'records.url';
  }
}
