import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { isoInstantString } from '../services/time/iso-instant.js';

/*
 * The one description of Reclaim's configuration. Every key has its default here and in
 * config/reclaim.example.yaml; objects are strict so that a misspelt key is reported
 * instead of silently ignored (a typo in `skipGroups` must not un-protect the admins).
 */

const positiveInt = () =>
  z.int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' });
const nonNegativeInt = () =>
  z.int({ error: 'expected a whole number >= 0' }).min(0, { error: 'expected a whole number >= 0' });
const percent = () =>
  z
    .number({ error: 'expected a percentage between 0 and 100' })
    .min(0, { error: 'expected a percentage between 0 and 100' })
    .max(100, { error: 'expected a percentage between 0 and 100' });
const url = (protocols: string[]) =>
  z.string({ error: 'expected a URL' }).refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
const name = () => z.string({ error: 'expected a name' }).min(1, { error: 'expected a non-empty name' });
const names = () => z.array(name(), { error: 'expected a list of names' });

const redisSchema = z.strictObject({
  /** Where BullMQ and Reclaim's own state live. */
  url: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Every key is written under `{prefix}` (hash-tagged, so it works on Redis Cluster). */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, "_", "." or "-"' })
    .default('reclaim'),
});

const jiraSchema = z
  .strictObject({
    url: url(['http:', 'https:']).optional(),
    token: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** The applications whose licences Reclaim manages (Jira application role keys). */
    applications: names().default(['jira-software', 'jira-servicedesk', 'jira-core']),
    /** Our own ceiling of Jira HTTP attempts per second (retries included), shared by every worker on every machine. */
    requestsPerSecond: positiveInt().default(20),
    /** One request's time limit. */
    timeoutMs: positiveInt().default(30_000),
    /** Retries of a failed request (5xx, reset, timeout) inside the client, before the queue's own. */
    retries: nonNegativeInt().default(2),
    /** Page size for user listings. */
    pageSize: positiveInt().default(1000),
    /**
     * Jira 9 keeps last logins only in its Crowd user attributes, read in bulk over
     * /rest/usermanagement/1 with the name and password of an application set up under
     * User management → Jira User Server. That API answers only an application, so the token
     * or username above is never sent there: without this, Jira 9's last logins are unknown
     * and every login rule is undetermined (never taken as "never logged in").
     */
    crowd: z
      .strictObject({ application: z.string().min(1), password: z.string().min(1) })
      .nullable()
      .default(null),
  })
  .refine((jira) => !(jira.username && !jira.password) && !(jira.password && !jira.username), {
    error: 'username and password go together',
    path: ['password'],
  });

const policySchema = z.strictObject({
  inactiveDays: positiveInt().default(90),
  neverLoggedInDays: positiveInt().default(30),
  /** An ISO time with an offset, or a date (00:00 UTC); kept in its canonical UTC form. */
  existingUsersSeenSince: isoInstantString().nullable().default(null),
  skipGroups: names().default(['jira-administrators', 'jira-system-administrators']),
  /**
   * The groups that hold Jira's administer permissions, for an instance that renamed them.
   * Their members are always exempt, whatever `skipGroups` says, and so are the members of
   * jira-administrators and jira-system-administrators.
   */
  adminGroups: names().default(['jira-administrators', 'jira-system-administrators']),
  skipUsers: names().default([]),
  onlyGroups: names().default([]),
  skipDirectories: z.array(z.union([name(), z.int()])).default([]),
  keepGroups: names().default([]),
  trackingGroup: name().nullable().default(null),
  rename: z
    .strictObject({
      enabled: z.boolean({ error: 'expected true or false' }).default(false),
      pattern: z
        .string()
        .refine((p) => p.includes('{username}'), { error: 'the pattern must contain {username}' })
        .default('{username}_inactive_{yyyyMMdd}'),
    })
    .prefault({}),
});

const brakeSchema = z.strictObject({
  maxActions: nonNegativeInt().default(500),
  maxPercentOfUsers: percent().default(5),
});

/**
 * The Jira users a directory source is expected to know. A user outside it is `not-applicable`
 * for that source (a service account is no leaver) and never counts as absent. When both keys
 * are given a user must match both; a key left out (or empty) does not narrow the scope.
 */
const directoryScopeSchema = z.strictObject({
  /** E-mail domains, compared case-insensitively with the part after the last "@". */
  emailDomains: z
    .array(
      z
        .string({ error: 'expected an e-mail domain' })
        .regex(/^[^@\s]+$/, { error: 'expected an e-mail domain such as example.com (no "@")' }),
      { error: 'expected a list of e-mail domains' },
    )
    .default([]),
  /** Jira groups (their members are gathered by the scan). */
  groups: names().default([]),
});

/**
 * How a source's accounts are matched to Jira users, the same keys for every source type:
 * `username` (the directory's username attribute equals the Jira username), `email` (its
 * e-mail attribute equals the Jira e-mail address), `attribute` (the attribute `matchAttribute`
 * equals the Jira username). Compared case-insensitively. Spread into each source's schema and
 * checked with {@link checkDirectoryMatch}.
 */
export const directoryMatchKeys = {
  match: z
    .enum(['username', 'email', 'attribute'], { error: 'expected username, email or attribute' })
    .default('username'),
  matchAttribute: z.string({ error: 'expected an attribute name' }).min(1).optional(),
};

/** `matchAttribute` is required with `match: attribute`, and read with nothing else. */
export function checkDirectoryMatch(
  source: { match: 'username' | 'email' | 'attribute'; matchAttribute?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (source.match === 'attribute' && source.matchAttribute === undefined)
    ctx.addIssue({ code: 'custom', path: ['matchAttribute'], message: 'required with match: attribute' });
  if (source.match !== 'attribute' && source.matchAttribute !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['matchAttribute'],
      message: `only read with match: attribute (match is ${source.match})`,
    });
}

const scimSourceSchema = z
  .strictObject({
    type: z.literal('scim'),
    name: name().optional(),
    /** Default: every active Jira user. */
    scope: directoryScopeSchema.optional(),
    url: url(['http:', 'https:']),
    token: z.string().min(1).optional(),
    /** SCIM page size (`count`). */
    pageSize: positiveInt().default(500),
    timeoutMs: positiveInt().default(30_000),
    ...directoryMatchKeys,
  })
  .superRefine(checkDirectoryMatch);

/**
 * An LDAP directory or Active Directory. Accounts are listed with a paged search (RFC 2696)
 * under `baseDN`; one the search does not return is absent. A disabled account is known by
 * `disabled`: AD's `userAccountControl` ACCOUNTDISABLE bit, or an attribute holding a value.
 */
/** An LDAP attribute description (RFC 4512): a name such as `sAMAccountName`, or an OID. */
const LDAP_ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;
const ldapAttribute = () =>
  z
    .string({ error: 'expected an LDAP attribute name' })
    .regex(LDAP_ATTRIBUTE, { error: 'expected an LDAP attribute name such as sAMAccountName' });

const ldapSourceSchema = z
  .strictObject({
    type: z.literal('ldap'),
    name: name().optional(),
    /** Default: every active Jira user. */
    scope: directoryScopeSchema.optional(),
    url: url(['ldap:', 'ldaps:']),
    bindDN: z.string({ error: 'expected a DN' }).min(1, { error: 'expected a DN' }),
    /** Default: the environment variable `bindPasswordEnv` names. */
    bindPassword: z.string().min(1).optional(),
    bindPasswordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' })
      .default('LDAP_BIND_PASSWORD'),
    baseDN: z.string({ error: 'expected a DN' }).min(1, { error: 'expected a DN' }),
    userFilter: z
      .string()
      .regex(/^\(.*\)$/s, { error: 'expected an LDAP filter in parentheses, e.g. (objectClass=person)' })
      .default('(objectClass=person)'),
    usernameAttribute: ldapAttribute().default('sAMAccountName'),
    emailAttribute: ldapAttribute().default('mail'),
    disabled: z
      .union(
        [
          z.strictObject({ activeDirectory: z.literal(true) }),
          z.strictObject({ attribute: ldapAttribute(), value: z.string() }),
        ],
        { error: 'expected { activeDirectory: true } or { attribute, value }' },
      )
      .default({ activeDirectory: true }),
    tls: z
      .strictObject({
        /** Upgrade an `ldap://` connection with StartTLS before binding. */
        starttls: z.boolean({ error: 'expected true or false' }).default(false),
        /** PEM file of the CA(s) that signed the server's certificate. */
        caFile: z.string().min(1).nullable().default(null),
        rejectUnauthorized: z.boolean({ error: 'expected true or false' }).default(true),
      })
      .prefault({}),
    /** Entries per page of the paged search. */
    pageSize: positiveInt().default(1000),
    /** One operation's time limit (connect, bind, a page, a look-up). */
    timeoutMs: positiveInt().default(30_000),
    ...directoryMatchKeys,
  })
  .superRefine(checkDirectoryMatch)
  .superRefine((source, ctx) => {
    // It goes into search filters: an attribute name, never a filter fragment.
    if (source.matchAttribute !== undefined && !LDAP_ATTRIBUTE.test(source.matchAttribute))
      ctx.addIssue({
        code: 'custom',
        path: ['matchAttribute'],
        message: 'expected an LDAP attribute name such as employeeID',
      });
  });

/*
 * Identity providers through their own APIs (Okta, Microsoft Entra ID, Google Workspace). Each
 * matches Jira users by `match` like every source (for `attribute`, `matchAttribute` names an
 * attribute of the IdP's account, e.g. a Google custom field `HR.jiraUser`). A secret may be given
 * in the file or, with the `…Env` key, by the name of the environment variable holding it.
 */
const idpMatchKeys = {
  ...directoryMatchKeys,
  matchAttribute: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, {
      error: 'expected an attribute name such as employeeNumber or HR.jiraUser',
    })
    .optional(),
};
const envName = () =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' });

/** Exactly one of `key` and `keyEnv`. */
function oneSecret(source: Record<string, unknown>, key: string, ctx: z.RefinementCtx): void {
  const given = [key, `${key}Env`].filter((k) => source[k] !== undefined);
  if (given.length !== 1)
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: given.length === 0 ? `${key} or ${key}Env is required` : `give ${key} or ${key}Env, not both`,
    });
}

const oktaSourceSchema = z
  .strictObject({
    type: z.literal('okta'),
    name: name().optional(),
    scope: directoryScopeSchema.optional(),
    /** The Okta org, e.g. https://example.okta.com. */
    url: url(['http:', 'https:']),
    token: z.string().min(1).optional(),
    tokenEnv: envName().optional(),
    ...idpMatchKeys,
    pageSize: positiveInt().max(200).default(200),
    timeoutMs: positiveInt().default(30_000),
  })
  .superRefine((source, ctx) => {
    oneSecret(source, 'token', ctx);
    checkDirectoryMatch(source, ctx);
  });

const entraSourceSchema = z
  .strictObject({
    type: z.literal('entra'),
    name: name().optional(),
    scope: directoryScopeSchema.optional(),
    tenantId: name(),
    clientId: name(),
    clientSecret: z.string().min(1).optional(),
    clientSecretEnv: envName().optional(),
    /** Default: https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token. */
    tokenUrl: url(['http:', 'https:']).optional(),
    graphUrl: url(['http:', 'https:']).default('https://graph.microsoft.com/v1.0'),
    tokenScope: z.string().min(1).default('https://graph.microsoft.com/.default'),
    ...idpMatchKeys,
    pageSize: positiveInt().max(999).default(999),
    timeoutMs: positiveInt().default(30_000),
  })
  .superRefine((source, ctx) => {
    oneSecret(source, 'clientSecret', ctx);
    checkDirectoryMatch(source, ctx);
  });

const googleSourceSchema = z
  .strictObject({
    type: z.literal('google'),
    name: name().optional(),
    scope: directoryScopeSchema.optional(),
    /** The Workspace administrator the service account acts for. */
    subject: name(),
    customer: name().default('my_customer'),
    credentialsFile: name().optional(),
    clientEmail: name().optional(),
    privateKey: z.string().min(1).optional(),
    privateKeyEnv: envName().optional(),
    /** Default: the key file's token_uri, else https://oauth2.googleapis.com/token. */
    tokenUrl: url(['http:', 'https:']).optional(),
    url: url(['http:', 'https:']).default('https://admin.googleapis.com'),
    ...idpMatchKeys,
    pageSize: positiveInt().max(500).default(500),
    timeoutMs: positiveInt().default(30_000),
  })
  .superRefine((source, ctx) => {
    checkDirectoryMatch(source, ctx);
    const inline = source.privateKey !== undefined || source.privateKeyEnv !== undefined;
    if (source.privateKey !== undefined && source.privateKeyEnv !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['privateKey'],
        message: 'give privateKey or privateKeyEnv, not both',
      });
    if (source.credentialsFile === undefined && !(inline && source.clientEmail !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['credentialsFile'],
        message: 'credentialsFile, or clientEmail with privateKey or privateKeyEnv, is required',
      });
    if (
      source.match === 'attribute' &&
      source.matchAttribute !== undefined &&
      !/^[^.]+\.[^.]+$/.test(source.matchAttribute)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['matchAttribute'],
        message: 'expected a custom schema field as Schema.field',
      });
  });

const directorySourceSchema = z.discriminatedUnion(
  'type',
  [scimSourceSchema, ldapSourceSchema, oktaSourceSchema, entraSourceSchema, googleSourceSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' && issue.note === 'No matching discriminator'
        ? 'unsupported directory type (supported: scim, ldap, okta, entra, google)'
        : undefined,
  },
);

const directoriesSchema = z.strictObject({
  /** Above this share of "absent" answers the directory is not believed for this run. */
  maxAbsentPercent: percent().default(5),
  sources: z.array(directorySourceSchema).default([]),
});

const restoreSchema = z.strictObject({
  onLogin: z.boolean().default(true),
  grantOnLogin: names().default([]),
  pollMinutes: positiveInt().default(5),
});

const licenseSchema = z.strictObject({
  alertAtPercent: percent().default(90),
  checkEveryMinutes: positiveInt().default(15),
});

const notifySchema = z.strictObject({
  smtpUrl: url(['smtp:', 'smtps:']).nullable().default(null),
  from: z.string().default('reclaim@example.com'),
  admins: z.array(z.email({ error: 'expected an e-mail address' })).default([]),
  warnUsersDaysBefore: nonNegativeInt().default(0),
});

const scheduleEntrySchema = z.strictObject({
  name: name().regex(/^[A-Za-z0-9_-]+$/, { error: 'expected letters, digits, "_" or "-"' }),
  cron: z
    .string({ error: 'expected a cron expression' })
    .refine((c) => c.trim().split(/\s+/).length >= 5 && c.trim().split(/\s+/).length <= 6, {
      error: 'expected a cron expression with 5 or 6 fields',
    })
    .superRefine((c, ctx) => {
      // The same parser BullMQ's job schedulers use, so what passes here also schedules.
      try {
        CronExpressionParser.parse(c);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not a valid cron expression: ${(error as Error).message}` });
      }
    }),
  timezone: z
    .string()
    .refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'expected an IANA time zone such as UTC or Europe/Berlin' },
    )
    .default('UTC'),
  mode: z.enum(['dry-run', 'apply'], { error: 'expected "dry-run" or "apply"' }).default('dry-run'),
  only: z.enum(['never-logged-in', 'inactive', 'left-company']).optional(),
});

const apiTokenSchema = z.strictObject({
  name: name(),
  token: z.string().min(16, { error: 'expected a token of at least 16 characters' }),
  role: z.enum(['viewer', 'operator', 'admin'], { error: 'expected viewer, operator or admin' }),
});

const apiSchema = z.strictObject({
  port: z.int().min(0).max(65_535, { error: 'expected a port number' }).default(3000),
  host: z.string().default('127.0.0.1'),
  tokens: z.array(apiTokenSchema).default([]),
  loginWebhookSecret: z.string().min(16).nullable().default(null),
});

const scanSchema = z.strictObject({
  /** Evaluate jobs are added in batches of this size. */
  batchSize: positiveInt().default(1000),
  /** The scan waits while the evaluate queue holds more jobs than this. */
  evaluateHighWater: positiveInt().default(20_000),
});

const workerSchema = z.strictObject({
  /** Jobs processed at once per queue in one process. */
  concurrency: z.record(z.string(), positiveInt()).default({}),
  /** How long a stopping worker waits for its active jobs before handing them back. */
  shutdownTimeoutMs: positiveInt().default(20_000),
  /**
   * A job's lock; a worker that dies (SIGKILL, lost machine) gives its jobs back to the queue
   * once their lock expires, checked as often.
   */
  lockDurationMs: positiveInt().default(30_000),
});

const runsSchema = z.strictObject({
  /**
   * Retention of finished runs' plans: a plan goes when its run is older than retainDays or not
   * among the newest retainCount finished runs. The run's summary and the audit log stay.
   */
  retainDays: positiveInt().default(90),
  retainCount: positiveInt().default(100),
  /**
   * How often the run sweeper looks for runs whose work is gone (a job lost, failed unseen,
   * or never queued) and finishes or fails them with the reason. Also its grace period: a
   * run is only touched once its status has not changed for this long. Fractions are allowed
   * (0.05 = every 3 s, for tests).
   */
  sweepEveryMinutes: z
    .number({ error: 'expected a positive number of minutes' })
    .positive({ error: 'expected a positive number of minutes' })
    .default(1),
});

export const configSchema = z.strictObject({
  redis: redisSchema.prefault({}),
  jira: jiraSchema.prefault({}),
  policy: policySchema.prefault({}),
  brake: brakeSchema.prefault({}),
  runs: runsSchema.prefault({}),
  directories: directoriesSchema.prefault({}),
  restore: restoreSchema.prefault({}),
  license: licenseSchema.prefault({}),
  notify: notifySchema.prefault({}),
  schedule: z.array(scheduleEntrySchema).default([]),
  api: apiSchema.prefault({}),
  scan: scanSchema.prefault({}),
  worker: workerSchema.prefault({}),
});

export type ReclaimConfig = z.infer<typeof configSchema>;
export type PolicyConfig = ReclaimConfig['policy'];
export type DirectorySourceConfig = ReclaimConfig['directories']['sources'][number];
export type DirectoryScopeConfig = z.infer<typeof directoryScopeSchema>;
export type ScheduleEntry = ReclaimConfig['schedule'][number];
export type ApiRole = z.infer<typeof apiTokenSchema>['role'];

/** Keys whose values are secrets: never printed, never logged. */
export const SECRET_KEYS = [
  'token',
  'password',
  'loginWebhookSecret',
  'clientSecret',
  'bindPassword',
  'privateKey',
];
