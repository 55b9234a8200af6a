import type { Redis } from 'ioredis';
import { canonicalJson } from '../runs/canonical-json.js';
import { appendEntryScript } from './append-script.js';
import { entryHash, formatAuditId, parseAuditId } from './audit-hash.js';
import { auditKeys, auditRunKey, auditUserKey } from './keys.js';
import { verifyChain } from './verify-chain.js';
import {
  GENESIS_HASH,
  type AuditEntry,
  type AuditPage,
  type AuditPageOptions,
  type AuditVerification,
  type NewAuditEntry,
} from './types.js';

/** Appends lost to a concurrent appender before giving up; each loss means another entry got in. */
const MAX_APPEND_ATTEMPTS = 200;
const STREAM_PAGE_SIZE = 500;
/** A page never holds more, so one request cannot make Redis send the whole log. */
export const MAX_AUDIT_PAGE_SIZE = 5_000;

/**
 * The append-only audit log of every change Reclaim makes in Jira: a single hash chain in Redis
 * (each entry carries the hash of the one before), so that an altered or removed entry shows.
 * Safe to use from any number of processes at once.
 */
export class AuditLog {
  private readonly keys: ReturnType<typeof auditKeys>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.keys = auditKeys(prefix);
  }

  /**
   * Logs the entry at the end of the chain, or returns the entry logged before under the same
   * idempotency key (a retried job logs once).
   */
  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const { idempotencyKey: givenKey, ...fields } = entry;
    const idempotencyKey = givenKey ?? defaultIdempotencyKey(entry);
    const runKey = auditRunKey(this.prefix, entry.runId);
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const [sequenceText, tail] = await this.redis.mget(this.keys.sequence, this.keys.tail);
      const sequence = Number(sequenceText ?? '0');
      const unsigned: Omit<AuditEntry, 'hash'> = {
        ...fields,
        id: formatAuditId(sequence + 1),
        at: new Date().toISOString(),
        idempotencyKey,
        prevHash: tail ?? GENESIS_HASH,
      };
      const logged: AuditEntry = { ...unsigned, hash: entryHash(unsigned) };
      const [status, existingId] = (await appendEntryScript.run(
        this.redis,
        [
          this.keys.sequence,
          this.keys.tail,
          this.keys.entries,
          this.keys.byKey,
          runKey,
          auditUserKey(this.prefix, entry.user.key),
        ],
        [sequence, unsigned.prevHash, idempotencyKey, logged.id, logged.hash, canonicalJson(logged)],
      )) as [string, string | undefined];
      if (status === 'ok') return logged;
      if (status === 'exists') {
        const existing = await this.get(existingId as string);
        if (existing === null) throw new Error(`audit entry ${existingId} is indexed but missing`);
        return existing;
      }
      // Someone appended first: let the winners through before reading the new tail.
      await sleep(Math.random() * Math.min(50, attempt * 2));
    }
    throw new Error(
      `audit log: could not append after ${MAX_APPEND_ATTEMPTS} attempts (too much contention)`,
    );
  }

  async get(id: string): Promise<AuditEntry | null> {
    const stored = await this.redis.hget(this.keys.entries, id);
    return stored === null ? null : (JSON.parse(stored) as AuditEntry);
  }

  /** The entry of an action (its default idempotency key), or null when it was never logged. */
  findByAction(actionId: string): Promise<AuditEntry | null> {
    return this.findByKey(actionId);
  }

  async findByKey(idempotencyKey: string): Promise<AuditEntry | null> {
    const id = await this.redis.hget(this.keys.byKey, idempotencyKey);
    return id === null ? null : this.get(id);
  }

  /** How many entries have been appended (including any since removed). */
  async count(): Promise<number> {
    return Number((await this.redis.get(this.keys.sequence)) ?? '0');
  }

  /** One page in log order, of the whole log or of one run. */
  async entries(options: AuditPageOptions): Promise<AuditPage> {
    const limit = Math.min(MAX_AUDIT_PAGE_SIZE, Math.max(1, Math.floor(options.limit) || 1));
    const from = options.fromId === undefined ? 1 : parseAuditId(options.fromId);
    if (from === undefined) throw new Error(`not an audit entry id: ${options.fromId}`);
    const ids =
      options.userKey !== undefined
        ? await this.indexIdsFrom(auditUserKey(this.prefix, options.userKey), from, limit + 1)
        : options.runId === undefined
          ? await this.idsFrom(from, limit + 1)
          : await this.indexIdsFrom(auditRunKey(this.prefix, options.runId), from, limit + 1);
    const more = ids.length > limit;
    const pageIds = ids.slice(0, limit);
    const stored = pageIds.length ? await this.redis.hmget(this.keys.entries, ...pageIds) : [];
    // An id without an entry was removed behind the log's back: verify() reports it.
    const entries = stored
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as AuditEntry);
    return { entries, nextFromId: more ? (ids[limit] as string) : null };
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
   * Recomputes the chain from the first entry: names the first entry that is missing, altered,
   * or does not link to the one before.
   */
  async verify(): Promise<AuditVerification> {
    const [sequenceText, tail] = await this.redis.mget(this.keys.sequence, this.keys.tail);
    return verifyChain(this.storedBatches(Number(sequenceText ?? '0')), tail ?? GENESIS_HASH);
  }

  /** The stored JSON of ids 1..last, in batches; null where an entry is missing. */
  private async *storedBatches(last: number): AsyncGenerator<(string | null)[]> {
    for (let from = 1; from <= last; from += STREAM_PAGE_SIZE) {
      const ids = await this.idsFrom(from, STREAM_PAGE_SIZE, last);
      yield await this.redis.hmget(this.keys.entries, ...ids);
    }
  }

  /** Consecutive ids from `from`, never beyond the last appended. */
  private async idsFrom(from: number, count: number, last?: number): Promise<string[]> {
    const end = Math.min(from + count - 1, last ?? (await this.count()));
    const ids: string[] = [];
    for (let sequence = from; sequence <= end; sequence++) ids.push(formatAuditId(sequence));
    return ids;
  }

  private indexIdsFrom(index: string, from: number, count: number): Promise<string[]> {
    return this.redis.zrangebyscore(index, from, '+inf', 'LIMIT', 0, count);
  }
}

/** An action logs under its id; its undo under `${actionId}:undo`. */
export function defaultIdempotencyKey(entry: Pick<NewAuditEntry, 'actionId' | 'action'>): string {
  return entry.action.startsWith('undo:') ? `${entry.actionId}:undo` : entry.actionId;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
