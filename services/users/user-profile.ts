import type { Change } from '../actions/types.js';
import { hasGroup, snapshotOf } from '../actions/snapshot.js';
import type { UserSnapshot } from '../actions/types.js';
import type { JiraUser } from '../jira/types.js';
import type { UserProfile } from './types.js';

/* The state of a user that a user update touches: the snapshot plus the profile fields. */

export function profileOf(user: JiraUser): UserProfile {
  return {
    ...snapshotOf(user),
    emailAddress: user.emailAddress ?? null,
    displayName: user.displayName ?? null,
  };
}

export function snapshotOfProfile(profile: UserProfile): UserSnapshot {
  return { key: profile.key, name: profile.name, active: profile.active, groups: profile.groups };
}

/**
 * The changes from one state to another, in the order they are made (groups, profile fields,
 * active, the rename last), so an undo that reverses them renames back first.
 */
export function profileChanges(before: UserProfile, after: UserProfile): Change[] {
  const changes: Change[] = [
    ...before.groups
      .filter((group) => !hasGroup(after.groups, group))
      .map((group) => ({ op: 'remove-group' as const, group })),
    ...after.groups
      .filter((group) => !hasGroup(before.groups, group))
      .map((group) => ({ op: 'add-group' as const, group })),
  ];
  for (const field of ['emailAddress', 'displayName'] as const) {
    const to = after[field];
    if (to !== null && to !== before[field]) changes.push({ op: 'update', field, from: before[field], to });
  }
  if (before.active !== after.active)
    changes.push({ op: 'update', field: 'active', from: before.active, to: after.active });
  if (before.name !== after.name)
    changes.push({ op: 'update', field: 'name', from: before.name, to: after.name });
  return changes;
}
