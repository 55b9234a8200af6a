import { stateKey } from '../../queues/connection.js';

/*
 * The audit log's keys, under the prefix's hash tag (one Cluster slot for the append script):
 * - `audit:seq`: the id of the last entry (a number).
 * - `audit:tail`: the hash of the last entry, which the next one links to.
 * - `audit:entries`: hash id → the entry's canonical JSON.
 * - `audit:by-key`: hash idempotency key → id.
 * - `audit:run:{runId}`: sorted set of the run's entry ids, scored by sequence.
 * - `audit:user:{userKey}`: sorted set of the entry ids about one Jira user (by key, which
 *   survives renames), scored by sequence. Kept for good, like the log it indexes.
 */
export function auditKeys(prefix: string) {
  return {
    sequence: stateKey(prefix, 'audit', 'seq'),
    tail: stateKey(prefix, 'audit', 'tail'),
    entries: stateKey(prefix, 'audit', 'entries'),
    byKey: stateKey(prefix, 'audit', 'by-key'),
  };
}

export function auditRunKey(prefix: string, runId: string): string {
  return stateKey(prefix, 'audit', 'run', runId);
}

export function auditUserKey(prefix: string, userKey: string): string {
  return stateKey(prefix, 'audit', 'user', userKey);
}
