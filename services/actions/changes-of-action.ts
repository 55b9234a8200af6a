import type { PlannedAction } from '../policy/types.js';
import { renameCandidates } from './rename-user.js';
import { hasGroup, sameName } from './snapshot.js';
import type { Change } from './types.js';

/**
 * Of the differences found on a user, the ones this action could have made: its own groups,
 * its own switch of `active`, a rename onto its target or a variant of it. A difference made
 * by someone else meanwhile (an admin adding a group) is not claimed, so an undo never
 * reverses it.
 */
export function changesOfAction(action: PlannedAction, changes: readonly Change[]): Change[] {
  return changes.filter((change) => {
    switch (action.type) {
      case 'revoke-license':
      case 'remove-groups':
        return change.op === 'remove-group' && hasGroup(action.groups, change.group);
      case 'add-groups':
        return change.op === 'add-group' && hasGroup(action.groups, change.group);
      case 'deactivate':
        return change.op === 'update' && change.field === 'active' && change.to === false;
      case 'rename':
        return (
          change.op === 'update' &&
          change.field === 'name' &&
          renameCandidates(action.to).some((candidate) => sameName(candidate, change.to))
        );
    }
  });
}
