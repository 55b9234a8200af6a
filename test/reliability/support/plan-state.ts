import type { PlanLine } from '../../../services/runs/types.js';
import type { MutationRecord } from '../../../simulator/index.js';
import { SYNTHETIC_DIRECTORIES } from '../../../simulator/synthetic-enterprise.js';
import type { AccountState } from './sim-state.js';

/* What a plan makes of Jira, in the terms of the simulator's mutation log. */

/** The synthetic enterprise's read-only directories (its Corporate LDAP). */
export const READ_ONLY_DIRECTORIES: ReadonlySet<number> = new Set(
  SYNTHETIC_DIRECTORIES.filter((d) => d.readOnly).map((d) => d.id),
);

/** A change as one line: `remove-group jira-software-users`, `active=false`, `name=bob_inactive_…`. */
export type ChangeText = string;

export function changeTexts(record: MutationRecord): ChangeText[] {
  return record.changes.map((change) =>
    change.op === 'update' ? `${change.field}=${String(change.to)}` : `${change.op} ${change.group}`,
  );
}

/** A user's state once its plan line is carried out, and the Jira changes that take it there. */
export function planApplied(
  initial: AccountState,
  line: PlanLine,
  readOnly: boolean,
): { state: AccountState; changes: ChangeText[] } {
  const groups = new Set(initial.groups);
  let { name, active } = initial;
  const changes: ChangeText[] = [];
  for (const action of line.actions) {
    if (action.type === 'revoke-license' || action.type === 'remove-groups') {
      for (const group of action.groups) if (groups.delete(group)) changes.push(`remove-group ${group}`);
    } else if (action.type === 'add-groups') {
      for (const group of action.groups) {
        if (!groups.has(group)) changes.push(`add-group ${group}`);
        groups.add(group);
      }
    } else if (action.type === 'deactivate') {
      // A read-only directory refuses it: `not-possible`, with Jira's reason (PRODUCT.md §3).
      if (!readOnly && active) {
        active = false;
        changes.push('active=false');
      }
    } else if (!readOnly) {
      name = action.to;
      changes.push(`name=${action.to}`);
    }
  }
  return { state: { name, active, groups: [...groups].sort() }, changes };
}

/** Changes Jira applied to the same user twice (`name: change`), over the whole log. */
export function changesAppliedTwice(log: readonly MutationRecord[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const record of log) {
    for (const change of changeTexts(record)) {
      const id = `${record.key} ${change}`;
      if (seen.has(id)) twice.push(`${record.name}: ${change}`);
      seen.add(id);
    }
  }
  return twice;
}
