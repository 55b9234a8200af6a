import type { AuditLog } from '../audit/audit-log.js';
import { AUDIT_ID_DIGITS } from '../audit/types.js';
import { isReclaimEntry } from './last-reclaim.js';
import type { RestoreLedger, WatchedUser } from './restore-ledger.js';

/** restore_cursor: the id of the last audit entry the watch list has taken in. */
const AUDIT_CURSOR = 'audit';
const PAGE = 1_000;
/** The first id of the log (zero-padded like every id). */
const FIRST_ID = '1'.padStart(AUDIT_ID_DIGITS, '0');

/**
 * Brings the watch list up to date with the audit log, from where it stopped: a user a reclaim
 * took something from is watched (under their last reclaim), a user a restore gave it back to
 * is not any more. Reads only the entries appended since the last call; safe to run from
 * several processes at once (every write is an idempotent upsert, the position only advances).
 * Returns how many entries it read.
 */
export async function syncWatchList(audit: AuditLog, ledger: RestoreLedger): Promise<number> {
  const last = await ledger.cursor(AUDIT_CURSOR);
  let fromId: string | null = last === null ? FIRST_ID : nextId(last);
  let read = 0;
  while (fromId !== null) {
    const page = await audit.entries({ fromId, limit: PAGE });
    // A page's reclaims are written together, each user once (their latest reclaim entry).
    let pending = new Map<string, WatchedUser>();
    const flush = async () => {
      await ledger.watch([...pending.values()]);
      pending = new Map();
    };
    for (const entry of page.entries) {
      read += 1;
      if (isReclaimEntry(entry)) {
        const earlier = pending.get(entry.user.key);
        const deactivated = entry.changes.some(
          (change) => change.op === 'update' && change.field === 'active' && change.to === false,
        );
        pending.set(entry.user.key, {
          userKey: entry.user.key,
          username: entry.after?.name ?? entry.user.name,
          runId: entry.runId,
          reclaimEntry: entry.id,
          reclaimedAt: new Date(entry.at),
          deactivated: deactivated || (earlier?.runId === entry.runId && earlier.deactivated),
        });
      } else if (entry.action === 'restore' && entry.outcome !== 'skipped') {
        // In log order: what is pending is written before the restore ends it.
        await flush();
        await ledger.unwatch(entry.user.key, entry.id);
      }
    }
    await flush();
    const lastOfPage = page.entries.at(-1)?.id;
    if (lastOfPage !== undefined) await ledger.advanceCursor(AUDIT_CURSOR, lastOfPage);
    fromId = page.nextFromId;
  }
  return read;
}

/** The id after `id`: ids are zero-padded sequence numbers. */
function nextId(id: string): string {
  return String(Number(id) + 1).padStart(id.length, '0');
}
