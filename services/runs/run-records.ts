import type { RecordsDb } from '../records/records-db.js';
import type { Run, RunStatus } from './types.js';

/*
 * The `runs` table of the records store (migrations/001_runs.sql): every run, its record as the
 * API shows it in `record`. A row with `finished_at` null belongs to a run in flight, whose
 * truth is in Redis (the row is its mirror, kept current at each status change); a row with
 * `finished_at` set holds the whole final record, and from then on only this table changes it.
 *
 * Results are read as text (`record::text`, `::int`) so the server and the embedded store give
 * the same JavaScript values.
 */

export interface RunRow {
  run: Run;
  /** The whole final record is here (`finished_at` set); else Redis holds the truth. */
  archived: boolean;
}

interface RowOut {
  record: string;
  archived: boolean;
}

const SELECT = `SELECT record::text AS record, (finished_at IS NOT NULL) AS archived FROM runs`;

function toRow(row: RowOut): RunRow {
  return { run: JSON.parse(row.record) as Run, archived: row.archived };
}

/** The part of a record a status change rewrites. */
export interface StatusPatch {
  status: RunStatus;
  updatedAt: string;
  statusReason?: string;
  plannedAt?: string;
  finishedAt?: string;
}

export class RunRecords {
  constructor(private readonly db: RecordsDb) {}

  /** The row of a new run (its mirror while it is in flight). */
  async insert(run: Run): Promise<void> {
    await this.db.query(
      `INSERT INTO runs (id, created_at, status, mode, record) VALUES ($1, $2::timestamptz, $3, $4, $5::jsonb)
       ON CONFLICT (id) DO NOTHING`,
      [run.id, run.createdAt, run.status, run.mode, JSON.stringify(run)],
    );
  }

  /**
   * The whole final record, written once: a row already final is left as it is (a late write
   * may have changed it since). Returns true when this call wrote it.
   */
  async archive(run: Run): Promise<boolean> {
    const result = await this.db.query(
      `INSERT INTO runs (id, created_at, status, mode, finished_at, record)
       VALUES ($1, $2::timestamptz, $3, $4, $5::timestamptz, $6::jsonb)
       ON CONFLICT (id) DO UPDATE
         SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at, record = EXCLUDED.record
         WHERE runs.finished_at IS NULL`,
      [run.id, run.createdAt, run.status, run.mode, run.finishedAt ?? run.updatedAt, JSON.stringify(run)],
    );
    return result.rowCount > 0;
  }

  /**
   * A status change of a run in flight, on its mirror (status and the fields it stamps). With
   * `fromStatuses`, a compare-and-set for a run Redis no longer knows: the row then becomes
   * final when the status is. Returns true when the row changed.
   */
  async setStatus(
    id: string,
    patch: StatusPatch,
    options: { fromStatuses?: readonly RunStatus[]; final?: boolean } = {},
  ): Promise<boolean> {
    const params: unknown[] = [id, patch.status, JSON.stringify(patch)];
    let guard = '';
    if (options.fromStatuses) {
      params.push([...options.fromStatuses]);
      guard = ` AND status = ANY($${params.length}::text[])`;
    }
    const finishedAt = options.final ? `, finished_at = ($3::jsonb ->> 'finishedAt')::timestamptz` : '';
    const result = await this.db.query(
      `UPDATE runs SET status = $2, record = (record - 'statusReason') || $3::jsonb${finishedAt}
       WHERE id = $1 AND finished_at IS NULL${guard}`,
      params,
    );
    return result.rowCount > 0;
  }

  async get(id: string): Promise<RunRow | null> {
    const { rows } = await this.db.query<RowOut>(`${SELECT} WHERE id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, RunRow>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.db.query<RowOut>(`${SELECT} WHERE id = ANY($1::text[])`, [[...ids]]);
    return new Map(rows.map((row) => toRow(row)).map((row) => [row.run.id, row]));
  }

  /** Newest first; `before` (a run id) starts after that run, an unknown one gives nothing. */
  async page(limit: number, before?: string): Promise<RunRow[]> {
    const { rows } =
      before === undefined
        ? await this.db.query<RowOut>(`${SELECT} ORDER BY created_at DESC, id DESC LIMIT $1`, [limit])
        : await this.db.query<RowOut>(
            `${SELECT} WHERE (created_at, id) < (SELECT created_at, id FROM runs WHERE id = $2)
             ORDER BY created_at DESC, id DESC LIMIT $1`,
            [limit, before],
          );
    return rows.map(toRow);
  }

  /** The rows of runs in flight (their mirrors), oldest first. */
  async inFlight(ids?: readonly string[]): Promise<RunRow[]> {
    const { rows } =
      ids === undefined
        ? await this.db.query<RowOut>(`${SELECT} WHERE finished_at IS NULL ORDER BY created_at, id`)
        : await this.db.query<RowOut>(
            `${SELECT} WHERE finished_at IS NULL AND id = ANY($1::text[]) ORDER BY created_at, id`,
            [[...ids]],
          );
    return rows.map(toRow);
  }

  /** Sets a field of the record (`setnx`: only when it has none). Returns true when written. */
  async setField(
    id: string,
    mode: 'set' | 'setnx',
    field: string,
    value: unknown,
    now: string,
  ): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE runs SET record = record || jsonb_build_object($2::text, $3::jsonb, 'updatedAt', $4::text)
       WHERE id = $1${mode === 'setnx' ? ' AND NOT (record ? $2::text)' : ''}`,
      [id, field, JSON.stringify(value), now],
    );
    return result.rowCount > 0;
  }

  async addNote(id: string, note: string, now: string): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE runs SET record = jsonb_set(record, '{notes}',
         COALESCE(record -> 'notes', '[]'::jsonb) || jsonb_build_array($2::text))
         || jsonb_build_object('updatedAt', $3::text)
       WHERE id = $1`,
      [id, note, now],
    );
    return result.rowCount > 0;
  }

  /** Adds to one of the record's counters (a RunCounters field holding a number). */
  async addToCounter(id: string, counter: string, by: number): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE runs SET record = jsonb_set(record, ARRAY['counters', $2::text],
         to_jsonb(COALESCE((record #>> ARRAY['counters', $2::text])::bigint, 0) + $3::bigint))
       WHERE id = $1`,
      [id, counter, by],
    );
    return result.rowCount > 0;
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM runs WHERE id = $1`, [id]);
  }
}
