import type { Redis } from 'ioredis';
import { LuaScript } from '../runs/lua-script.js';
import { BATCH_TTL_SECONDS, batchKeys } from './batch-keys.js';
import type { Batch, BatchRow, BatchUndoSummary, RowOutcome, UserProfile } from './types.js';

const OUTCOMES: RowOutcome[] = ['pending', 'done', 'failed', 'skipped'];

/**
 * A row's outcome is recorded once: only over the row as the caller read it, still pending,
 * and counted in the same step, so a retried or duplicated job never counts twice.
 * KEYS: record, rows, subjects. ARGV: row number, expected JSON, new JSON, outcome, ttl.
 */
const recordOutcomeScript = new LuaScript(`
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[1], 'pending', -1)
redis.call('HINCRBY', KEYS[1], ARGV[4], 1)
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[5]) end
return 1
`);

/** The state of user-update batches: their record, every row and its outcome (see batch-keys.ts). */
export class BatchStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keys(id: string) {
    return batchKeys(this.prefix, id);
  }

  async create(id: string, actor: string): Promise<void> {
    const keys = this.keys(id);
    const counts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0]));
    await this.redis
      .multi()
      .hset(keys.record, { id, actor, createdAt: new Date().toISOString(), received: 0, ...counts })
      .expire(keys.record, BATCH_TTL_SECONDS)
      .exec();
  }

  /** Adds received rows (pending, or failed when the row itself is invalid). */
  async addRows(id: string, rows: BatchRow[]): Promise<void> {
    if (rows.length === 0) return;
    const keys = this.keys(id);
    const multi = this.redis.multi();
    multi.hset(keys.rows, Object.fromEntries(rows.map((row) => [String(row.row), JSON.stringify(row)])));
    for (const outcome of OUTCOMES) {
      const n = rows.filter((row) => row.outcome === outcome).length;
      if (n > 0) multi.hincrby(keys.record, outcome, n);
    }
    multi.hincrby(keys.record, 'received', rows.length);
    multi.expire(keys.rows, BATCH_TTL_SECONDS).expire(keys.record, BATCH_TTL_SECONDS);
    await multi.exec();
  }

  /** Every row is in: the batch's total is known. */
  async seal(id: string, total: number): Promise<void> {
    await this.redis.hset(this.keys(id).record, 'total', total);
  }

  /** Removes a batch that was refused as a whole (e.g. too many rows). */
  async discard(id: string): Promise<void> {
    const keys = this.keys(id);
    await this.redis.del(keys.record, keys.rows, keys.subjects);
  }

  async get(id: string): Promise<Batch | null> {
    const record = await this.redis.hgetall(this.keys(id).record);
    if (!record.id) return null;
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, Number(record[o] ?? 0)])) as Batch['counts'];
    const total = record.total === undefined ? null : Number(record.total);
    return {
      id: record.id,
      actor: record.actor ?? '',
      createdAt: record.createdAt ?? '',
      status: total === null ? 'receiving' : counts.pending > 0 ? 'running' : 'done',
      total,
      counts,
      ...(record.undo ? { undo: JSON.parse(record.undo) as BatchUndoSummary } : {}),
    };
  }

  async row(id: string, row: number): Promise<BatchRow | null> {
    const json = await this.redis.hget(this.keys(id).rows, String(row));
    return json === null ? null : (JSON.parse(json) as BatchRow);
  }

  /** Rows `from` … `from + count - 1` that exist, in order. */
  async rows(id: string, from: number, count: number): Promise<BatchRow[]> {
    if (count <= 0) return [];
    const numbers = Array.from({ length: count }, (_, i) => String(from + i));
    const stored = await this.redis.hmget(this.keys(id).rows, ...numbers);
    return stored.filter((json): json is string => json !== null).map((json) => JSON.parse(json) as BatchRow);
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
    const keys = this.keys(id);
    const { update: _update, ...kept } = pending;
    const next: BatchRow = { ...kept, ...outcome, row: pending.row, username: pending.username };
    const recorded = await recordOutcomeScript.run(
      this.redis,
      [keys.record, keys.rows, keys.subjects],
      [
        String(pending.row),
        JSON.stringify(pending),
        JSON.stringify(next),
        outcome.outcome,
        BATCH_TTL_SECONDS,
      ],
    );
    return recorded === 1;
  }

  /** Keeps the user as the row's first attempt read it; returns the state kept (the first one). */
  async rememberSubject(id: string, row: number, profile: UserProfile): Promise<UserProfile> {
    const key = this.keys(id).subjects;
    const [[, , kept]] = (await this.redis
      .multi()
      .hsetnx(key, String(row), JSON.stringify(profile))
      .expire(key, BATCH_TTL_SECONDS)
      .hget(key, String(row))
      .exec()
      .then((replies) => [(replies ?? []).map(([, value]) => value)])) as [[unknown, unknown, string]];
    return JSON.parse(kept) as UserProfile;
  }

  async subject(id: string, row: number): Promise<UserProfile | null> {
    const json = await this.redis.hget(this.keys(id).subjects, String(row));
    return json === null ? null : (JSON.parse(json) as UserProfile);
  }

  async recordUndo(id: string, summary: BatchUndoSummary): Promise<void> {
    await this.redis.hset(this.keys(id).record, 'undo', JSON.stringify(summary));
  }
}
