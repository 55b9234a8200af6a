import { readUser, UserGoneError } from '../actions/read-user.js';
import { UserEditor } from '../actions/user-editor.js';
import type { AuditLog } from '../audit/audit-log.js';
import { JiraNotFoundError } from '../jira/errors.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { JiraUser } from '../jira/types.js';
import type { BatchStore } from './batch-store.js';
import type { BatchRow, UserProfile } from './types.js';
import { profileChanges, profileOf, snapshotOfProfile } from './user-profile.js';
import type { UserUpdate } from './user-update-request.js';

export interface UserUpdateDeps {
  jira: JiraDirectory;
  audit: AuditLog;
  batches: BatchStore;
}

export interface RowJob {
  batchId: string;
  row: number;
  actor: string;
  /** The job's fixed id: the audit entry's action id, so a retried job logs once. */
  actionId: string;
}

export const NOTHING_TO_CHANGE = 'already as requested: nothing to change';

/**
 * Applies one row of a batch, exactly once in effect however often it is delivered: the user is
 * found by the username the row named on the first attempt and by key on every later one (a
 * rename the first attempt made keeps the user findable), and only what still differs is
 * changed. The row's outcome is written once and the change to the audit log, with the batch id
 * as its run id, so the batch can be undone.
 *
 * A refusal no retry can cure (a taken username, an unknown group, a read-only directory) is the
 * row's own `failed` outcome with Jira's reason. Anything a retry may cure (5xx, 429, timeouts) is
 * thrown unchanged for the queue to retry.
 */
export async function applyUserUpdate(deps: UserUpdateDeps, job: RowJob): Promise<BatchRow | null> {
  const row = await deps.batches.row(job.batchId, job.row);
  // Gone (the batch expired) or recorded by an earlier attempt: nothing left to do.
  if (row === null || row.outcome !== 'pending' || row.update === undefined) return row;

  const subject = await deps.batches.subject(job.batchId, job.row);
  const user =
    subject === null ? await userByName(deps.jira, row.username) : await readUser(deps.jira, subject.key);
  if (user === null) {
    const reason =
      subject === null
        ? `no Jira user named ${row.username}`
        : `the Jira user with key ${subject.key} no longer exists`;
    await deps.batches.recordOutcome(job.batchId, row, { outcome: 'failed', reason });
    return { ...row, outcome: 'failed', reason };
  }
  const original = await deps.batches.rememberSubject(job.batchId, job.row, profileOf(user));

  const editor = new UserEditor(deps.jira, user);
  let gone = false;
  try {
    await perform(editor, row.update);
  } catch (error) {
    if (!(error instanceof UserGoneError)) throw error;
    gone = true;
  }
  const result = editor.result(snapshotOfProfile(profileOf(user)));
  const after = profileOf(editor.current);
  // From the state the first attempt read: a retry after a crash still reports every change.
  const changes = profileChanges(original, after);
  const refused = gone
    ? `the Jira user with key ${original.key} no longer exists`
    : result.outcome === 'not-possible'
      ? result.reason
      : undefined;
  await deps.audit.append({
    ...rowEntry(job, original, gone ? null : after),
    outcome: refused !== undefined ? 'not-possible' : changes.length > 0 ? 'done' : 'skipped',
    ...(refused !== undefined
      ? { reason: refused }
      : changes.length === 0
        ? { reason: NOTHING_TO_CHANGE }
        : {}),
    ...(result.notes?.length ? { notes: result.notes } : {}),
    changes,
  });
  const outcome: Omit<BatchRow, 'row' | 'username'> =
    refused !== undefined
      ? { outcome: 'failed', reason: refused, key: original.key, changes }
      : changes.length > 0
        ? { outcome: 'done', key: original.key, changes }
        : { outcome: 'skipped', reason: NOTHING_TO_CHANGE, key: original.key, changes };
  await deps.batches.recordOutcome(job.batchId, row, outcome);
  return { ...row, ...outcome };
}

/**
 * The row failed for good (its attempts used up, or a permanent Jira error): written as its
 * outcome, and to the audit log with what it changed before failing, so an undo restores it.
 */
export async function recordRowFailure(deps: UserUpdateDeps, job: RowJob, reason: string): Promise<void> {
  const row = await deps.batches.row(job.batchId, job.row);
  if (row === null || row.outcome !== 'pending') return;
  const original = await deps.batches.subject(job.batchId, job.row);
  let changes: ReturnType<typeof profileChanges> = [];
  if (original !== null) {
    const now = await readUser(deps.jira, original.key)
      .then((user) => (user === null ? null : profileOf(user)))
      .catch(() => null);
    changes = now === null ? [] : profileChanges(original, now);
    await deps.audit.append({ ...rowEntry(job, original, now), outcome: 'failed', reason, changes });
  }
  await deps.batches.recordOutcome(job.batchId, row, {
    outcome: 'failed',
    reason,
    ...(original ? { key: original.key, changes } : {}),
  });
}

/** What every audit entry of a row says: the batch, the operator, the user before and after. */
function rowEntry(job: RowJob, original: UserProfile, after: UserProfile | null) {
  return {
    runId: job.batchId,
    actionId: job.actionId,
    actor: job.actor,
    action: 'update-user' as const,
    user: { key: original.key, name: original.name },
    before: snapshotOfProfile(original),
    after: after === null ? null : snapshotOfProfile(after),
  };
}

/** Groups first, then the profile fields and `active`, the rename last (the key stays). */
async function perform(editor: UserEditor, update: UserUpdate): Promise<void> {
  if (update.groups) {
    await editor.leaveGroups(update.groups.remove);
    await editor.joinGroups(update.groups.add);
    if (editor.missingGroups.length > 0) {
      // Nothing else is changed: the operator fixes the row and sends it again.
      editor.refuse(`unknown group: ${editor.missingGroups.join(', ')} does not exist in Jira`);
      return;
    }
  }
  if (update.emailAddress !== undefined) await editor.setField('emailAddress', update.emailAddress);
  if (update.displayName !== undefined) await editor.setField('displayName', update.displayName);
  if (update.active !== undefined) await editor.setActive(update.active);
  if (update.name !== undefined && !(await editor.renameTo(update.name))) {
    editor.refuse(`username ${update.name} already exists in Jira: not renamed`);
  }
}

async function userByName(jira: JiraDirectory, name: string): Promise<JiraUser | null> {
  try {
    return await jira.getUser(name, { expand: ['groups'] });
  } catch (error) {
    if (error instanceof JiraNotFoundError) return null;
    throw error;
  }
}
