import { z } from 'zod';
import { parseLoginTime } from './login-time.js';

/*
 * The simulator fixture format (PRODUCT.md §4, "Simulator fixture"). Optional fields get
 * Jira's usual defaults when the store is built, so a hand-written fixture can stay short.
 */

export const profileSchema = z.enum(['dc9', 'dc10', 'dc11']);
export type Profile = z.infer<typeof profileSchema>;

const loginTimeSchema = z.string().refine((text) => parseLoginTime(text) !== undefined, {
  message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-08-31T09:00:00+1000',
});

export const fixtureApplicationRoleSchema = z.object({
  key: z.string().min(1),
  name: z.string().min(1),
  groups: z.array(z.string().min(1)).default([]),
  defaultGroups: z.array(z.string().min(1)).default([]),
  /** -1 means unlimited seats, as Jira reports it. */
  numberOfSeats: z.number().int().min(-1).default(-1),
  selectedByDefault: z.boolean().optional(),
  platform: z.boolean().optional(),
});

export const fixtureDirectorySchema = z.object({
  id: z.number().int().nonnegative(),
  name: z.string().min(1),
  readOnly: z.boolean().default(false),
});

export const fixtureUserSchema = z.object({
  name: z.string().min(1),
  key: z.string().min(1).optional(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
  active: z.boolean().default(true),
  directoryId: z.number().int().nonnegative().optional(),
  groups: z.array(z.string().min(1)).default([]),
  /** Absent: the user never logged in. */
  lastLoginTime: loginTimeSchema.optional(),
  /** When the account was created (Jira's database knows it, REST does not); unknown when absent. */
  createdDate: loginTimeSchema.optional(),
  timeZone: z.string().optional(),
  locale: z.string().optional(),
});

export const fixtureScimUserSchema = z.object({
  userName: z.string().min(1),
  active: z.boolean().default(true),
  displayName: z.string().optional(),
  emails: z.array(z.object({ value: z.string(), primary: z.boolean().optional() })).optional(),
  /* Read by the simulated IdPs (Okta, Entra ID, Google) only; SCIM ignores them. */
  /** The account's e-mail; default the primary of `emails`, else the userName if it is one, else userName@example.com. */
  email: z.string().min(1).optional(),
  /** Okta's status (ACTIVE, SUSPENDED, DEPROVISIONED, …); default from `active`. */
  status: z.string().min(1).optional(),
  /** Google's flags; `suspended` defaults to not `active`. */
  suspended: z.boolean().optional(),
  archived: z.boolean().optional(),
  /** More attributes: an Okta profile attribute, a Graph property, a Google custom field `Schema.field`. */
  attributes: z.record(z.string(), z.string()).optional(),
});

export const fixtureExternalDirectorySchema = z.object({
  type: z.string().min(1),
  users: z.array(fixtureScimUserSchema).default([]),
});

export const fixtureSchema = z
  .object({
    profile: profileSchema.optional(),
    applicationRoles: z.array(fixtureApplicationRoleSchema).default([]),
    directories: z
      .array(fixtureDirectorySchema)
      .min(1)
      .default([{ id: 1, name: 'Jira Internal Directory', readOnly: false }]),
    groups: z.array(z.string().min(1)).default([]),
    users: z.array(fixtureUserSchema).default([]),
    externalDirectory: fixtureExternalDirectorySchema.optional(),
    /**
     * Global permissions held by groups, as Jira's database keeps them (`ADMINISTER`,
     * `SYSTEM_ADMIN`, …). Default: jira-administrators ADMINISTER, jira-system-administrators SYSTEM_ADMIN.
     */
    globalPermissions: z
      .array(z.object({ permission: z.string().min(1), group: z.string().min(1) }))
      .optional(),
  })
  .superRefine((fixture, context) => {
    const directoryIds = new Set(fixture.directories.map((directory) => directory.id));
    const names = new Set<string>();
    const keys = new Set<string>();
    fixture.users.forEach((user, index) => {
      const lowerName = user.name.toLowerCase();
      if (names.has(lowerName)) {
        context.addIssue({
          code: 'custom',
          path: ['users', index, 'name'],
          message: `duplicate user name "${user.name}"`,
        });
      }
      names.add(lowerName);
      if (user.key !== undefined) {
        if (keys.has(user.key)) {
          context.addIssue({
            code: 'custom',
            path: ['users', index, 'key'],
            message: `duplicate user key "${user.key}"`,
          });
        }
        keys.add(user.key);
      }
      if (user.directoryId !== undefined && !directoryIds.has(user.directoryId)) {
        context.addIssue({
          code: 'custom',
          path: ['users', index, 'directoryId'],
          message: `no directory with id ${user.directoryId}`,
        });
      }
    });
  });

/** A fixture as written in a file (defaults not yet applied). */
export type FixtureInput = z.input<typeof fixtureSchema>;
/** A parsed fixture, defaults applied. */
export type Fixture = z.output<typeof fixtureSchema>;
export type FixtureUser = z.output<typeof fixtureUserSchema>;
export type FixtureApplicationRole = z.output<typeof fixtureApplicationRoleSchema>;
export type FixtureDirectory = z.output<typeof fixtureDirectorySchema>;
export type FixtureScimUser = z.output<typeof fixtureScimUserSchema>;
