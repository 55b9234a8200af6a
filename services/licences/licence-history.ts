import type { RecordsQueryable } from '../records/records-db.js';

/*
 * The seats of each managed application over time (table licence_history, migration 006): one
 * row per application per check, kept HISTORY_DAYS. `remaining` is worked out, not stored.
 */

export const HISTORY_DAYS = 400;

export interface LicenceReading {
  application: string;
  /** When the check read it (ISO-8601 UTC). */
  at: string;
  /** Null: unlimited seats (or Jira does not say). */
  seats: number | null;
  used: number;
  remaining: number | null;
}

interface Row {
  application: string;
  at_ms: number;
  seats: number | null;
  used: number;
}

const COLUMNS = `application, (extract(epoch from at) * 1000)::float8 AS at_ms, seats, used`;

function toReading(row: Row): LicenceReading {
  const seats = row.seats === null ? null : Number(row.seats);
  const used = Number(row.used);
  return {
    application: row.application,
    at: new Date(Number(row.at_ms)).toISOString(),
    seats,
    used,
    remaining: seats === null ? null : seats - used,
  };
}

export class LicenceHistory {
  constructor(private readonly db: RecordsQueryable) {}

  /** One check's readings; the same application and instant recorded twice (a retried job) is kept once. */
  async record(readings: ReadonlyArray<Omit<LicenceReading, 'remaining'>>): Promise<void> {
    for (const reading of readings) {
      await this.db.query(
        `INSERT INTO licence_history (application, at, seats, used) VALUES ($1, $2, $3, $4)
         ON CONFLICT (application, at) DO NOTHING`,
        [reading.application, reading.at, reading.seats, reading.used],
      );
    }
  }

  /** Removes the rows older than `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const result = await this.db.query(`DELETE FROM licence_history WHERE at < $1`, [before.toISOString()]);
    return result.rowCount;
  }

  /** The newest reading of each application. */
  async current(): Promise<LicenceReading[]> {
    const result = await this.db.query<Row>(
      `SELECT DISTINCT ON (application) ${COLUMNS} FROM licence_history ORDER BY application, at DESC`,
    );
    return result.rows.map(toReading);
  }

  /** Readings oldest first, optionally of one application and since an instant. */
  async history(
    options: { application?: string; since?: Date; limit?: number } = {},
  ): Promise<LicenceReading[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.application !== undefined) {
      params.push(options.application);
      where.push(`application = $${params.length}`);
    }
    if (options.since !== undefined) {
      params.push(options.since.toISOString());
      where.push(`at >= $${params.length}`);
    }
    params.push(options.limit ?? 50_000);
    // The newest `limit` rows, handed back oldest first.
    const result = await this.db.query<Row>(
      `SELECT * FROM (SELECT ${COLUMNS}, at FROM licence_history
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY at DESC, application LIMIT $${params.length}) newest
       ORDER BY at, application`,
      params,
    );
    return result.rows.map(toReading);
  }
}
