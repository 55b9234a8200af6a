import { stateKey, type RedisClient, scanTargets } from '../../queues/connection.js';
import { canonicalJson } from '../runs/canonical-json.js';
import type { RecordsDb } from '../records/records-db.js';
import { formatAuditId } from './audit-hash.js';
import type { AuditEntry } from './types.js';

/*
 * Earlier versions kept the audit log in Redis: `audit:seq` (the last id), `audit:tail` (its
 * hash), `audit:entries` (id → the entry's canonical JSON, hash included), `audit:by-key`
 * (idempotency key → id) and the indexes `audit:run:{runId}` / `audit:user:{userKey}`. At the
 * first use on a records store whose log is still empty, that chain is copied over as it stands
 * (same ids, same hashes; an entry missing in Redis stays missing, so `audit verify` still names
 * it), and once committed the Redis keys are removed.
 */

const IMPORT_BATCH = 500;

export function legacyAuditKeys(prefix: string) {
  return {
    sequence: stateKey(prefix, 'audit', 'seq'),
    tail: stateKey(prefix, 'audit', 'tail'),
    entries: stateKey(prefix, 'audit', 'entries'),
    byKey: stateKey(prefix, 'audit', 'by-key'),
    /** The run and user indexes. */
    indexPattern: `${stateKey(prefix, 'audit')}:*`,
  };
}

/** Copies a chain left in Redis into an empty `audit_log`; returns how many entries it copied. */
export async function importRedisAuditLog(
  records: RecordsDb,
  redis: RedisClient,
  prefix: string,
): Promise<number> {
  const keys = legacyAuditKeys(prefix);
  const [sequenceText, tailHash] = await redis.mget(keys.sequence, keys.tail);
  if (sequenceText === null) return 0;
  const last = Number(sequenceText);
  const outcome = await records.transaction(async (tx) => {
    const { rows } = await tx.query<{ seq: number }>('SELECT seq::float8 AS seq FROM audit_tail FOR UPDATE');
    const tail = rows[0];
    if (!tail) throw new Error('audit log: the row of audit_tail is missing');
    if (tail.seq > 0) {
      // Copied by another process already (it may not have removed the keys yet), or a log that
      // began in the records store: RedisClient is cleaned only when it holds the same chain.
      const { rows: same } = await tx.query('SELECT 1 FROM audit_log WHERE seq = $1 AND hash = $2', [
        last,
        tailHash ?? '',
      ]);
      return { copied: 0, clean: same.length > 0 };
    }
    let copied = 0;
    for (let from = 1; from <= last; from += IMPORT_BATCH) {
      const ids: string[] = [];
      for (let seq = from; seq <= Math.min(last, from + IMPORT_BATCH - 1); seq++)
        ids.push(formatAuditId(seq));
      const stored = await redis.hmget(keys.entries, ...ids);
      const rows = stored.flatMap((json, i) => importedRow(from + i, json));
      if (rows.length === 0) continue;
      const values = rows.map(
        (_, i) => `(${Array.from({ length: 9 }, (_, j) => `$${i * 9 + j + 1}`).join(', ')})`,
      );
      const inserted = await tx.query(
        `INSERT INTO audit_log (seq, idempotency_key, action_id, run_id, user_key, at, prev_hash, hash, entry)
         VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`,
        rows.flat(),
      );
      copied += inserted.rowCount;
    }
    await tx.query('UPDATE audit_tail SET seq = $1, hash = $2', [last, tailHash ?? '']);
    return { copied, clean: true };
  });
  if (outcome.clean) await removeLegacyKeys(redis, keys);
  return outcome.copied;
}

/**
 * The columns of the entry stored under one id; none for an id without an entry, or one that
 * cannot be read (left as a gap that `audit verify` names).
 */
function importedRow(seq: number, stored: string | null): unknown[][] {
  if (stored === null) return [];
  let entry: AuditEntry;
  try {
    entry = JSON.parse(stored) as AuditEntry;
  } catch {
    return [];
  }
  if (entry === null || typeof entry !== 'object') return [];
  if (typeof entry.idempotencyKey !== 'string' || typeof entry.user?.key !== 'string') return [];
  if (Number.isNaN(Date.parse(entry.at))) return [];
  const { hash, ...unsigned } = entry;
  return [
    [
      seq,
      entry.idempotencyKey,
      entry.actionId,
      entry.runId,
      entry.user.key,
      entry.at,
      entry.prevHash,
      hash,
      canonicalJson(unsigned),
    ],
  ];
}

async function removeLegacyKeys(redis: RedisClient, keys: ReturnType<typeof legacyAuditKeys>): Promise<void> {
  const found: string[] = [];
  // On a cluster the legacy keys (one hash tag) sit on one master; each master is scanned.
  for (const node of await scanTargets(redis)) {
    for await (const batch of node.scanStream({ match: keys.indexPattern, count: 1_000 }) as AsyncIterable<
      string[]
    >) {
      found.push(...batch);
    }
  }
  const last = [keys.sequence, keys.tail];
  const all = [...new Set([keys.entries, keys.byKey, ...found])].filter((key) => !last.includes(key));
  for (let i = 0; i < all.length; i += 500) await redis.unlink(...all.slice(i, i + 500));
  // The sequence and tail go last, together: while they are there, the next start finishes this.
  await redis.unlink(...last);
}
