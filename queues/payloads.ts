import { z } from 'zod';
import { VERDICTS } from '../services/policy/types.js';
import { JOBS, type JobName } from './names.js';

/*
 * Payload schemas, one per job name. A payload is untrusted input (it may come from an
 * older version of Reclaim, or be edited in Bull Board): processors parse it before use.
 */

const runId = z.string().regex(/^[A-Za-z0-9_-]+$/);

/** What the scan learnt about one user in bulk; the evaluate job completes what is missing. */
export const scannedUserSchema = z.object({
  key: z.string().min(1),
  name: z.string().min(1),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
  active: z.boolean(),
  /**
   * The last login as Jira reported it (ISO-8601, any offset). `null`: Jira says never.
   * Absent: this Jira's listing does not carry it; the evaluate job asks another source.
   */
  lastLoginTime: z.string().nullable().optional(),
  /** The user's groups among those the policy looks at (licence, skip, only, keep groups). */
  groups: z.array(z.string()),
  /* From Jira's database (jira.database), when it holds the user; absent otherwise. */
  /** `groups` is every group of the user: a leaver's full list needs no Jira call. */
  groupsComplete: z.boolean().optional(),
  /**
   * Where `lastLoginTime` came from when it was not the listing: Jira 9's Crowd search, read
   * in bulk (`crowd-attributes`), or Jira's database (`jira-database`).
   */
  lastLoginSource: z.string().optional(),
  /** When the account was created (ISO-8601). */
  createdDate: z.string().optional(),
  /** The Jira user directory holding the user. */
  jiraDirectory: z.object({ id: z.int(), name: z.string(), readOnly: z.boolean() }).optional(),
});

/** The external directories' answer for the user, as the scan found it (PolicyDirectoryFact). */
export const directoryFactSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('not-configured') }),
  z.object({ status: z.literal('active'), source: z.string(), attribute: z.string().optional() }),
  z.object({ status: z.literal('disabled'), source: z.string(), attribute: z.string().optional() }),
  z.object({ status: z.literal('absent'), source: z.string() }),
  z.object({ status: z.literal('not-applicable'), source: z.string(), reason: z.string() }),
  z.object({ status: z.literal('unknown'), source: z.string(), reason: z.string() }),
]);

const plannedActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('revoke-license'), groups: z.array(z.string()) }),
  z.object({ type: z.literal('remove-groups'), groups: z.array(z.string()) }),
  z.object({ type: z.literal('add-groups'), groups: z.array(z.string()) }),
  z.object({ type: z.literal('deactivate') }),
  z.object({ type: z.literal('rename'), to: z.string().min(1) }),
]);

/**
 * One step of a user's chain of actions: the whole chain travels with each step, so the step
 * that finishes queues the next one (groups before deactivation, rename last).
 */
export const actionStepSchema = z.object({
  runId,
  user: z.object({ key: z.string().min(1), name: z.string().min(1) }),
  actions: z.array(plannedActionSchema).min(1),
  index: z.int().min(0),
  planned: z.object({ lastLogin: z.string().nullable(), verdict: z.enum(VERDICTS) }),
  actor: z.string().min(1),
  /**
   * The user as the previous step of the chain left it, and when it was read: the step may act
   * on it instead of reading the user again while it is fresh (services/actions/carried-user.ts).
   */
  carried: z
    .object({
      readAt: z.number(),
      user: z.object({
        key: z.string().min(1),
        name: z.string().min(1),
        displayName: z.string().optional(),
        emailAddress: z.string().optional(),
        active: z.boolean(),
        lastLoginTime: z.string().nullable().optional(),
        groups: z.array(z.string()).optional(),
        applicationRoles: z.array(z.string()).optional(),
      }),
    })
    .optional(),
});

/** How Reclaim learnt of a login, or who asked for a restore. */
export const RESTORE_TRIGGERS = ['poll', 'webhook', 'api', 'cli'] as const;
export type RestoreTrigger = (typeof RESTORE_TRIGGERS)[number];

const restoreUserSchema = z.object({
  /** The restore's id: its job id, its row in the restore ledger and its audit action id. */
  requestId: runId,
  user: z.object({ key: z.string().min(1), name: z.string().min(1) }),
  trigger: z.enum(RESTORE_TRIGGERS),
  actor: z.string().min(1),
  /** The login that asked for it (ISO-8601); absent for a restore on request. */
  loginAt: z.string().optional(),
});

const grantLicenseSchema = z.object({
  /** By key when known (the poll), else by username (a login event may only name the user). */
  user: z.union([z.object({ key: z.string().min(1) }), z.object({ name: z.string().min(1) })]),
  application: z.string().min(1),
  trigger: z.enum(RESTORE_TRIGGERS),
  actor: z.string().min(1),
  loginAt: z.string(),
});
/** A user a mail is addressed to (a warning, a notice): the address travels with the job. */
const mailUserSchema = z.object({
  key: z.string().min(1),
  name: z.string().min(1),
  displayName: z.string().optional(),
  emailAddress: z.string().min(3),
});

/** One mail message: what to compose, not the text (templates are applied when it is sent). */
export const mailMessageSchema = z.discriminatedUnion('kind', [
  /** The summary of a run that ended, to `notify.admins`. */
  z.object({ kind: z.literal('run-summary'), runId }),
  /** An alert (AdminAlerts), to `notify.admins`. */
  z.object({
    kind: z.literal('alert'),
    alert: z.object({
      id: z.string().min(1),
      kind: z.string().min(1),
      subject: z.string().min(1),
      text: z.string(),
    }),
  }),
  /** A user's licence is about to be taken for not logging in; kept until `graceUntil`. */
  z.object({
    kind: z.literal('warning'),
    runId,
    user: mailUserSchema,
    /** ISO-8601, or null: never logged in. */
    lastLogin: z.string().nullable(),
    warnedAt: z.string().min(1),
    graceUntil: z.string().min(1),
  }),
  /** A user who left the company lost their Jira access in this run. */
  z.object({ kind: z.literal('offboarded'), runId, user: mailUserSchema }),
]);

export const payloadSchemas = {
  [JOBS.scanRun]: z.object({ runId }),
  [JOBS.evaluateUser]: z.object({
    runId,
    user: scannedUserSchema,
    /** When Reclaim first saw the user (ISO-8601), or null if it has no record. */
    firstSeen: z.string().nullable(),
    directory: directoryFactSchema,
  }),
  [JOBS.finishRun]: z.object({ runId }),
  [JOBS.startApply]: z.object({ runId }),
  [JOBS.pruneRuns]: z.object({}),
  [JOBS.revokeLicense]: actionStepSchema,
  [JOBS.removeGroups]: actionStepSchema,
  [JOBS.addGroups]: actionStepSchema,
  [JOBS.deactivate]: actionStepSchema,
  [JOBS.rename]: actionStepSchema,
  [JOBS.undoAction]: z.object({ actionId: z.string().min(1), actor: z.string().min(1) }),
  [JOBS.undoRun]: z.object({ runId, actor: z.string().min(1) }),
  [JOBS.sweepRuns]: z.object({}),
  // The row itself is kept in the batch's Redis state: a 100,000-row batch queues small jobs.
  [JOBS.updateUser]: z.object({ batchId: runId, row: z.int().min(1), actor: z.string().min(1) }),
  [JOBS.undoBatch]: z.object({ batchId: runId, actor: z.string().min(1) }),
  [JOBS.restoreUser]: restoreUserSchema,
  [JOBS.grantLicense]: grantLicenseSchema,
  [JOBS.pollLogins]: z.object({}),
  [JOBS.sendMail]: mailMessageSchema,
  [JOBS.licenseCheck]: z.object({}),
  [JOBS.scheduledRun]: z.object({
    schedule: z.string().min(1),
    mode: z.enum(['dry-run', 'apply']),
    only: z.enum(['never-logged-in', 'inactive', 'left-company']).optional(),
  }),
} satisfies Record<JobName, z.ZodType>;

export type Payload<N extends JobName> = z.infer<(typeof payloadSchemas)[N]>;
export type ScannedUser = z.infer<typeof scannedUserSchema>;
export type ActionStep = z.infer<typeof actionStepSchema>;
export type RestoreUserJob = z.infer<typeof restoreUserSchema>;
export type GrantLicenseJob = z.infer<typeof grantLicenseSchema>;
export type MailMessage = z.infer<typeof mailMessageSchema>;

export function parsePayload<N extends JobName>(name: N, data: unknown): Payload<N> {
  return payloadSchemas[name].parse(data) as Payload<N>;
}
