import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { isoInstantString } from '../services/time/iso-instant.js';
import { SELECTOR_PATTERN } from '../services/directories/http/json-selector.js';
import { QUEUES, type QueueName } from '../queues/names.js';

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

const clusterNodeSchema = z.strictObject({
  host: z
    .string({ error: 'expected a host name or address' })
    .min(1, { error: 'expected a host name or address' }),
  port: z
    .int({ error: 'expected a port number (1-65535)' })
    .min(1, { error: 'expected a port number (1-65535)' })
    .max(65_535, { error: 'expected a port number (1-65535)' }),
});

const redisSchema = z.strictObject({
  /** Where BullMQ and Reclaim's own state live (a single Redis; ignored when `cluster` is set). */
  url: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /**
   * Redis Cluster instead of `url`: some of its nodes (any of them; the rest are discovered).
   * Queues and runs are hash-tagged per queue and per run, so they spread over the masters.
   */
  cluster: z
    .array(clusterNodeSchema, { error: 'expected a list of {host, port}' })
    .min(1, { error: 'expected at least one {host, port}' })
    .optional(),
  /** Every key is written under `{prefix}` or `{prefix:…}` (hash tags, for Redis Cluster). */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, "_", "." or "-"' })
    .default('reclaim'),
});

const jiraDatabaseSchema = z.strictObject({
  /** postgres://user[:password]@host:5432/jiradb or mysql://user[:password]@host:3306/jiradb. */
  url: url(['postgres:', 'postgresql:', 'mysql:', 'mariadb:']),
  /** The password, when it is not in the URL (JIRA_DATABASE_PASSWORD). */
  password: z.string().min(1).optional(),
  /** The schema (PostgreSQL) or database (MySQL) holding Jira's tables; default the connection's. */
  schema: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, { error: 'expected a plain SQL identifier' })
    .optional(),
  /** Each statement's time limit, enforced by the database server. */
  statementTimeoutMs: positiveInt().default(30_000),
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
    /**
     * Jira's own database, read-only, for the facts REST does not give: creation dates, last
     * logins in bulk, each user's directory and whether it is read-only, and the groups that
     * hold the administer permissions. Null: REST facts only.
     */
    database: jiraDatabaseSchema.nullable().default(null),
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

/*
 * HTTP JSON and CSV sources (an HR system's own API or export). `match` says which Jira field
 * the source's key is compared with; the key field of the source follows from it (its
 * username, its e-mail, or `matchAttribute`: a selector or a CSV column). Secrets come from the file or, by `tokenEnv` /
 * `passwordEnv`, from the environment, so the file can be shared without them.
 */
const selector = () =>
  z
    .string()
    .regex(SELECTOR_PATTERN, { error: 'expected a selector such as items[*], profile.login or status' });
const sourceCredentials = {
  /** Bearer token … */
  token: z.string().min(1).optional(),
  /** … or the name of the environment variable that holds it. */
  tokenEnv: z.string().min(1).optional(),
  /** Basic auth: username + password (or passwordEnv). */
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  passwordEnv: z.string().min(1).optional(),
};
const statusValues = {
  /** Status values (compared case-insensitively) of an account that still works here. */
  activeValues: z.array(z.string(), { error: 'expected a list of values' }).default(['active']),
  /** Status values of a leaver's account. A status in neither list is unknown for that user. */
  disabledValues: z
    .array(z.string(), { error: 'expected a list of values' })
    .default(['inactive', 'disabled', 'terminated']),
};

const httpSourceSchema = z
  .strictObject({
    type: z.literal('http'),
    name: name().optional(),
    scope: directoryScopeSchema.optional(),
    ...directoryMatchKeys,
    ...sourceCredentials,
    /** A paged listing of every account. */
    listUrl: url(['http:', 'https:']).optional(),
    /** One account: `{username}` is replaced by the URL-encoded key; 404 means absent. */
    lookupUrl: z
      .string()
      .refine((u) => u.includes('{username}'), { error: 'the lookupUrl must contain {username}' })
      .refine(
        (u) => {
          try {
            return ['http:', 'https:'].includes(new URL(u.replaceAll('{username}', 'x')).protocol);
          } catch {
            return false;
          }
        },
        { error: 'expected a URL starting with http:// or https://' },
      )
      .optional(),
    paging: z
      .strictObject({
        /** `next`: a field of the page holds the next page's URL; `page` / `offset`: a query parameter. */
        type: z.enum(['next', 'page', 'offset', 'none']).default('next'),
        /** type next: the selector of the next page's URL; missing or empty on the last page. */
        next: selector().min(1).default('next'),
        /** type page: the page number's parameter, and the first page's number. */
        pageParam: z.string().min(1).default('page'),
        firstPage: nonNegativeInt().default(1),
        /** type offset: the offset's parameter (the first account is offset 0). */
        offsetParam: z.string().min(1).default('offset'),
        /** type page / offset: the page size's parameter and value; an empty page ends the listing. */
        limitParam: z.string().min(1).default('limit'),
        pageSize: positiveInt().default(100),
      })
      .prefault({}),
    selectors: z
      .strictObject({
        /** The accounts of a listing page. */
        users: selector().default('items[*]'),
        /** The account in a lookup's answer ('' = the whole body). */
        user: selector().default(''),
        username: selector().min(1).default('username'),
        email: selector().min(1).default('email'),
        /** The account's status; '' = every listed account is active. */
        status: selector().default('status'),
        /** Optional: the listing's total; the listing must then reach it. */
        total: selector().min(1).optional(),
      })
      .prefault({}),
    ...statusValues,
    timeoutMs: positiveInt().default(30_000),
  })
  .refine((s) => s.listUrl !== undefined || s.lookupUrl !== undefined, {
    error: 'an http source needs listUrl or lookupUrl (or both)',
    path: ['listUrl'],
  })
  .superRefine(checkDirectoryMatch)
  .refine((s) => s.matchAttribute === undefined || SELECTOR_PATTERN.test(s.matchAttribute), {
    error: 'expected a selector such as profile.login',
    path: ['matchAttribute'],
  });

const csvSourceSchema = z
  .strictObject({
    type: z.literal('csv'),
    name: name().optional(),
    scope: directoryScopeSchema.optional(),
    ...directoryMatchKeys,
    ...sourceCredentials,
    /** A file on this machine … */
    path: z.string().min(1).optional(),
    /** … or an http(s) URL (with token or username/password). */
    url: url(['http:', 'https:']).optional(),
    /** Column names (header row), else 1-based column numbers. */
    columns: z
      .strictObject({
        username: z.union([z.string().min(1), positiveInt()]).default('username'),
        email: z.union([z.string().min(1), positiveInt()]).optional(),
        /** Left out: every row is an active account. */
        status: z.union([z.string().min(1), positiveInt()]).optional(),
      })
      .prefault({}),
    ...statusValues,
    delimiter: z.string().min(1).max(2).default(','),
    /** Whether the first row names the columns. */
    header: z.boolean({ error: 'expected true or false' }).default(true),
    timeoutMs: positiveInt().default(30_000),
  })
  .refine((s) => (s.path === undefined) !== (s.url === undefined), {
    error: 'a csv source needs exactly one of path and url',
    path: ['path'],
  })
  .superRefine(checkDirectoryMatch)
  .refine((s) => s.match !== 'email' || s.columns.email !== undefined, {
    error: 'match: email needs columns.email',
    path: ['columns', 'email'],
  });

const directorySourceSchema = z.discriminatedUnion(
  'type',
  [
    scimSourceSchema,
    ldapSourceSchema,
    oktaSourceSchema,
    entraSourceSchema,
    googleSourceSchema,
    httpSourceSchema,
    csvSourceSchema,
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' && issue.note === 'No matching discriminator'
        ? 'unsupported directory type (supported: scim, ldap, okta, entra, google, http, csv)'
        : undefined,
  },
);

const directoriesSchema = z.strictObject({
  /** Above this share of "absent" answers the directory is not believed for this run. */
  maxAbsentPercent: percent().default(5),
  /**
   * With several sources: `all` — a leaver only when every source whose scope holds the user
   * says absent or disabled; `any` — one believed source saying so is enough. Either way an
   * `unknown` from a source in scope blocks, and a source out of scope never votes.
   */
  combine: z.enum(['all', 'any'], { error: 'expected all or any' }).default('all'),
  sources: z.array(directorySourceSchema).default([]),
});

const positiveMinutes = () =>
  z
    .number({ error: 'expected a positive number of minutes' })
    .positive({ error: 'expected a positive number of minutes' });

const restoreSchema = z.strictObject({
  /** A reclaimed user who logs in again gets back what their last reclaim took. */
  onLogin: z.boolean().default(true),
  /**
   * Applications (keys, e.g. jira-software) whose default group a user who logs in without any
   * licence of it is given, under the seat cap. Empty: none.
   */
  grantOnLogin: names().default([]),
  /** How often the reclaimed users' last logins are read. Fractions are allowed (for tests). */
  pollMinutes: positiveMinutes().default(5),
  /** How long a restore or grant waiting for a free seat waits before it looks again. */
  seatRetrySeconds: z
    .number({ error: 'expected a positive number of seconds' })
    .positive({ error: 'expected a positive number of seconds' })
    .default(60),
});

const licenseSchema = z.strictObject({
  /** Used seats of an application at or above this share of its seats alert the admins. */
  alertAtPercent: percent().default(90),
  /** How often the licence monitor reads each managed application's seats (and records them). */
  checkEveryMinutes: positiveInt().default(15),
  /**
   * After an alert, usage that stays above the threshold alerts again only after this many
   * hours; usage that falls below it and crosses again alerts at once.
   */
  alertCooldownHours: z
    .number({ error: 'expected a positive number of hours' })
    .positive({ error: 'expected a positive number of hours' })
    .default(24),
});

const templateFiles = () =>
  z
    .union(
      [
        z.string().min(1),
        z.strictObject({ text: z.string().min(1).optional(), html: z.string().min(1).optional() }),
      ],
      { error: 'expected a file path, or { text: path, html: path }' },
    )
    .nullable()
    .default(null);

const subject = () => z.string({ error: 'expected a subject line' }).min(1);

const notifySchema = z.strictObject({
  /** Where mail goes out; null: nothing is sent, each message is logged instead. */
  smtpUrl: url(['smtp:', 'smtps:']).nullable().default(null),
  from: z.string().default('reclaim@example.com'),
  /** Run summaries and alerts (licence threshold, restore waiting for a seat) go here. */
  admins: z.array(z.email({ error: 'expected an e-mail address' })).default([]),
  /**
   * Users about to lose a licence for not logging in are warned this many days before; the
   * policy keeps a warned user until the date in the warning. 0: no warnings.
   */
  warnUsersDaysBefore: nonNegativeInt().default(0),
  /** Tell a user who left the company (directory) that their Jira access was taken. */
  noticeToOffboarded: z.boolean({ error: 'expected true or false' }).default(false),
  /** The API's public base URL (https://reclaim.example.com), for links in mail; null: no links. */
  publicUrl: url(['http:', 'https:']).nullable().default(null),
  /** Subject lines; `{{name}}` is replaced like in the templates. */
  subjects: z
    .strictObject({
      runSummary: subject().default('Reclaim run {{runId}} ({{mode}}): {{status}}'),
      alert: subject().default('Reclaim alert: {{subject}}'),
      warning: subject().default('Your Jira access ends on {{graceUntilDate}} unless you log in'),
      offboarded: subject().default('Your Jira access has been removed'),
    })
    .prefault({}),
  /**
   * Templates replacing the defaults in services/notify/templates: a text file (the HTML part
   * is then the text, escaped), or `{ text, html }`. `{{name}}` is replaced by a value
   * (escaped in HTML), `{{{name}}}` by the value as it is.
   */
  templates: z
    .strictObject({
      runSummary: templateFiles(),
      alert: templateFiles(),
      warning: templateFiles(),
      offboarded: templateFiles(),
    })
    .prefault({}),
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
  /** Bearer token for GET /metrics; null leaves /metrics open like the health probes. */
  metricsToken: z
    .string()
    .min(16, { error: 'expected a token of at least 16 characters' })
    .nullable()
    .default(null),
  /**
   * Signs Bull Board's session cookies. Null: a random secret per process (sessions end when the
   * API restarts, and several API processes behind one balancer do not share them).
   */
  sessionSecret: z
    .string()
    .min(32, { error: 'expected a secret of at least 32 characters' })
    .nullable()
    .default(null),
  /** How long a Bull Board login lasts. */
  sessionHours: z.number().positive({ error: 'expected a positive number of hours' }).max(168).default(8),
});

const scanSchema = z.strictObject({
  /** Evaluate jobs are added in batches of this size. */
  batchSize: positiveInt().default(1000),
  /** The scan waits while the evaluate queue holds more jobs than this. */
  evaluateHighWater: positiveInt().default(20_000),
});

const workerSchema = z.strictObject({
  /** Jobs processed at once per queue in one process; a name that is no queue is an unknown key. */
  concurrency: z
    .partialRecord(z.enum(Object.values(QUEUES) as [QueueName, ...QueueName[]]), positiveInt())
    .default({}),
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

const recordsSchema = z.strictObject({
  /**
   * postgres://user[:password]@host:5432/reclaim: where runs, plans, the audit log and the
   * histories are kept. Without it, one process (`reclaim start`, `reclaim demo`) keeps them in
   * an embedded PostgreSQL (PGlite) in `dataDir`; separate api and worker processes need it.
   */
  url: url(['postgres:', 'postgresql:']).optional(),
  /** Connections per process. */
  poolSize: positiveInt().default(10),
  /** The embedded store's directory, used only without `url`. */
  dataDir: z.string().min(1).default('./data/records'),
  /**
   * The role the application's queries run as (`SET ROLE`): the migrations grant it what it
   * needs and no UPDATE or DELETE on the audit log. Null: run as the connecting user.
   */
  appRole: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, { error: 'expected a PostgreSQL role name (lower case, digits, "_")' })
    .nullable()
    .default('reclaim_app'),
});

export const configSchema = z.strictObject({
  redis: redisSchema.prefault({}),
  records: recordsSchema.prefault({}),
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
export type HttpSourceConfig = z.infer<typeof httpSourceSchema>;
export type CsvSourceConfig = z.infer<typeof csvSourceSchema>;
export type DirectoryCombine = ReclaimConfig['directories']['combine'];
export type DirectoryScopeConfig = z.infer<typeof directoryScopeSchema>;
export type ScheduleEntry = ReclaimConfig['schedule'][number];
export type JiraDatabaseConfig = NonNullable<ReclaimConfig['jira']['database']>;
export type RecordsConfig = ReclaimConfig['records'];
export type ApiRole = z.infer<typeof apiTokenSchema>['role'];
export type NotifyConfig = ReclaimConfig['notify'];
export type LicenseConfig = ReclaimConfig['license'];

/** Keys whose values are secrets: never printed, never logged. */
export const SECRET_KEYS = [
  'token',
  'password',
  'loginWebhookSecret',
  'metricsToken',
  'sessionSecret',
  'clientSecret',
  'bindPassword',
  'privateKey',
];
