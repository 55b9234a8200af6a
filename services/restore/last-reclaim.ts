import type { Change } from '../actions/types.js';
import type { AuditEntry } from '../audit/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import { hasGroup } from '../actions/snapshot.js';

/*
 * What a user's last reclaim took, read from the audit log — the changes Reclaim logged, never a
 * guess: the groups it removed (licence and access groups), the groups it added (the tracking
 * group), whether it deactivated the account. Changes an undo since reversed are left out.
 */

/** The audited actions a reclaim is made of (a run's apply stage). */
export const RECLAIM_ACTIONS: ReadonlySet<string> = new Set([
  'revoke-license',
  'remove-groups',
  'add-groups',
  'deactivate',
  'rename',
]);

export interface LastReclaim {
  runId: string;
  /** The run's last audit entry for the user that changed something. */
  lastEntry: AuditEntry;
  /** The ids of the entries it is made of, in log order. */
  entryIds: string[];
  /** Removed by the reclaim, to join again. */
  removedGroups: string[];
  /** Added by the reclaim (e.g. the tracking group), to leave again. */
  addedGroups: string[];
  deactivated: boolean;
  /** The reclaim renamed the user: from this name to `username`. */
  renamedFrom?: string;
  /** The username the reclaim left the user with (a rename included). */
  username: string;
}

/** Whether an entry is part of a reclaim that took something. */
export function isReclaimEntry(entry: AuditEntry): boolean {
  return RECLAIM_ACTIONS.has(entry.action) && entry.outcome !== 'skipped' && entry.changes.length > 0;
}

/** Reduces one run's reclaim entries of one user (in log order) to what they took. */
export function reclaimOf(entries: readonly AuditEntry[], undone: ReadonlySet<string>): LastReclaim | null {
  const kept = entries.filter((entry) => !undone.has(entry.id));
  if (kept.length === 0) return null;
  const removed: string[] = [];
  const added: string[] = [];
  let deactivated = false;
  let renamedFrom: string | undefined;
  for (const entry of kept) {
    for (const change of entry.changes) {
      if (change.op === 'update' && change.field === 'name') renamedFrom ??= change.from;
      else applyChange(change, removed, added, (value) => (deactivated = value));
    }
  }
  const last = kept[kept.length - 1]!;
  return {
    runId: last.runId,
    lastEntry: last,
    entryIds: kept.map((entry) => entry.id),
    removedGroups: removed,
    addedGroups: added,
    deactivated,
    ...(renamedFrom !== undefined ? { renamedFrom } : {}),
    username: last.after?.name ?? last.user.name,
  };
}

function applyChange(
  change: Change,
  removed: string[],
  added: string[],
  setDeactivated: (value: boolean) => void,
): void {
  if (change.op === 'remove-group') {
    const index = added.findIndex((group) => group.toLowerCase() === change.group.toLowerCase());
    if (index >= 0) added.splice(index, 1);
    else if (!hasGroup(removed, change.group)) removed.push(change.group);
  } else if (change.op === 'add-group') {
    const index = removed.findIndex((group) => group.toLowerCase() === change.group.toLowerCase());
    if (index >= 0) removed.splice(index, 1);
    else if (!hasGroup(added, change.group)) added.push(change.group);
  } else if (change.field === 'active') {
    setDeactivated(change.to === false);
  }
}

/**
 * The user's last reclaim: the newest run with a reclaim entry for them, all that run's reclaim
 * entries for them, less those undone. Null when nothing was ever taken (or all of it was undone).
 */
export async function lastReclaim(audit: AuditLog, userKey: string): Promise<LastReclaim | null> {
  const byRun = new Map<string, AuditEntry[]>();
  const undone = new Set<string>();
  let lastRun: string | undefined;
  for await (const entry of audit.stream({ userKey })) {
    if (entry.action.startsWith('undo:')) {
      if (entry.outcome === 'done' && entry.undoOf !== undefined) undone.add(entry.undoOf);
      continue;
    }
    if (!isReclaimEntry(entry)) continue;
    let entries = byRun.get(entry.runId);
    if (!entries) byRun.set(entry.runId, (entries = []));
    entries.push(entry);
    lastRun = entry.runId;
  }
  if (lastRun === undefined) return null;
  return reclaimOf(byRun.get(lastRun)!, undone);
}
