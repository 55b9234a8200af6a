import type { PolicyConfig } from '../../config/schema.js';
import type { ActionType, PlannedAction, ReclaimRule, Reason, Verdict } from '../policy/types.js';

/*
 * The vocabulary of a run and its plan, as the stores hand it to workers, the API and the CLI.
 */

export const RUN_STATUSES = [
  'scanning',
  'evaluating',
  'planned',
  'awaiting-approval',
  'applying',
  'done',
  'failed',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type RunMode = 'dry-run' | 'apply';

export interface RunTrigger {
  type: 'cli' | 'api' | 'schedule' | 'demo';
  /** Who asked: the API token's name, the CLI user. */
  by?: string;
  /** The schedule entry's name, for scheduled runs. */
  schedule?: string;
}

/**
 * Whether an external directory was believed this run, and if not, why; with the counts the
 * breaker judged on, so the record shows what the shares are shares of.
 */
export interface DirectoryStatus {
  source: string;
  trusted: boolean;
  reason?: string;
  absentPercent?: number;
  /** The breaker's one line, trusted or not. */
  summary?: string;
  /** Active Jira users in the source's scope that the policy does not protect: the denominator. */
  asked?: number;
  /** Of `asked`, unknown to the directory, confirmed by a look-up. */
  absent?: number;
  /** Of `asked`, disabled in the directory. */
  disabled?: number;
  disabledPercent?: number;
  /** Jira users outside the source's scope (not-applicable). */
  outOfScope?: number;
  /** Jira users already deactivated in Jira (not asked). */
  deactivatedInJira?: number;
  /** Jira users protected by the policy (out of scope or exempt; not asked). */
  protectedByPolicy?: number;
  /** Missing from the bulk listing but found by the confirmation look-up. */
  foundOnLookup?: number;
  /** Missing from the bulk listing, and the confirmation look-up failed (unknown). */
  lookupFailed?: number;
  /** Matched by e-mail (`match: email`) and without an e-mail address in Jira (unknown, not asked). */
  noEmailToMatch?: number;
}

/** What the run learnt about the Jira it talked to. */
export interface JiraFacts {
  version: string;
  /** The simulator/version profile the client chose, e.g. `dc11`. */
  profile?: string;
  /** Further facts of that profile (listing endpoint, where last login comes from, …). */
  facts?: Record<string, string | number | boolean | null>;
  /** The account Reclaim works with (`/myself`): always exempt from the run's verdicts. */
  account?: { key: string; name: string };
}

export type ActionOutcome = 'done' | 'failed' | 'skipped' | 'not-possible';

export interface RunCounters {
  /** Users the scan has listed so far. */
  scanned: number;
  /** True once the scan has listed everyone; `total` is then known. */
  scanComplete: boolean;
  total: number | null;
  /** Distinct users with a line in the plan. */
  evaluated: number;
  byVerdict: Record<Verdict, number>;
  /** Planned actions per type (a user with two actions counts in both). */
  byAction: Record<ActionType, number>;
  jiraRequests: number;
  actionsDone: number;
  actionsFailed: number;
  actionsSkipped: number;
  actionsNotPossible: number;
}

export interface Run {
  id: string;
  mode: RunMode;
  trigger: RunTrigger;
  /** Every date rule of the run is computed against this instant (ISO-8601 UTC). */
  asOf: string;
  only?: ReclaimRule;
  /** The exact policy the run evaluated with, so the run can be reproduced and audited. */
  policy: PolicyConfig;
  /** sha256 (hex) of the policy's canonical JSON: runs with the same policy share it. */
  policyHash: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  /** When the scan began work. */
  startedAt?: string;
  plannedAt?: string;
  finishedAt?: string;
  /** When retention removed the run's plan; the summary (counters, notes) stays. */
  planPrunedAt?: string;
  /**
   * Managed application → licences the plan took back (or would), worked out from the plan's
   * lines just before retention removed them; only on a run whose plan was pruned.
   */
  licencesFreed?: Record<string, number>;
  /** Why the run is in its current status (failed, held, cancelled, or a note on `done`). */
  statusReason?: string;
  notes: string[];
  directories?: DirectoryStatus[];
  jira?: JiraFacts;
  counters: RunCounters;
}

export interface CreateRunInput {
  mode: RunMode;
  trigger: RunTrigger;
  /** Default: now. */
  asOf?: Date;
  only?: ReclaimRule;
  policy: PolicyConfig;
}

export interface ListRunsOptions {
  limit: number;
  /** A run id: list the runs created before it (the next page of a newest-first listing). */
  before?: string;
}

/** One evaluated user in a run's plan. */
export interface PlanLine {
  key: string;
  name: string;
  displayName?: string;
  emailAddress?: string;
  active: boolean;
  /** ISO-8601 UTC, or null when the user never logged in or it is unknown. */
  lastLogin: string | null;
  lastLoginStatus: 'known' | 'never' | 'unknown';
  verdict: Verdict;
  actions: PlannedAction[];
  reasons: Reason[];
  /** The name of the user's Jira user directory, where a source knows it (Jira's database). */
  directory?: string;
}

export interface PlanPageOptions {
  /** The `nextCursor` of the previous page; absent for the first page. */
  cursor?: string;
  limit: number;
  verdict?: Verdict;
}

export interface PlanPage {
  lines: PlanLine[];
  /** Null when there is nothing after this page. */
  nextCursor: string | null;
}

export interface RecordResult {
  /** False when the user already had a line (a retried job): counters were corrected, not added to. */
  isNew: boolean;
  /**
   * Every listed user is evaluated now. The caller moves the run on with
   * `RunLifecycle.markPlanned(id)`, which happens once however many
   * callers try; a retried job may see `true` again.
   */
  complete: boolean;
  /** The run is past evaluating: its plan is final and the line was not written. */
  refused: boolean;
}

export interface PlanSummary {
  evaluated: number;
  total: number | null;
  scanComplete: boolean;
  byVerdict: Record<Verdict, number>;
  byAction: Record<ActionType, number>;
  /** Licence group → how many users the plan removes from it. */
  licencesFreedByGroup: Record<string, number>;
}
