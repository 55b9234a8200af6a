import type { RestoreTrigger } from '../../queues/payloads.js';
import type { RecordsDb, RecordsQueryable } from '../records/records-db.js';

/*
 * The restore ledger (table restore_ledger): one row per restore or grant, from the moment it
 * is asked for to its outcome. It orders the requests waiting for a seat (oldest first) and is
 * what `reclaim restore --wait` and the API read back. The watch list (restore_watch) holds the
 * users whose logins the poll reads; restore_cursor keeps its position in the audit log.
 */

export type RestoreKind = 'restore' | 'grant';
export type RestoreState = 'queued' | 'waiting' | 'done' | 'skipped' | 'not-possible' | 'failed';
export const FINAL_RESTORE_STATES: readonly RestoreState[] = ['done', 'skipped', 'not-possible', 'failed'];

export interface RestoreRequest {
  id: string;
  userKey: string;
  username: string;
  kind: RestoreKind;
  trigger: RestoreTrigger;
  /** ISO-8601. */
  requestedAt: string;
  state: RestoreState;
  reclaimRun: string | null;
  reclaimEntry: string | null;
  auditEntry: string | null;
  reason: string | null;
  updatedAt: string;
  detail: RestoreDetail;
}

export interface RestoreDetail {
  /** The applications whose seat it waits for (while `waiting`). */
  applications?: string[];
  /** The login that asked for it (ISO-8601). */
  loginAt?: string;
  /** For a grant: the application granted. */
  application?: string;
  [key: string]: unknown;
}

/** A user whose access a reclaim took and no restore gave back since. */
export interface WatchedUser {
  userKey: string;
  /** The username after the reclaim (a rename by the reclaim included). */
  username: string;
  runId: string;
  /** That run's last audit entry for the user. */
  reclaimEntry: string;
  reclaimedAt: Date;
  /** The reclaim deactivated the account: the user cannot log in until someone reactivates it. */
  deactivated: boolean;
}

interface LedgerRow {
  id: string;
  user_key: string;
  username: string;
  kind: RestoreKind;
  trigger: RestoreTrigger;
  requested_at: string;
  state: RestoreState;
  reclaim_run: string | null;
  reclaim_entry: string | null;
  audit_entry: string | null;
  reason: string | null;
  updated_at: string;
  detail: RestoreDetail | string;
}

const LEDGER_COLUMNS = `id, user_key, username, kind, trigger,
  to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS requested_at,
  state, reclaim_run, reclaim_entry, audit_entry, reason,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at, detail`;

function requestOf(row: LedgerRow): RestoreRequest {
  return {
    id: row.id,
    userKey: row.user_key,
    username: row.username,
    kind: row.kind,
    trigger: row.trigger,
    requestedAt: row.requested_at,
    state: row.state,
    reclaimRun: row.reclaim_run,
    reclaimEntry: row.reclaim_entry,
    auditEntry: row.audit_entry,
    reason: row.reason,
    updatedAt: row.updated_at,
    detail: typeof row.detail === 'string' ? (JSON.parse(row.detail) as RestoreDetail) : row.detail,
  };
}

interface WatchRow {
  user_key: string;
  username: string;
  run_id: string;
  reclaim_entry: string;
  reclaimed_ms: number;
  deactivated: boolean;
}

function watchedOf(row: WatchRow): WatchedUser {
  return {
    userKey: row.user_key,
    username: row.username,
    runId: row.run_id,
    reclaimEntry: row.reclaim_entry,
    reclaimedAt: new Date(Number(row.reclaimed_ms)),
    deactivated: row.deactivated === true,
  };
}

const WATCH_COLUMNS = `user_key, username, run_id, reclaim_entry,
  (extract(epoch from reclaimed_at) * 1000)::float8 AS reclaimed_ms, deactivated`;

export interface NewRestoreRequest {
  id: string;
  userKey: string;
  username: string;
  kind: RestoreKind;
  trigger: RestoreTrigger;
  requestedAt?: Date;
  reclaimRun?: string;
  reclaimEntry?: string;
  detail?: RestoreDetail;
}

export class RestoreLedger {
  constructor(private readonly db: RecordsDb) {}

  /** Records a request; returns false (changing nothing) when one with that id exists. */
  async add(request: NewRestoreRequest, db: RecordsQueryable = this.db): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO restore_ledger
         (id, user_key, username, kind, trigger, requested_at, state, reclaim_run, reclaim_entry, detail)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9::jsonb)
       ON CONFLICT (id) DO NOTHING`,
      [
        request.id,
        request.userKey,
        request.username,
        request.kind,
        request.trigger,
        (request.requestedAt ?? new Date()).toISOString(),
        request.reclaimRun ?? null,
        request.reclaimEntry ?? null,
        JSON.stringify(request.detail ?? {}),
      ],
    );
    return rowCount > 0;
  }

  async get(id: string): Promise<RestoreRequest | null> {
    const { rows } = await this.db.query<LedgerRow>(
      `SELECT ${LEDGER_COLUMNS} FROM restore_ledger WHERE id = $1`,
      [id],
    );
    return rows[0] ? requestOf(rows[0]) : null;
  }

  /** A user's requests, newest first. */
  async ofUser(userKey: string, limit = 50): Promise<RestoreRequest[]> {
    const { rows } = await this.db.query<LedgerRow>(
      `SELECT ${LEDGER_COLUMNS} FROM restore_ledger WHERE user_key = $1
        ORDER BY requested_at DESC, id DESC LIMIT $2`,
      [userKey, limit],
    );
    return rows.map(requestOf);
  }

  /** Moves a request on; a final state is never left again. */
  async setState(
    id: string,
    state: RestoreState,
    fields: { reason?: string | null; auditEntry?: string; detail?: RestoreDetail } = {},
  ): Promise<void> {
    await this.db.query(
      `UPDATE restore_ledger
          SET state = $2,
              reason = CASE WHEN $3::boolean THEN $4 ELSE reason END,
              audit_entry = COALESCE($5, audit_entry),
              detail = detail || $6::jsonb,
              updated_at = now()
        WHERE id = $1 AND state NOT IN ('done', 'skipped', 'not-possible', 'failed')`,
      [
        id,
        state,
        fields.reason !== undefined,
        fields.reason ?? null,
        fields.auditEntry ?? null,
        JSON.stringify(fields.detail ?? {}),
      ],
    );
  }

  /**
   * How many requests waiting for a seat of `application` were asked for before the request
   * `id` (asked for at `requestedAt`): they go first.
   */
  async waitingBefore(application: string, id: string, requestedAt: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM restore_ledger
        WHERE state = 'waiting' AND id <> $1
          AND (requested_at, id) < ($2::timestamptz, $1)
          AND detail->'applications' ? $3`,
      [id, requestedAt, application],
    );
    return rows[0]?.n ?? 0;
  }

  /** How many requests wait for a seat of `application`. */
  async waitingFor(application: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM restore_ledger
        WHERE state = 'waiting' AND detail->'applications' ? $1`,
      [application],
    );
    return rows[0]?.n ?? 0;
  }

  // ---- the watch list ----

  /**
   * Records (or moves on to a later reclaim) users whose access a reclaim took, in one statement;
   * each user at most once in `users`.
   */
  async watch(users: readonly WatchedUser[]): Promise<void> {
    if (users.length === 0) return;
    await this.db.query(
      `INSERT INTO restore_watch (user_key, username, run_id, reclaim_entry, reclaimed_at, deactivated)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::boolean[])
       ON CONFLICT (user_key) DO UPDATE
         SET username = EXCLUDED.username, run_id = EXCLUDED.run_id,
             reclaim_entry = EXCLUDED.reclaim_entry, reclaimed_at = EXCLUDED.reclaimed_at,
             deactivated = CASE WHEN restore_watch.run_id = EXCLUDED.run_id
                                THEN restore_watch.deactivated OR EXCLUDED.deactivated
                                ELSE EXCLUDED.deactivated END
         WHERE restore_watch.reclaim_entry <= EXCLUDED.reclaim_entry`,
      [
        users.map((user) => user.userKey),
        users.map((user) => user.username),
        users.map((user) => user.runId),
        users.map((user) => user.reclaimEntry),
        users.map((user) => user.reclaimedAt.toISOString()),
        users.map((user) => user.deactivated),
      ],
    );
  }

  /** Stops watching the user, for the reclaim `upToEntry` and any before it. */
  async unwatch(userKey: string, upToEntry: string): Promise<void> {
    await this.db.query(`DELETE FROM restore_watch WHERE user_key = $1 AND reclaim_entry <= $2`, [
      userKey,
      upToEntry,
    ]);
  }

  /** Stops watching the user for the given run's reclaim (that run was undone for them). */
  async unwatchRun(userKey: string, runId: string): Promise<void> {
    await this.db.query(`DELETE FROM restore_watch WHERE user_key = $1 AND run_id = $2`, [userKey, runId]);
  }

  async watched(): Promise<WatchedUser[]> {
    const { rows } = await this.db.query<WatchRow>(
      `SELECT ${WATCH_COLUMNS} FROM restore_watch ORDER BY user_key`,
    );
    return rows.map(watchedOf);
  }

  async watchedCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM restore_watch`);
    return rows[0]?.n ?? 0;
  }

  /** The watched user with that key, or with that username (any case). */
  async watchedUser(ref: { key: string } | { name: string }): Promise<WatchedUser | null> {
    const { rows } =
      'key' in ref
        ? await this.db.query<WatchRow>(`SELECT ${WATCH_COLUMNS} FROM restore_watch WHERE user_key = $1`, [
            ref.key,
          ])
        : await this.db.query<WatchRow>(
            `SELECT ${WATCH_COLUMNS} FROM restore_watch WHERE lower(username) = lower($1)`,
            [ref.name],
          );
    return rows[0] ? watchedOf(rows[0]) : null;
  }

  // ---- positions kept between polls ----

  async cursor(name: string): Promise<string | null> {
    const { rows } = await this.db.query<{ value: string }>(
      `SELECT value FROM restore_cursor WHERE name = $1`,
      [name],
    );
    return rows[0]?.value ?? null;
  }

  async setCursor(name: string, value: string): Promise<void> {
    await this.db.query(
      `INSERT INTO restore_cursor (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [name, value],
    );
  }

  /** Moves a position forward only: two processes reading the audit log at once never go back. */
  async advanceCursor(name: string, value: string): Promise<void> {
    await this.db.query(
      `INSERT INTO restore_cursor (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET value = GREATEST(restore_cursor.value, EXCLUDED.value),
         updated_at = now()`,
      [name, value],
    );
  }
}
