/*
 * The vocabulary of a verdict: what the policy is told about a user, and what it answers.
 * Shared by the policy, the plan store, the workers and the reports.
 */

export const VERDICTS = [
  'out-of-scope',
  'exempt',
  'already-inactive',
  'left-company',
  'never-logged-in',
  'inactive',
  /** A fact a rule needs is unknown (e.g. last login could not be read): no action on that basis. */
  'undetermined',
  'keep',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The reclaim rules a run can be limited to (`reclaim scan --only …`). */
export const RECLAIM_RULES = ['never-logged-in', 'inactive', 'left-company'] as const;
export type ReclaimRule = (typeof RECLAIM_RULES)[number];

export const ACTION_TYPES = [
  'revoke-license',
  'remove-groups',
  'add-groups',
  'deactivate',
  'rename',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export type PlannedAction =
  /** Leave the groups that grant the managed applications; `groups` are the ones the user is in. */
  | { type: 'revoke-license'; groups: string[] }
  /** Leave these security groups (all but keepGroups and the licence groups). */
  | { type: 'remove-groups'; groups: string[] }
  | { type: 'add-groups'; groups: string[] }
  | { type: 'deactivate' }
  | { type: 'rename'; to: string };

export type LastLoginFact =
  | { status: 'known'; at: Date; source: string }
  | { status: 'never'; source: string }
  | { status: 'unknown'; reason: string };

export type DirectoryFact =
  /** No external directory is configured. */
  | { status: 'not-configured' }
  | { status: 'active'; source: string; attribute?: string }
  | { status: 'disabled'; source: string; attribute?: string }
  | { status: 'absent'; source: string }
  /** The user is outside the source's scope (`scope`): it is not asked and does not vote. */
  | { status: 'not-applicable'; source: string; reason: string }
  /** The directory could not answer, or is not believed this run (circuit breaker). */
  | { status: 'unknown'; source: string; reason: string };

/** Everything the policy knows about one user. */
export interface UserFacts {
  key: string;
  name: string;
  displayName?: string;
  emailAddress?: string;
  active: boolean;
  /** All of the user's groups that are known (at least the licence, skip, only and keep groups). */
  groups: string[];
  lastLogin: LastLoginFact;
  /** When Reclaim first saw the user (its own record); null when not yet recorded. */
  firstSeen: Date | null;
  directory: DirectoryFact;
  /** When the account was created (Jira's database); absent or null when not known. */
  createdDate?: Date | null;
  /** The Jira user directory holding the user (Jira's database); absent when not known. */
  jiraDirectory?: JiraUserDirectory;
  /**
   * The warning the user was given that a login rule will take their licence
   * (notify.warnUsersDaysBefore); absent or null: none on record.
   */
  warning?: UserWarning | null;
}

/** A warning mailed to a user: their licence is not taken before `graceUntil`. */
export interface UserWarning {
  warnedAt: Date;
  graceUntil: Date;
  /** The run that gave it. */
  runId: string;
}

/** A Jira user directory, as a source that knows directories tells it. */
export interface JiraUserDirectory {
  id: number;
  name: string;
  /** Jira cannot deactivate or rename its users (no UPDATE_USER operation). */
  readOnly: boolean;
}

export interface PolicyContext {
  asOf: Date;
  /** Groups that grant one of the managed applications (from Jira's application roles). */
  licenceGroups: ReadonlySet<string>;
  /** When set, only this reclaim rule may produce a verdict with actions. */
  only?: ReclaimRule;
  /**
   * When Reclaim's very first scan ran. A user whose `firstSeen` is exactly this instant was
   * already there before Reclaim, so `policy.existingUsersSeenSince` dates them instead.
   */
  firstScanAt?: Date;
  /** The Jira account Reclaim itself works with (`/myself`): always exempt. */
  ownAccount?: JiraAccount;
  /** Groups that hold Jira's administer permissions by Jira's database: always exempt. */
  adminGroups?: readonly string[];
  /**
   * notify.warnUsersDaysBefore: a user a login rule is about to take from is warned this many
   * days before, and kept until the date in the warning. 0 or absent: no warnings.
   */
  warnDaysBefore?: number;
}

/** A Jira account by key and username. */
export interface JiraAccount {
  key: string;
  name: string;
}

export interface Reason {
  /** Which signal: last-login, first-seen, directory, group, user, account, scope. */
  signal: string;
  /** Which rule, in words a Jira admin reads in the plan. */
  rule: string;
  /** The value that decided, and the threshold it was compared with, where there is one. */
  value?: string;
  threshold?: string;
}

export interface Evaluation {
  verdict: Verdict;
  reasons: Reason[];
  actions: PlannedAction[];
  /**
   * The user is to be warned now (no warning on record that still holds): an apply run records
   * the warning and mails it; the user is kept until `graceUntil`.
   */
  warn?: { graceUntil: Date };
}
