import type { RecordsDb } from '../records/records-db.js';
import type { Run, RunCounters, RunStatus } from './types.js';

/*
 * The `runs` table of the records store (migrations/001_runs.sql): every run, its record as the
 * API shows it in `record`. A row with `finished_at` null belongs to a run in flight, whose
 * truth is in Redis (the row is its mirror, kept current at each status change); a row with
 * `finished_at` set holds the whole final record, and from then on only this table changes it.
 *
 * Results are read as text (`record::text`) so the server and the embedded store give the same
 * JavaScript values. A record is always written whole from JavaScript (a change reads it under
 * the row's lock first): `record` is json, which keeps its keys in the order written.
 */

/** The counters a write may add to once the run is over (the same names in Redis). */
export type CounterName = keyof Pick<
  RunCounters,
  'scanned' | 'jiraRequests' | 'actionsDone' | 'actionsFailed' | 'actionsSkipped' | 'actionsNotPossible'
>;

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
      `INSERT INTO runs (id, created_at, status, mode, record) VALUES ($1, $2::timestamptz, $3, $4, $5::json)
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
       VALUES ($1, $2::timestamptz, $3, $4, $5::timestamptz, $6::json)
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
  setStatus(
    id: string,
    patch: StatusPatch,
    options: { fromStatuses?: readonly RunStatus[]; final?: boolean } = {},
  ): Promise<boolean> {
    return this.modify(
      id,
      (run) => {
        if (options.fromStatuses && !options.fromStatuses.includes(run.status)) return null;
        const next: Run = { ...run, ...patch };
        if (patch.statusReason === undefined) delete next.statusReason;
        return next;
      },
      { inFlightOnly: true, final: options.final === true },
    );
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
  setField(id: string, mode: 'set' | 'setnx', field: string, value: unknown, now: string): Promise<boolean> {
    return this.modify(id, (run) => {
      if (mode === 'setnx' && field in run) return null;
      return { ...run, [field]: value, updatedAt: now };
    });
  }

  addNote(id: string, note: string, now: string): Promise<boolean> {
    return this.modify(id, (run) => ({ ...run, notes: [...(run.notes ?? []), note], updatedAt: now }));
  }

  /** Adds to one of the record's counters (a RunCounters field holding a number). */
  addToCounter(id: string, counter: CounterName, by: number): Promise<boolean> {
    return this.modify(id, (run) => ({
      ...run,
      counters: { ...run.counters, [counter]: (run.counters?.[counter] ?? 0) + by },
    }));
  }

  /**
   * Read, change, write back one record, under the row's lock so concurrent writers queue up.
   * `change` returns null to leave the row as it is. The record is rewritten whole from
   * JavaScript, keeping the order of its keys. Returns true when the row changed.
   */
  private modify(
    id: string,
    change: (run: Run) => Run | null,
    options: { inFlightOnly?: boolean; final?: boolean } = {},
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ record: string }>(
        `SELECT record::text AS record FROM runs WHERE id = $1${options.inFlightOnly ? ' AND finished_at IS NULL' : ''} FOR UPDATE`,
        [id],
      );
      if (!rows[0]) return false;
      const run = change(JSON.parse(rows[0].record) as Run);
      if (!run) return false;
      await tx.query(
        `UPDATE runs SET status = $2, record = $3::json${options.final ? ', finished_at = $4::timestamptz' : ''} WHERE id = $1`,
        [id, run.status, JSON.stringify(run), ...(options.final ? [run.finishedAt ?? run.updatedAt] : [])],
      );
      return true;
    });
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM runs WHERE id = $1`, [id]);
  }
}
