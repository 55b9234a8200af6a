import type { Change } from '../actions/types.js';
import type { UserUpdate } from './user-update-request.js';

/* The vocabulary of user-update batches. */

/** `pending` until its job ran; `done` changed something; `skipped` had nothing to do. */
export type RowOutcome = 'pending' | 'done' | 'failed' | 'skipped';

export interface BatchRow {
  /** From 1, in the order the rows were received. */
  row: number;
  /** The username the row named. */
  username: string;
  update?: UserUpdate;
  outcome: RowOutcome;
  reason?: string;
  /** The user's Jira key, once found. */
  key?: string;
  changes?: Change[];
}

export interface BatchUndoSummary {
  at: string;
  by: string;
  done: number;
  skipped: number;
  notPossible: number;
}

export interface Batch {
  id: string;
  actor: string;
  createdAt: string;
  /** `receiving` while rows arrive, `running` while some are pending, then `done`. */
  status: 'receiving' | 'running' | 'done';
  /** Rows in the batch; null while they are still being received. */
  total: number | null;
  counts: Record<RowOutcome, number>;
  undo?: BatchUndoSummary;
}

/** The state of a user as the first attempt of a row read it: what the row's changes start from. */
export interface UserProfile {
  key: string;
  name: string;
  active: boolean;
  groups: string[];
  emailAddress: string | null;
  displayName: string | null;
}
