import type { RecordsDb } from '../records/records-db.js';
import type { Batch, BatchRow, BatchUndoSummary, RowOutcome, UserProfile } from './types.js';

/*
 * User-update batches in the records store (migration 005): `batches`, one record per batch with
 * a count per outcome, and `batch_rows`, every row with its outcome and the user as its first
 * attempt read it. Nothing of a batch is kept in Redis.
 *
 * A batch is kept BATCH_RETAIN_DAYS after its last change (rows received, the total, an outcome,
 * an undo): it is no longer found after that, and the next batch created removes it. The audit
 * log, which keeps every change for good, is what an undo reads; the batch is only its report.
 */

export const BATCH_RETAIN_DAYS = 30;

const OUTCOMES: readonly RowOutcome[] = ['pending', 'done', 'failed', 'skipped'];

const KEPT = `now() - interval '${BATCH_RETAIN_DAYS} days'`;

const BATCH_COLUMNS = `id, actor, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms, total,
  pending, done, failed, skipped, undo`;

const ROW_COLUMNS = 'row_number, username, outcome, update, reason, user_key, changes';

interface BatchRecord {
  id: string;
  actor: string;
  created_ms: number;
  total: number | null;
  pending: number;
  done: number;
  failed: number;
  skipped: number;
  undo: BatchUndoSummary | null;
}

interface RowRecord {
  row_number: number;
  username: string;
  outcome: RowOutcome;
  update: BatchRow['update'] | null;
  reason: string | null;
  user_key: string | null;
  changes: BatchRow['changes'] | null;
}

/** The counts a statement adds for the rows it wrote (`source`, with an `outcome` column). */
const countsOf = (source: string) =>
  OUTCOMES.map(
    (outcome) =>
      `${outcome} = ${outcome} + (SELECT count(*) FILTER (WHERE outcome = '${outcome}') FROM ${source})::int`,
  ).join(',\n  ');

/** Received rows, each inserted once (a repeated chunk adds nothing), counted in the same statement. */
const ADD_ROWS = `
WITH added AS (
  INSERT INTO batch_rows (batch_id, row_number, username, outcome, update, reason, user_key, changes)
  SELECT $1, row_number, username, outcome, update::jsonb, reason, user_key, changes::jsonb
  FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
    AS received (row_number, username, outcome, update, reason, user_key, changes)
  ON CONFLICT (batch_id, row_number) DO NOTHING
  RETURNING outcome
)
UPDATE batches SET
  received = received + (SELECT count(*) FROM added)::int,
  ${countsOf('added')},
  updated_at = now()
WHERE id = $1`;

/**
 * A row's outcome is recorded once: only over the row as the caller read it (its username and
 * update), still pending, and counted in the same statement. A concurrent attempt waits for the
 * first one's row lock, then finds the row no longer pending: a retried or duplicated job never
 * counts twice. What the outcome leaves out (a reason, a key) keeps the row's own value.
 */
const RECORD_OUTCOME = `
WITH recorded AS (
  UPDATE batch_rows SET
    outcome = $3,
    reason = coalesce($4, reason),
    user_key = coalesce($5, user_key),
    changes = coalesce($6::jsonb, changes)
  WHERE batch_id = $1 AND row_number = $2 AND outcome = 'pending'
    AND username = $7 AND update IS NOT DISTINCT FROM $8::jsonb
  RETURNING outcome
)
UPDATE batches SET
  pending = pending - 1 + (recorded.outcome = 'pending')::int,
  done = done + (recorded.outcome = 'done')::int,
  failed = failed + (recorded.outcome = 'failed')::int,
  skipped = skipped + (recorded.outcome = 'skipped')::int,
  updated_at = now()
FROM recorded
WHERE batches.id = $1
RETURNING batches.id`;

/** The state of user-update batches: their record, every row and its outcome. */
export class BatchStore {
  constructor(private readonly records: RecordsDb) {}

  /** A new batch, receiving rows; batches past their retention are removed meanwhile. */
  async create(id: string, actor: string): Promise<void> {
    await this.records.query(
      `WITH expired AS (DELETE FROM batches WHERE updated_at < ${KEPT})
       INSERT INTO batches (id, actor, created_at, updated_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (id) DO NOTHING`,
      [id, actor],
    );
  }

  /** Adds received rows (pending, or failed when the row itself is invalid). */
  async addRows(id: string, rows: BatchRow[]): Promise<void> {
    if (rows.length === 0) return;
    const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
    await this.records.query(ADD_ROWS, [
      id,
      rows.map((row) => row.row),
      rows.map((row) => row.username),
      rows.map((row) => row.outcome),
      rows.map((row) => json(row.update)),
      rows.map((row) => row.reason ?? null),
      rows.map((row) => row.key ?? null),
      rows.map((row) => json(row.changes)),
    ]);
  }

  /** Every row is in: the batch's total is known. */
  async seal(id: string, total: number): Promise<void> {
    await this.records.query('UPDATE batches SET total = $2, updated_at = now() WHERE id = $1', [id, total]);
  }

  /** Removes a batch that was refused as a whole (e.g. too many rows), its rows with it. */
  async discard(id: string): Promise<void> {
    await this.records.query('DELETE FROM batches WHERE id = $1', [id]);
  }

  async get(id: string): Promise<Batch | null> {
    const { rows } = await this.records.query<BatchRecord>(
      `SELECT ${BATCH_COLUMNS} FROM batches WHERE id = $1 AND updated_at >= ${KEPT}`,
      [id],
    );
    const record = rows[0];
    if (!record) return null;
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, record[o]])) as Batch['counts'];
    const total = record.total;
    return {
      id: record.id,
      actor: record.actor,
      createdAt: new Date(record.created_ms).toISOString(),
      status: total === null ? 'receiving' : counts.pending > 0 ? 'running' : 'done',
      total,
      counts,
      ...(record.undo ? { undo: record.undo } : {}),
    };
  }

  async row(id: string, row: number): Promise<BatchRow | null> {
    const { rows } = await this.records.query<RowRecord>(
      `SELECT ${ROW_COLUMNS} FROM batch_rows WHERE batch_id = $1 AND row_number = $2`,
      [id, row],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Rows `from` … `from + count - 1` that exist, in order. */
  async rows(id: string, from: number, count: number): Promise<BatchRow[]> {
    if (count <= 0) return [];
    const { rows } = await this.records.query<RowRecord>(
      `SELECT ${ROW_COLUMNS} FROM batch_rows
       WHERE batch_id = $1 AND row_number >= $2 AND row_number < $2 + $3
       ORDER BY row_number`,
      [id, from, count],
    );
    return rows.map(toRow);
  }

  /**
   * Records the row's outcome if it is still the pending row given; false when another attempt
   * recorded one first (the row is left as that attempt wrote it).
   */
  async recordOutcome(
    id: string,
    pending: BatchRow,
    outcome: Omit<BatchRow, 'row' | 'username'>,
  ): Promise<boolean> {
    if (pending.outcome !== 'pending') return false;
    const { rows } = await this.records.query(RECORD_OUTCOME, [
      id,
      pending.row,
      outcome.outcome,
      outcome.reason ?? null,
      outcome.key ?? null,
      outcome.changes === undefined ? null : JSON.stringify(outcome.changes),
      pending.username,
      pending.update === undefined ? null : JSON.stringify(pending.update),
    ]);
    return rows.length === 1;
  }

  /** Keeps the user as the row's first attempt read it; returns the state kept (the first one). */
  async rememberSubject(id: string, row: number, profile: UserProfile): Promise<UserProfile> {
    const { rows } = await this.records.query<{ subject: UserProfile }>(
      `UPDATE batch_rows SET subject = coalesce(subject, $3::jsonb)
       WHERE batch_id = $1 AND row_number = $2
       RETURNING subject`,
      [id, row, JSON.stringify(profile)],
    );
    // No such row (the batch was removed): nothing to keep it for.
    return rows[0]?.subject ?? profile;
  }

  async subject(id: string, row: number): Promise<UserProfile | null> {
    const { rows } = await this.records.query<{ subject: UserProfile | null }>(
      'SELECT subject FROM batch_rows WHERE batch_id = $1 AND row_number = $2',
      [id, row],
    );
    return rows[0]?.subject ?? null;
  }

  async recordUndo(id: string, summary: BatchUndoSummary): Promise<void> {
    await this.records.query('UPDATE batches SET undo = $2::jsonb, updated_at = now() WHERE id = $1', [
      id,
      JSON.stringify(summary),
    ]);
  }
}

/** A row as the API shows it: the update it asked for while it is pending, its outcome after. */
function toRow(record: RowRecord): BatchRow {
  return {
    row: record.row_number,
    username: record.username,
    ...(record.outcome === 'pending' && record.update !== null ? { update: record.update } : {}),
    outcome: record.outcome,
    ...(record.reason !== null ? { reason: record.reason } : {}),
    ...(record.user_key !== null ? { key: record.user_key } : {}),
    ...(record.changes !== null ? { changes: record.changes } : {}),
  };
}
