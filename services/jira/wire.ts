import { z } from 'zod';
import type { ApplicationRole, JiraUser, UserExpand } from './types.js';

/*
 * Jira Data Center's response shapes, parsed as untrusted input: only the fields Reclaim uses,
 * everything else ignored, optional where the spec or real instances disagree.
 */

const listWrapper = <T extends z.ZodType>(item: T) =>
  z
    .object({ items: z.array(item).optional() })
    .optional()
    .nullable();

export const userBeanSchema = z.object({
  key: z.string(),
  name: z.string(),
  displayName: z.string().optional().nullable(),
  emailAddress: z.string().optional().nullable(),
  active: z.boolean(),
  lastLoginTime: z.string().optional().nullable(),
  groups: listWrapper(z.object({ name: z.string() })),
  applicationRoles: listWrapper(z.object({ key: z.string() })),
});
export type UserBean = z.infer<typeof userBeanSchema>;

export const userBeansSchema = z.array(userBeanSchema);

/** `GET /user/list`: `nextCursor` is a string in the response, an int64 in the request. */
export const streamPageSchema = z.object({
  values: z.array(userBeanSchema),
  isLast: z.boolean().optional(),
  nextCursor: z.union([z.string(), z.number()]).optional().nullable(),
});

/** `GET /group/member`. */
export const groupMemberPageSchema = z.object({
  values: z.array(userBeanSchema),
  isLast: z.boolean().optional(),
  total: z.number().optional(),
});

export const serverInfoSchema = z.object({
  version: z.string(),
  versionNumbers: z.array(z.number()).optional(),
  serverTitle: z.string().optional(),
  baseUrl: z.string().optional(),
});

export const myPermissionsSchema = z.object({
  permissions: z.record(z.string(), z.object({ havePermission: z.boolean().optional() })),
});

export const applicationRoleSchema = z.object({
  key: z.string(),
  name: z.string().optional(),
  groups: z.array(z.string()).optional(),
  defaultGroups: z.array(z.string()).optional(),
  numberOfSeats: z.number().optional(),
  remainingSeats: z.number().optional(),
  userCount: z.number().optional(),
  hasUnlimitedSeats: z.boolean().optional(),
});
export const applicationRolesSchema = z.array(applicationRoleSchema);

const crowdAttribute = z.object({ name: z.string(), values: z.array(z.string()).optional() });

/**
 * Crowd's user (`/rest/usermanagement/1/user?expand=attributes`). Crowd nests the list as
 * `attributes.attributes`; a flat list is accepted too.
 */
export const crowdUserSchema = z.object({
  name: z.string().optional(),
  attributes: z
    .union([z.object({ attributes: z.array(crowdAttribute).optional() }), z.array(crowdAttribute)])
    .optional()
    .nullable(),
});
export type CrowdUser = z.infer<typeof crowdUserSchema>;

/** Crowd's `/search?entity-type=user&expand=user,attributes`: `{"expand": "user", "users": [...]}`. */
export const crowdSearchSchema = z.object({ users: z.array(crowdUserSchema) });

export function crowdAttributes(user: CrowdUser): Map<string, string[]> {
  const list = Array.isArray(user.attributes) ? user.attributes : (user.attributes?.attributes ?? []);
  return new Map(list.map((attribute) => [attribute.name, attribute.values ?? []]));
}

/**
 * @param lastLoginCarried whether the response this bean came from carries `lastLoginTime` at
 *   all; only then does a missing value mean "never logged in" (`null`).
 * @param expanded what the request expanded: Jira always sends `groups` and `applicationRoles`
 *   as stubs (`{size, items: []}`), so their items are memberships only when asked for.
 */
export function toJiraUser(
  bean: UserBean,
  lastLoginCarried: boolean,
  expanded: readonly UserExpand[] = [],
): JiraUser {
  const user: JiraUser = { key: bean.key, name: bean.name, active: bean.active };
  if (bean.displayName != null) user.displayName = bean.displayName;
  if (bean.emailAddress != null) user.emailAddress = bean.emailAddress;
  if (typeof bean.lastLoginTime === 'string') user.lastLoginTime = bean.lastLoginTime;
  else if (lastLoginCarried) user.lastLoginTime = null;
  if (expanded.includes('groups') && bean.groups?.items)
    user.groups = bean.groups.items.map((group) => group.name);
  if (expanded.includes('applicationRoles') && bean.applicationRoles?.items)
    user.applicationRoles = bean.applicationRoles.items.map((role) => role.key);
  return user;
}

export function toApplicationRole(bean: z.infer<typeof applicationRoleSchema>): ApplicationRole {
  const role: ApplicationRole = {
    key: bean.key,
    name: bean.name ?? bean.key,
    groups: bean.groups ?? [],
    defaultGroups: bean.defaultGroups ?? [],
    hasUnlimitedSeats: bean.hasUnlimitedSeats ?? false,
  };
  if (bean.numberOfSeats !== undefined) role.numberOfSeats = bean.numberOfSeats;
  if (bean.remainingSeats !== undefined) role.remainingSeats = bean.remainingSeats;
  if (bean.userCount !== undefined) role.userCount = bean.userCount;
  return role;
}
