import type { RecordsQueryable } from '../records/records-db.js';
import { formatAuditId } from './audit-hash.js';
import type { AuditEntry, AuditVerification } from './types.js';
import { GENESIS_HASH } from './types.js';

const VERIFY_BATCH = 1_000;

interface ChainRow {
  seq: number;
  idempotency_key: string;
  action_id: string;
  run_id: string;
  user_key: string;
  at_ms: number;
  prev_hash: string;
  hash: string;
  /** sha256 hex of prev_hash || entry, computed by the database. */
  computed: string;
  entry: string;
}

/**
 * Walks `audit_log` in seq order from the first entry to the recorded tail, in batches, and
 * checks that no seq is missing, that each entry links to the one before and still has the hash
 * of its content (recomputed in SQL), and that its indexed columns say what its entry says. The
 * last entry must be the recorded tail: removing entries at the end shows too.
 */
export async function verifyChain(
  db: RecordsQueryable,
  tail: { seq: number; hash: string },
): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let last = 0;
  for (;;) {
    const { rows } = await db.query<ChainRow>(
      `SELECT seq::float8 AS seq, idempotency_key, action_id, run_id, user_key,
              (extract(epoch FROM at) * 1000)::float8 AS at_ms, prev_hash, hash, entry,
              encode(sha256(convert_to(prev_hash || entry, 'UTF8')), 'hex') AS computed
       FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
      [last, tail.seq, VERIFY_BATCH],
    );
    for (const row of rows) {
      const expected = last + 1;
      if (row.seq !== expected) return broken(expected, 'entry is missing');
      const problem = problemOf(row, prevHash);
      if (problem !== undefined) return broken(row.seq, problem);
      prevHash = row.hash;
      last = row.seq;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  if (last < tail.seq) {
    return broken(
      last + 1,
      `entry is missing: the log ends at ${formatAuditId(tail.seq)}, its entries after ${formatAuditId(last)} are gone`,
    );
  }
  if (prevHash !== tail.hash) {
    return broken(last, "entry is not the log's recorded last entry (its hash differs from the tail)");
  }
  return { ok: true, count: last };
}

function broken(seq: number, problem: string): AuditVerification {
  return { ok: false, entryId: formatAuditId(seq), problem };
}

function problemOf(row: ChainRow, prevHash: string): string | undefined {
  if (row.prev_hash !== prevHash) return 'entry does not link to the entry before it (prevHash differs)';
  if (row.computed !== row.hash) return 'entry was altered (its hash does not match its content)';
  let entry: AuditEntry;
  try {
    entry = JSON.parse(row.entry) as AuditEntry;
  } catch {
    return 'entry is not JSON';
  }
  if (entry === null || typeof entry !== 'object') return 'entry is not an object';
  const differs = [
    entry.id !== formatAuditId(row.seq) && 'seq',
    entry.prevHash !== row.prev_hash && 'prev_hash',
    entry.idempotencyKey !== row.idempotency_key && 'idempotency_key',
    entry.actionId !== row.action_id && 'action_id',
    entry.runId !== row.run_id && 'run_id',
    entry.user?.key !== row.user_key && 'user_key',
    Date.parse(entry.at) !== row.at_ms && 'at',
  ].filter((column): column is string => column !== false);
  if (differs.length > 0) return `entry was altered (its ${differs.join(', ')} differ from its content)`;
  return undefined;
}
