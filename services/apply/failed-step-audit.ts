import { changesOfAction } from '../actions/changes-of-action.js';
import { readUser } from '../actions/read-user.js';
import { changesBetween, snapshotOf } from '../actions/snapshot.js';
import type { ActionRequest, Change, UserSnapshot } from '../actions/types.js';
import type { NewAuditEntry } from '../audit/types.js';
import type { JiraDirectory } from '../jira/jira-directory.js';

/** What the audit log can say about a step that failed for good. */
export type FailedStepEffect = Pick<NewAuditEntry, 'before' | 'after' | 'changes' | 'notes'> & {
  /** Added to the failure's reason, e.g. that the state after is unknown. */
  caveat?: string;
};

/**
 * What a failed step changed before it failed (2 of 3 groups removed, then the third call
 * refused), so that undoing the run restores it: the state kept before the first attempt
 * compared with the user as Jira holds it now, limited to what this action could have done.
 *
 * When Jira cannot be read now, the state before is still recorded and the state after is said
 * to be unknown; such an entry lists no changes, so an undo of the run leaves that user alone.
 */
export async function failedStepEffect(
  jira: JiraDirectory,
  request: ActionRequest,
  before: UserSnapshot | null,
): Promise<FailedStepEffect> {
  if (before === null) return { before: null, after: null, changes: [] };
  let now: UserSnapshot | null;
  try {
    const user = await readUser(jira, request.user.key);
    now = user === null ? null : snapshotOf(user);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      before,
      after: null,
      changes: [],
      caveat: `the state after is unknown: re-reading the user failed (${why})`,
    };
  }
  if (now === null) return { before, after: null, changes: [], caveat: 'the user no longer exists' };
  const changes: Change[] = changesOfAction(request.action, changesBetween(before, now));
  return {
    before,
    after: now,
    changes,
    ...(changes.length > 0
      ? { notes: [`changed in Jira before failing: ${changes.map(describeChange).join(', ')}`] }
      : {}),
  };
}

function describeChange(change: Change): string {
  if (change.op === 'remove-group') return `left ${change.group}`;
  if (change.op === 'add-group') return `joined ${change.group}`;
  return `${change.field} ${String(change.from)} → ${String(change.to)}`;
}
