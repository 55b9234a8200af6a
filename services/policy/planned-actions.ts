import type { PolicyConfig } from '../../config/schema.js';
import { renameTarget } from './rename-target.js';
import { NameSet, namesIn } from './names.js';
import type { PlannedAction, PolicyContext, Reason, UserFacts } from './types.js';

/*
 * The actions each verdict plans. Group lists name the groups exactly as the user holds them,
 * so that the action workers and an undo restore the same spelling.
 */

export interface PlannedWork {
  actions: PlannedAction[];
  /** Reasons that explain an action the admin might expect and does not find. */
  reasons: Reason[];
}

const HOLDS_NO_LICENCE: Reason = {
  signal: 'licence',
  rule: 'holds no licence: nothing to revoke',
};

function licenceGroupsHeld(facts: UserFacts, ctx: PolicyContext): string[] {
  return namesIn(facts.groups, new NameSet(ctx.licenceGroups));
}

function trackingAction(facts: UserFacts, policy: PolicyConfig): PlannedAction | undefined {
  if (policy.trackingGroup === null || new NameSet(facts.groups).has(policy.trackingGroup)) return undefined;
  return { type: 'add-groups', groups: [policy.trackingGroup] };
}

/** never-logged-in and inactive: take the licence back, mark the user in the tracking group. */
export function reclaimActions(facts: UserFacts, policy: PolicyConfig, ctx: PolicyContext): PlannedWork {
  const actions: PlannedAction[] = [];
  const reasons: Reason[] = [];
  const licenceGroups = licenceGroupsHeld(facts, ctx);
  if (licenceGroups.length > 0) actions.push({ type: 'revoke-license', groups: licenceGroups });
  else reasons.push(HOLDS_NO_LICENCE);
  const tracking = trackingAction(facts, policy);
  if (tracking) actions.push(tracking);
  return { actions, reasons };
}

/**
 * left-company: take the licence back, leave every other group except keepGroups (and the
 * tracking group, which the user is about to join), deactivate, then optionally rename.
 */
export function offboardActions(facts: UserFacts, policy: PolicyConfig, ctx: PolicyContext): PlannedWork {
  const { actions, reasons } = reclaimActions(facts, policy, ctx);
  const tracking = actions.find((a) => a.type === 'add-groups');
  const offboard: PlannedAction[] = actions.filter((a) => a.type === 'revoke-license');

  const notRemoved = new NameSet([
    ...policy.keepGroups,
    ...ctx.licenceGroups,
    ...(policy.trackingGroup === null ? [] : [policy.trackingGroup]),
  ]);
  const securityGroups = facts.groups.filter((group) => !notRemoved.has(group));
  if (securityGroups.length > 0) offboard.push({ type: 'remove-groups', groups: securityGroups });

  const directory = facts.jiraDirectory;
  if (directory?.readOnly) {
    // Jira refuses to deactivate or rename a user of a read-only directory: known before the
    // apply, so not planned; the admin acts in the directory itself.
    reasons.push({ signal: 'directory', rule: `not-possible: read-only directory "${directory.name}"` });
  } else {
    offboard.push({ type: 'deactivate' });
    if (policy.rename.enabled) {
      offboard.push({ type: 'rename', to: renameTarget(policy.rename.pattern, facts, ctx.asOf) });
    }
  }
  if (tracking) offboard.push(tracking);
  return { actions: offboard, reasons };
}
