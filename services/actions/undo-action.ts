import type { JiraDirectory } from '../jira/jira-directory.js';
import type { JiraUser } from '../jira/types.js';
import type { AuditEntry } from '../audit/types.js';
import { readUser, userNamed, UserGoneError } from './read-user.js';
import { applyChanges, sameName, snapshotOf } from './snapshot.js';
import { USER_GONE, type ActionDeps, type ActionResult, type Change } from './types.js';
import { UserEditor } from './user-editor.js';

export const NOTHING_TO_UNDO = 'the action changed nothing in Jira: nothing to undo';

/**
 * Reverses the changes an audited action made, last change first: removed groups are joined
 * again, added ones left, the user reactivated and renamed back. Reads the user first and does
 * only what is still needed, so a retried undo does nothing twice.
 *
 * When the user changed since in a way that conflicts (renamed again, the old username taken
 * by someone else) nothing is changed and the outcome is `not-possible`: an undo never
 * overwrites someone else's change. A group that no longer exists cannot be re-joined: the rest
 * is restored and the outcome is `not-possible`, naming the group.
 */
export async function undoAction(deps: ActionDeps, entry: AuditEntry): Promise<ActionResult> {
  const user = await readUser(deps.jira, entry.user.key);
  if (user === null)
    return { outcome: 'not-possible', reason: USER_GONE, before: null, after: null, changes: [] };
  const before = snapshotOf(user);
  if (entry.changes.length === 0) {
    return { outcome: 'skipped', reason: NOTHING_TO_UNDO, before, after: before, changes: [] };
  }
  const conflict = await renameBackConflict(deps.jira, user, entry.changes);
  if (conflict !== undefined)
    return { outcome: 'not-possible', reason: conflict, before, after: before, changes: [] };

  const editor = new UserEditor(deps.jira, user);
  try {
    for (const change of [...entry.changes].reverse()) await reverse(editor, change);
  } catch (error) {
    if (!(error instanceof UserGoneError)) throw error;
    const changes = editor.changes;
    return {
      outcome: 'not-possible',
      reason: USER_GONE,
      before,
      after: applyChanges(before, changes),
      changes,
    };
  }
  if (editor.missingGroups.length > 0) {
    editor.refuse(`cannot rejoin ${editor.missingGroups.join(', ')}: no longer in Jira`);
  }
  return editor.result(before);
}

async function reverse(editor: UserEditor, change: Change): Promise<void> {
  if (change.op === 'add-group') return editor.leaveGroups([change.group]);
  if (change.op === 'remove-group') return editor.joinGroups([change.group]);
  if (change.field === 'active') return editor.setActive(change.from);
  if (change.field !== 'name') {
    // Jira cannot clear a profile field: one that was empty before stays as it is now.
    if (change.from !== null) await editor.setField(change.field, change.from);
    return;
  }
  if (sameName(editor.current.name, change.from)) return;
  if (!(await editor.renameTo(change.from))) {
    editor.refuse(`the old username ${change.from} was taken by another user meanwhile: not renamed back`);
  }
}

/** Why renaming back would overwrite someone else's change, or undefined when it would not. */
async function renameBackConflict(
  jira: JiraDirectory,
  user: JiraUser,
  changes: readonly Change[],
): Promise<string | undefined> {
  const rename = changes.findLast(
    (change): change is Extract<Change, { field: 'name' }> =>
      change.op === 'update' && change.field === 'name',
  );
  if (rename === undefined || sameName(user.name, rename.from)) return undefined;
  if (!sameName(user.name, rename.to)) {
    return `the user was renamed again since (now ${user.name}, Reclaim had renamed it to ${rename.to}): not renamed back to ${rename.from}`;
  }
  const holder = await userNamed(jira, rename.from);
  if (holder !== null && holder.key !== user.key) {
    return `the old username ${rename.from} now belongs to another user (key ${holder.key}): not renamed back`;
  }
  return undefined;
}
