import type { JiraDirectory } from '../jira/jira-directory.js';
import type { CarriedUser } from './carried-user.js';
import type { PlannedAction, Verdict } from '../policy/types.js';

/*
 * The vocabulary of the apply stage: what an action job asks for, and what it reports back
 * (and the audit log keeps, so the action can be undone).
 */

export interface ActionDeps {
  jira: JiraDirectory;
  /**
   * Keeps the user's state as the first attempt read it, before any change, and returns the
   * state kept: a retry after a crash (the change made, the audit not yet written) then still
   * reports what the crashed attempt changed, so the action stays undoable.
   */
  rememberBefore?(snapshot: UserSnapshot): Promise<UserSnapshot>;
  /**
   * Given the user as just re-read, why the plan no longer holds for them (e.g. they joined a
   * skip group since), or undefined to go on. Asked before any change; the action is then
   * `skipped` with that reason. Absent: the plan is taken as it is (apart from the login check).
   */
  recheck?(user: RecheckedUser): Promise<string | undefined>;
  /**
   * The user as the previous step of the chain left it, fresh enough to act on instead of
   * reading it again (carried-user.ts decides); absent: the user is read.
   */
  carried?: CarriedUser;
  /** Told the user as this action leaves it (its read with its changes), for the next step. */
  leaveState?(state: CarriedUser): void;
}

/** One planned action of one user, as an action job carries it. */
export interface ActionRequest {
  runId: string;
  /** Stable across attempts of the same job: the audit log's idempotency key. */
  actionId: string;
  user: {
    /** Jira's user key, which survives renames: every read is by key. */
    key: string;
    /** The username at plan time (it may have changed since). */
    name: string;
  };
  action: PlannedAction;
  planned: {
    /** The last login the plan was made with (ISO-8601), null when none was known. */
    lastLogin: string | null;
    verdict: Verdict;
  };
}

/** The parts of a Jira user an action changes, and an undo restores. */
export interface UserSnapshot {
  key: string;
  name: string;
  active: boolean;
  /** Sorted case-insensitively. */
  groups: string[];
}

/** The user as the re-check sees them: the snapshot, and the e-mail address Jira holds now. */
export interface RecheckedUser extends UserSnapshot {
  emailAddress?: string;
}

/** One Jira call that changed something. */
export type Change =
  | { op: 'remove-group'; group: string }
  | { op: 'add-group'; group: string }
  | { op: 'update'; field: 'active'; from: boolean; to: boolean }
  | { op: 'update'; field: 'name'; from: string; to: string }
  /** Profile fields, changed by a user update (an operator's edit), never by a plan. */
  | { op: 'update'; field: 'emailAddress' | 'displayName'; from: string | null; to: string };

/**
 * - `done`: the user is in the state the action (or undo) asked for. `changes` lists the calls
 *   this attempt made; it is empty when an earlier attempt, or someone else, already got the user
 *   there (then `reason` is {@link ALREADY_IN_PLANNED_STATE}).
 * - `skipped`: deliberately not acted on (user gone, logged in since the plan, login unknown).
 * - `not-possible`: Jira refused for a reason a retry cannot fix (read-only directory, a
 *   conflicting change since); the admin has to act.
 */
export type ActionOutcomeKind = 'done' | 'skipped' | 'not-possible';

export interface ActionResult {
  outcome: ActionOutcomeKind;
  reason?: string;
  /** Things worth knowing that did not stop the action, e.g. a group that no longer exists. */
  notes?: string[];
  /** The user as read before acting; null when the user no longer exists. */
  before: UserSnapshot | null;
  /** `before` with `changes` applied (not read back, to spare Jira a request). */
  after: UserSnapshot | null;
  changes: Change[];
}

export const ALREADY_IN_PLANNED_STATE = 'already in the planned state';
export const USER_GONE = 'user no longer exists';
