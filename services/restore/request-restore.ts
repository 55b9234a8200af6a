import { jobIds } from '../../queues/job-ids.js';
import type { RestoreTrigger } from '../../queues/payloads.js';
import type { QueueRegistry } from '../../queues/registry.js';
import type { AuditLog } from '../audit/audit-log.js';
import { JiraNotFoundError } from '../jira/errors.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import { lastReclaim, type LastReclaim } from './last-reclaim.js';
import { queueRestore } from './note-login.js';
import type { RestoreLedger } from './restore-ledger.js';

/*
 * A restore on request (`POST /api/users/:username/restore`, `reclaim restore USERNAME`): the same
 * restore as on login, and also for an account the reclaim deactivated (it is reactivated).
 */

export interface RequestRestoreDeps {
  jira: JiraDirectory;
  audit: AuditLog;
  ledger: RestoreLedger;
  registry: QueueRegistry;
}

export class UnknownRestoreUserError extends Error {
  constructor(readonly username: string) {
    super(`user ${username} not found in Jira`);
    this.name = 'UnknownRestoreUserError';
  }
}

export class NothingToRestoreError extends Error {
  constructor(readonly username: string) {
    super(`nothing to restore for ${username}: the audit log has no reclaim of this user (or it was undone)`);
    this.name = 'NothingToRestoreError';
  }
}

export interface QueuedRestore {
  requestId: string;
  user: { key: string; name: string };
  reclaim: LastReclaim;
}

export async function requestRestore(
  deps: RequestRestoreDeps,
  username: string,
  trigger: RestoreTrigger,
  actor: string,
): Promise<QueuedRestore> {
  // A user the reclaim renamed is found under either name.
  const watched = await deps.ledger.watchedUser({ name: username });
  let key = watched?.userKey;
  if (key === undefined) {
    try {
      key = (await deps.jira.getUser(username)).key;
    } catch (error) {
      if (error instanceof JiraNotFoundError) throw new UnknownRestoreUserError(username);
      throw error;
    }
  }
  const reclaim = await lastReclaim(deps.audit, key);
  if (reclaim === null) throw new NothingToRestoreError(username);
  const requestId = jobIds.restoreOnDemand(key, Date.now().toString(36));
  const user = { key, name: reclaim.username };
  await queueRestore(deps, {
    requestId,
    user,
    trigger,
    actor,
    reclaimRun: reclaim.runId,
    reclaimEntry: reclaim.lastEntry.id,
  });
  return { requestId, user, reclaim };
}
