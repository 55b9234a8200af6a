import type { SimulatorContext } from './simulator-context.js';

/* The user shapes of Jira's REST API, built from the store on each request. */

export function userSelf(context: SimulatorContext, name: string): string {
  return `${context.baseUrl}/rest/api/2/user?username=${encodeURIComponent(name)}`;
}

export function groupSelf(context: SimulatorContext, groupName: string): string {
  return `${context.baseUrl}/rest/api/2/group?groupname=${encodeURIComponent(groupName)}`;
}

function avatarUrls(context: SimulatorContext, key: string): Record<string, string> {
  const owner = encodeURIComponent(key);
  const url = (size: string) => `${context.baseUrl}/secure/useravatar?size=${size}&ownerId=${owner}`;
  return { '48x48': url('large'), '24x24': url('small'), '16x16': url('xsmall'), '32x32': url('medium') };
}

/** UserJsonBean: the short form used by `/group/member`. */
export function userJsonBean(context: SimulatorContext, index: number): Record<string, unknown> {
  const store = context.world.store;
  const name = store.name(index);
  const key = store.key(index);
  return {
    self: userSelf(context, name),
    key,
    name,
    emailAddress: store.emailAddress(index),
    avatarUrls: avatarUrls(context, key),
    displayName: store.displayName(index),
    active: store.isActive(index),
    timeZone: store.timeZone(index),
  };
}

export type UserExpansion = 'groups' | 'applicationRoles';

/**
 * UserBean. `groups` and `applicationRoles` are always there, as Jira sends them: stubs with the
 * count and no items, filled only when expanded. lastLoginTime appears only on profiles that have it and only for users who
 * logged in; the directory a user comes from is never shown, as in Jira.
 */
export function userBean(
  context: SimulatorContext,
  index: number,
  expand: ReadonlySet<UserExpansion> = new Set(),
): Record<string, unknown> {
  const store = context.world.store;
  const bean: Record<string, unknown> = {
    ...userJsonBean(context, index),
    deleted: false,
    locale: store.locale(index),
  };
  if (context.traits.hasLastLoginTime) {
    const lastLoginTime = store.lastLoginTime(index);
    if (lastLoginTime !== undefined) bean.lastLoginTime = lastLoginTime;
  }
  const groups = store.groupNamesOf(index);
  bean.groups = {
    size: groups.length,
    items: expand.has('groups')
      ? groups.map((group) => ({ name: group, self: groupSelf(context, group) }))
      : [],
  };
  const roles = store.rolesOf(index);
  bean.applicationRoles = {
    size: roles.length,
    items: expand.has('applicationRoles') ? roles.map((role) => ({ key: role.key, name: role.name })) : [],
  };
  // Jira names the expandable parts, expanded or not.
  bean.expand = 'groups,applicationRoles';
  return bean;
}
