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
     * Jira 9 keeps last logins only in its Crowd user attributes, read over
     * /rest/usermanagement/1 with the credentials of an application set up under Jira User
     * Server. Without them, the token or username above is tried; if Jira refuses, last logins
     * are unknown (never taken as "never logged in").
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

const scimSourceSchema = z.strictObject({
  type: z.literal('scim'),
  name: name().optional(),
  url: url(['http:', 'https:']),
  token: z.string().min(1).optional(),
  /** SCIM page size (`count`). */
  pageSize: positiveInt().default(500),
  timeoutMs: positiveInt().default(30_000),
});

const directorySourceSchema = z.discriminatedUnion('type', [scimSourceSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' && issue.note === 'No matching discriminator'
      ? 'unsupported directory type (supported: scim)'
      : undefined,
});

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

export const configSchema = z.strictObject({
  redis: redisSchema.prefault({}),
  jira: jiraSchema.prefault({}),
  policy: policySchema.prefault({}),
  brake: brakeSchema.prefault({}),
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
export type ScheduleEntry = ReclaimConfig['schedule'][number];
export type ApiRole = z.infer<typeof apiTokenSchema>['role'];

/** Keys whose values are secrets: never printed, never logged. */
export const SECRET_KEYS = ['token', 'password', 'loginWebhookSecret', 'clientSecret', 'bindPassword'];
