import type { JiraUser } from '../jira/types.js';
import type { Change, UserSnapshot } from './types.js';

/* Snapshots of the user state an action touches, and group-name comparison as Jira does it. */

/** Jira compares group names and usernames without regard to case. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function hasGroup(groups: readonly string[], group: string): boolean {
  return groups.some((held) => sameName(held, group));
}

function sortGroups(groups: readonly string[]): string[] {
  return [...groups].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

export function snapshotOf(user: JiraUser): UserSnapshot {
  return { key: user.key, name: user.name, active: user.active, groups: sortGroups(user.groups ?? []) };
}

/** The snapshot after the given changes, as Jira applied them. */
export function applyChanges(snapshot: UserSnapshot, changes: readonly Change[]): UserSnapshot {
  const after: UserSnapshot = { ...snapshot, groups: [...snapshot.groups] };
  for (const change of changes) {
    if (change.op === 'add-group') {
      if (!hasGroup(after.groups, change.group)) after.groups.push(change.group);
    } else if (change.op === 'remove-group') {
      after.groups = after.groups.filter((group) => !sameName(group, change.group));
    } else if (change.field === 'active') {
      after.active = change.to;
    } else if (change.field === 'name') {
      after.name = change.to;
    }
    // Profile fields are not part of the snapshot: the change itself records them.
  }
  return { ...after, groups: sortGroups(after.groups) };
}

/** The changes that lead from one snapshot to another: groups first, then active, then name. */
export function changesBetween(before: UserSnapshot, after: UserSnapshot): Change[] {
  const changes: Change[] = [
    ...before.groups
      .filter((g) => !hasGroup(after.groups, g))
      .map((group) => ({ op: 'remove-group' as const, group })),
    ...after.groups
      .filter((g) => !hasGroup(before.groups, g))
      .map((group) => ({ op: 'add-group' as const, group })),
  ];
  if (before.active !== after.active)
    changes.push({ op: 'update', field: 'active', from: before.active, to: after.active });
  if (before.name !== after.name)
    changes.push({ op: 'update', field: 'name', from: before.name, to: after.name });
  return changes;
}
