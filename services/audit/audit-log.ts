import { canonicalJson } from '../runs/canonical-json.js';
import type { RecordsDb } from '../records/records-db.js';
import { entryHash, formatAuditId, parseAuditId } from './audit-hash.js';
import { importRedisAuditLog } from './import-redis-audit.js';
import { verifyChain } from './verify-chain.js';
import type { AuditEntry, AuditPage, AuditPageOptions, AuditVerification, NewAuditEntry } from './types.js';
import type { RedisClient } from '../../queues/connection.js';

const STREAM_PAGE_SIZE = 500;
/** A page never holds more, so one request cannot make the store send the whole log. */
export const MAX_AUDIT_PAGE_SIZE = 5_000;

const UNIQUE_VIOLATION = '23505';

interface StoredRow {
  seq: number;
  hash: string;
  entry: string;
}

export interface AuditLogOptions {
  /**
   * Where an earlier version kept the log (Redis, under this prefix): copied into the records
   * store once, at the first use, when the table is still empty, then removed from Redis.
   */
  importFrom?: { redis: RedisClient; prefix: string };
}

/**
 * The append-only audit log of every change Reclaim makes in Jira: a single hash chain in the
 * records store (table `audit_log`; each entry carries the hash of the one before), so that an
 * altered or removed entry shows. Safe to use from any number of processes at once: an append
 * takes its turn on the row of `audit_tail`, and is committed when it resolves.
 */
export class AuditLog {
  private opened: Promise<void> | undefined;

  constructor(
    private readonly records: RecordsDb,
    private readonly options: AuditLogOptions = {},
  ) {}

  /**
   * Logs the entry at the end of the chain, or returns the entry logged before under the same
   * idempotency key (a retried job logs once, even when the retries race).
   */
  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const { idempotencyKey: givenKey, ...fields } = entry;
    const idempotencyKey = givenKey ?? defaultIdempotencyKey(entry);
    const known = await this.findByKey(idempotencyKey);
    if (known) return known;
    try {
      return await this.records.transaction(async (tx) => {
        const { rows: tails } = await tx.query<{ seq: number; hash: string }>(
          'SELECT seq::float8 AS seq, hash FROM audit_tail FOR UPDATE',
        );
        const tail = tails[0];
        if (!tail) throw new Error('audit log: the row of audit_tail is missing');
        // Under the lock: an appender of the same key that went first has committed by now.
        const { rows: existing } = await tx.query<StoredRow>(
          'SELECT seq::float8 AS seq, hash, entry FROM audit_log WHERE idempotency_key = $1',
          [idempotencyKey],
        );
        if (existing[0]) return toEntry(existing[0]);
        const seq = tail.seq + 1;
        const unsigned: Omit<AuditEntry, 'hash'> = {
          ...fields,
          id: formatAuditId(seq),
          at: new Date().toISOString(),
          idempotencyKey,
          prevHash: tail.hash,
        };
        const text = canonicalJson(unsigned);
        const hash = entryHash(unsigned);
        await tx.query(
          `INSERT INTO audit_log (seq, idempotency_key, action_id, run_id, user_key, at, prev_hash, hash, entry)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            seq,
            idempotencyKey,
            unsigned.actionId,
            unsigned.runId,
            unsigned.user.key,
            unsigned.at,
            unsigned.prevHash,
            hash,
            text,
          ],
        );
        await tx.query('UPDATE audit_tail SET seq = $1, hash = $2', [seq, hash]);
        return toEntry({ seq, hash, entry: text });
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
        const logged = await this.findByKey(idempotencyKey);
        if (logged) return logged;
      }
      throw error;
    }
  }

  async get(id: string): Promise<AuditEntry | null> {
    const seq = parseAuditId(id);
    if (seq === undefined) return null;
    return this.one('SELECT seq::float8 AS seq, hash, entry FROM audit_log WHERE seq = $1', [seq]);
  }

  /** The entry of an action (its default idempotency key), or null when it was never logged. */
  findByAction(actionId: string): Promise<AuditEntry | null> {
    return this.findByKey(actionId);
  }

  findByKey(idempotencyKey: string): Promise<AuditEntry | null> {
    return this.one('SELECT seq::float8 AS seq, hash, entry FROM audit_log WHERE idempotency_key = $1', [
      idempotencyKey,
    ]);
  }

  /** How many entries have been appended (including any since removed). */
  async count(): Promise<number> {
    return (await this.tail()).seq;
  }

  /** One page in log order, of the whole log, of one run or of one user. */
  async entries(options: AuditPageOptions): Promise<AuditPage> {
    const limit = Math.min(MAX_AUDIT_PAGE_SIZE, Math.max(1, Math.floor(options.limit) || 1));
    const from = options.fromId === undefined ? 1 : parseAuditId(options.fromId);
    if (from === undefined) throw new Error(`not an audit entry id: ${options.fromId}`);
    const [filter, params] =
      options.userKey !== undefined
        ? ['AND user_key = $3', [options.userKey]]
        : options.runId !== undefined
          ? ['AND run_id = $3', [options.runId]]
          : ['', []];
    await this.open();
    const { rows } = await this.records.query<StoredRow>(
      `SELECT seq::float8 AS seq, hash, entry FROM audit_log
       WHERE seq >= $1 ${filter} ORDER BY seq LIMIT $2`,
      [from, limit + 1, ...params],
    );
    const more = rows.length > limit;
    return {
      entries: rows.slice(0, limit).map(toEntry),
      nextFromId: more ? formatAuditId(rows[limit]!.seq) : null,
    };
  }

  /** Every entry (of one run or user, or of the whole log) in log order, one page in memory at a time. */
  async *stream(options: { runId?: string; userKey?: string } = {}): AsyncGenerator<AuditEntry> {
    let fromId: string | undefined;
    do {
      const page = await this.entries({ ...options, ...(fromId ? { fromId } : {}), limit: STREAM_PAGE_SIZE });
      yield* page.entries;
      fromId = page.nextFromId ?? undefined;
    } while (fromId !== undefined);
  }

  /**
   * Recomputes the chain from the first entry to the recorded tail, in seq order: names the first
   * entry that is missing, altered, or does not link to the one before.
   */
  async verify(): Promise<AuditVerification> {
    const tail = await this.tail();
    return verifyChain(this.records, tail);
  }

  private async tail(): Promise<{ seq: number; hash: string }> {
    await this.open();
    const { rows } = await this.records.query<{ seq: number; hash: string }>(
      'SELECT seq::float8 AS seq, hash FROM audit_tail',
    );
    if (!rows[0]) throw new Error('audit log: the row of audit_tail is missing');
    return rows[0];
  }

  private async one(text: string, params: unknown[]): Promise<AuditEntry | null> {
    await this.open();
    const { rows } = await this.records.query<StoredRow>(text, params);
    return rows[0] ? toEntry(rows[0]) : null;
  }

  /** The one-time import of a log an earlier version kept in Redis; retried at the next use if it fails. */
  private open(): Promise<void> {
    const source = this.options.importFrom;
    if (!source) return Promise.resolve();
    this.opened ??= importRedisAuditLog(this.records, source.redis, source.prefix).then(
      () => {},
      (error: unknown) => {
        this.opened = undefined;
        throw error;
      },
    );
    return this.opened;
  }
}

/** An action logs under its id; its undo under `${actionId}:undo`. */
export function defaultIdempotencyKey(entry: Pick<NewAuditEntry, 'actionId' | 'action'>): string {
  return entry.action.startsWith('undo:') ? `${entry.actionId}:undo` : entry.actionId;
}

function toEntry(row: StoredRow): AuditEntry {
  return { ...(JSON.parse(row.entry) as Omit<AuditEntry, 'hash'>), hash: row.hash };
}
