import { stateKey } from '../../queues/connection.js';

/*
 * The keys of one user-update batch, owned by BatchStore alone. Every one ends: each write
 * renews a TTL of BATCH_RETAIN_DAYS, so a batch's outcome report stays readable for that long
 * after its last change and then goes. The audit log, which keeps every change for good, is
 * what an undo reads; the batch state is only its report.
 * - `batch:{id}`: hash — the batch's record (actor, created, rows received, total, counts).
 * - `batch:{id}:rows`: hash row number → the row (username, update, outcome, reason).
 * - `batch:{id}:subjects`: hash row number → the user's key and state as first read (a retry
 *   re-reads by key, so a rename it made does not lose the user).
 */
export const BATCH_RETAIN_DAYS = 30;
export const BATCH_TTL_SECONDS = BATCH_RETAIN_DAYS * 24 * 3600;

export function batchKeys(prefix: string, batchId: string) {
  return {
    record: stateKey(prefix, 'batch', batchId),
    rows: stateKey(prefix, 'batch', batchId, 'rows'),
    subjects: stateKey(prefix, 'batch', batchId, 'subjects'),
  };
}
