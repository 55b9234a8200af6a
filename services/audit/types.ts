import type { Change, UserSnapshot } from '../actions/types.js';
import type { ActionType } from '../policy/types.js';
import type { ActionOutcome } from '../runs/types.js';

/* The audit log's vocabulary: one entry per action (or undo) Reclaim carried out in Jira. */

/**
 * `update-user`: an operator's edit of a user (the users API, a bulk update), not a plan's action.
 * `restore`: what a user's last reclaim took, given back (on login or on request); `grant`: an
 * application's default group given to a user who logged in without its licence.
 */
export type AuditedChange = ActionType | 'update-user' | 'restore' | 'grant';
export type AuditAction = AuditedChange | `undo:${AuditedChange}`;

export interface NewAuditEntry {
  runId: string;
  actionId: string;
  /** Who made the change happen: the run's trigger, an API token's name, `restore`, … */
  actor: string;
  action: AuditAction;
  /** The user's key, and the username when the action was asked for. */
  user: { key: string; name: string };
  /** Null when the user no longer existed. */
  before: UserSnapshot | null;
  after: UserSnapshot | null;
  outcome: ActionOutcome;
  reason?: string;
  notes?: string[];
  /** The Jira calls that changed something, in order: what an undo reverses. */
  changes: Change[];
  /** For an undo: the id of the entry it undoes. */
  undoOf?: string;
  /**
   * Appending again with the same key returns the entry already logged, so a retried job logs
   * once. @defaultValue `actionId`, or `${actionId}:undo` for an `undo:` action
   */
  idempotencyKey?: string;
}

export interface AuditEntry extends Omit<NewAuditEntry, 'idempotencyKey'> {
  /** Position in the log: 1, 2, 3 … zero-padded to {@link AUDIT_ID_DIGITS} digits. */
  id: string;
  /** When the entry was logged (ISO-8601 UTC). */
  at: string;
  idempotencyKey: string;
  /** `hash` of the entry before, or {@link GENESIS_HASH} for the first. */
  prevHash: string;
  /** sha256 hex of `prevHash` + the canonical JSON of the entry without `hash`. */
  hash: string;
}

export const AUDIT_ID_DIGITS = 12;
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditPageOptions {
  runId?: string;
  /** Only the entries about this Jira user (by key); wins over `runId`. */
  userKey?: string;
  /** The first id to return (inclusive); absent: from the start of the log. */
  fromId?: string;
  limit: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The `fromId` of the next page; null when this page reached the end. */
  nextFromId: string | null;
}

export type AuditVerification =
  | { ok: true; count: number }
  | {
      ok: false;
      /** The first entry that is missing, altered or out of chain. */
      entryId: string;
      problem: string;
    };
